"""The period report: the workbook's sheets and contents, the summary paragraph (on the demo
data it states the seed's figures), the command and the download."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from liaison import reports
from liaison.dashboard.scope import Scope

SHEETS = ["Summary", "Members and duty points", "Platforms", "Contacts by channel", "Proposals",
          "Activities", "Consultations and problems", "Public-opinion reports"]


def _book(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def _summary(book) -> dict:
    return {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True) if row[0]}


def test_the_workbook_has_every_sheet_with_the_period_s_rows(world, council):
    with translation.override("en"):
        book = _book(reports.workbook(Scope(council_id=council.pk), council.name,
                                      date(2025, 1, 1), date(2025, 12, 31)))
    assert book.sheetnames == SHEETS
    summary = _summary(book)
    assert summary["Sector liaison points"] == 1
    assert summary["Constituents linked"] == 8
    assert (summary["Proposals collected"], summary["Proposals filed"], summary["Proposals closed"]) == (4, 3, 1)
    assert summary["Consultations held"] == 2
    assert summary["Problems solved"] == 2
    assert "8 constituents" in summary["Summary paragraph"]
    members = list(book["Members and duty points"].iter_rows(min_row=2, values_only=True))
    assert len(members) == 5  # serving members of the council
    assert members[0][-1] >= members[-1][-1]  # by points, highest first
    contacts = list(book["Contacts by channel"].iter_rows(values_only=True))
    assert contacts[-1][0] == "Total"
    assert contacts[-1][-1] == 8
    assert book["Proposals"].max_row == 1 + 4
    assert book["Activities"].max_row == 1 + 3
    problems = list(book["Consultations and problems"].iter_rows(min_row=2, values_only=True))
    assert len(problems) == 4
    assert {row[4] for row in problems} == {"Resolved", "Open"}


def test_the_report_keeps_to_its_council(world, other_council):
    with translation.override("en"):
        book = _book(reports.workbook(Scope(council_id=other_council.pk), other_council.name,
                                      date(2025, 1, 1), date(2025, 12, 31)))
    assert book["Activities"].max_row == 1
    assert book["Members and duty points"].max_row == 1


@pytest.mark.parametrize(("n", "said"), [(34, "more than 30"), (26, "more than 20"), (30, "30"), (8, "8")])
def test_counts_are_stated_the_article_s_way(n, said):
    with translation.override("en"):
        assert reports.about(n) == said


def test_the_command_writes_the_workbook(world, council, tmp_path, capsys):
    out = tmp_path / "report.xlsx"
    call_command("report", "--from", "2025-01-01", "--to", "2025-12-31", "--council", council.name,
                 "--out", str(out), "--language", "en")
    assert _book(out.read_bytes()).sheetnames == SHEETS
    assert "4 proposals have been collected" in capsys.readouterr().out


@pytest.mark.parametrize("args", [
    ["--from", "2025-13-01", "--to", "2025-12-31"],
    ["--from", "2025-12-31", "--to", "2025-01-01"],
    ["--from", "2025-01-01", "--to", "2025-12-31", "--council", "没有这个政协"],
])
def test_the_command_refuses_bad_input(world, tmp_path, args):
    out = tmp_path / "report.xlsx"
    with pytest.raises(CommandError):
        call_command("report", *args, "--out", str(out))
    assert not out.exists()


def test_staff_download_the_workbook(client_for, staff, world):
    url = reverse("liaison:report")
    page = client_for(staff).get(url, {"from": "2025-01-01", "to": "2025-12-31"})
    assert page.status_code == 200
    assert page.context["paragraph"]
    response = client_for(staff).get(page.context["download"])
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert len(_book(response.content).sheetnames) == len(SHEETS)


def test_the_report_page_refuses_a_bad_period_and_outsiders(client_for, staff, member_a,
                                                          other_staff, council):
    url = reverse("liaison:report")
    response = client_for(staff).get(url, {"from": "2025-12-31", "to": "2025-01-01"})
    assert response.context["form"].has_error("__all__")
    assert "paragraph" not in response.context
    assert client_for(member_a).get(url).status_code == 403
    assert client_for(other_staff).get(url, {"council": council.pk}).status_code == 404


def test_on_the_demo_data_the_paragraph_states_the_seed_s_figures(db):
    """The report of 2025 — the seed's year, before 十届五次 opened — says "十届四次全会以来共征集
    提案85件，立案83件，办结83件": it counts 十届四次 and the sessions after it opened in the
    period (none). A period reaching into 2026 counts 十届五次's live proposals too, so
    filed and closed differ there (the next test)."""
    from liaison import demo
    from members.models import Council

    demo.build()
    council = Council.objects.get(name=demo.DEMO_COUNCIL)
    scope = Scope(council_id=council.pk)
    start, end = date(2025, 1, 1), date(2025, 12, 31)
    figures = reports.collect(scope, council.name, start, end)
    assert figures.session == figures.sessions == "十届四次"
    assert (figures.collected, figures.filed, figures.closed) == (85, 83, 83)
    with translation.override("zh-hans"):
        assert "十届四次全会以来共征集提案85件，立案83件，办结83件" in reports.paragraph(figures)
    # The platforms, the roster, the consultations and the activities are dated around today:
    # the seed's figures over every day so far.
    figures = reports.collect(scope, council.name, date(2023, 1, 1), timezone.localdate())
    assert (figures.liaison_points, figures.studios, figures.constituents) == (1, 8, 582)
    assert figures.coverage == 100
    assert figures.consultations == 26
    assert figures.problems_solved > 30
    assert (figures.workstations, figures.workstation_activities) == (10, 12)
    with translation.override("en"):
        text = reports.paragraph(figures)
    for said in ["1 sector liaison point", "8 member studios", "582 constituents", "100%",
                 "26 consultations", "solving more than 30 problems",
                 "10 member workstations held 12 activities"]:
        assert said in text, said
    with translation.override("en"):
        book = _book(reports.workbook(scope, council.name, start, end))
    assert len(list(book["Proposals"].iter_rows(min_row=2))) == 85


def test_the_demo_paragraph_counts_what_the_proposal_register_lists(db, client_for):
    """The paragraph names the first session it counts and its figures are those of the staff
    register (提案汇总) filtered to each session counted, added up — the list users read."""
    from django.urls import reverse

    from liaison import demo
    from members.models import Council, User
    from proposals.models import Session

    demo.build()
    council = Council.objects.get(name=demo.DEMO_COUNCIL)
    client = client_for(User.objects.get(username="staff"))
    today = timezone.localdate()
    for period, named, counted in [
        ((date(2025, 1, 1), date(2025, 12, 31)), "十届四次", ["十届四次"]),
        ((date(2025, 3, 1), date(2025, 12, 31)), "十届四次", ["十届四次"]),  # in force at the start
        ((date(2023, 1, 1), today), "十届四次", ["十届四次", "十届五次"]),  # since 十届四次, inclusive
        ((date(today.year, 1, 1), today), "十届五次", ["十届五次"]),  # this year so far
    ]:
        f = reports.collect(Scope(council_id=council.pk), council.name, *period)
        assert (f.session, f.sessions) == (named, "、".join(counted)), period
        listed = {"collected": 0, "filed": 0, "closed": 0}
        for session in Session.objects.filter(council=council, name__in=counted):
            figures = client.get(reverse("proposals:register"), {"session": session.pk}).context["figures"]
            for key in listed:
                listed[key] += figures[key]
        assert listed["collected"] > 0
        assert (f.collected, f.filed, f.closed) == (
            listed["collected"], listed["filed"], listed["closed"]), period
        with translation.override("zh-hans"):
            assert (f"{named}全会以来共征集提案{f.collected}件，立案{f.filed}件，办结{f.closed}件"
                    in reports.paragraph(f)), period


def test_a_city_report_states_the_figures_of_every_district(world, council, other_council, city,
                                                            city_leader, other_staff, client_for):
    """Each district has its own current session: a city's report counts each district's
    proposals in its own session (it used to take one session of the whole subtree, and so
    one district's proposals), and its roster figures are the whole city's."""
    from proposals.models import State
    from tests.factories import ConstituentFactory, MemberFactory
    from tests.proposals.factories import SessionFactory, proposal_in

    session = SessionFactory(council=other_council, term=10, number=4, name="十届四次",
                             is_current=True, opened_on=date(2025, 1, 12))
    SessionFactory(council=other_council, term=10, number=3, name="十届三次",
                   opened_on=date(2024, 1, 12))
    far = MemberFactory(council=other_council)
    ConstituentFactory.create_batch(3, member=far)
    proposal_in(State.SUBMITTED, proposer=far, staff=other_staff, session=session)
    proposal_in(State.FILED, proposer=far, staff=other_staff, session=session)

    period = (date(2025, 1, 1), date(2025, 12, 31))
    f = reports.collect(Scope(council_id=city.pk), city.name, *period)
    assert (f.collected, f.filed, f.closed) == (4 + 2, 3 + 1, 1)
    assert (f.constituents, f.members_active, f.members_missing) == (8 + 3, 5 + 1, 1)
    assert f.session == "十届四次"
    with translation.override("en"):
        text = reports.paragraph(f)
    assert "6 proposals have been collected, 4 filed and 1 closed" in text
    assert "11 constituents" in text
    # Each district's own report is unchanged: its own session only.
    district = reports.collect(Scope(council_id=other_council.pk), other_council.name, *period)
    assert (district.collected, district.filed) == (2, 1)
    # The page and the workbook say the same for the city.
    page = client_for(city_leader).get(reverse("liaison:report"), {
        "council": city.pk, "from": "2025-01-01", "to": "2025-12-31"})
    assert page.context["figures"].collected == 6
    with translation.override("en"):
        book = _book(reports.workbook(Scope(council_id=city.pk), city.name, *period))
    assert book["Proposals"].max_row == 1 + 6


def test_opened_from_the_menu_the_report_shows_this_year_so_far(client_for, staff):
    """No period chosen yet: this year up to today, with its figures and its workbook link."""
    today = timezone.localdate()
    response = client_for(staff).get(reverse("liaison:report"))
    form = response.context["form"]
    assert form.is_valid()
    assert form.period() == (date(today.year, 1, 1), today)
    assert "paragraph" in response.context
    download = response.context["download"]
    assert f"from={today.year}-01-01" in download
    assert f"to={today.isoformat()}" in download
    assert client_for(staff).get(download).status_code == 200

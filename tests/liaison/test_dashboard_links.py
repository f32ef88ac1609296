"""Every number of the dashboard links to the list behind it, and that list counts exactly
that number: headline figures, rates (their part and whole), breakdowns by sector,
committee, platform and child council, and the charts' tables — with the period, sector,
committee and session filters, for a district and for a city's roll-up and drill-down."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import ActivityKind
from liaison.dashboard.links import _url
from liaison.dashboard.present import percent
from proposals.models import Proposal, Rating
from proposals.models import State as ProposalState
from tests.factories import CommitteeFactory, SectorFactory
from tests.liaison.conftest import build_world
from tests.proposals.factories import SessionFactory, proposal_in

URL = reverse("liaison:dashboard")


# --- helpers --------------------------------------------------------------------------------


def figures_of(response) -> dict:
    return {f.key: f for _title, group in response.context["groups"] for f in group}


def count_of(client, url: str):
    """What the list at ``url`` counts: its rows; on the compliance page, its on-time rate."""
    response = client.get(url)
    assert response.status_code == 200, url
    context = response.context
    if urlsplit(url).path == reverse("activities:compliance"):
        totals = context["totals"]
        return percent(totals["on_time_count"], totals["done"] + totals["overdue_count"])
    if "page" in context:
        return context["page"].paginator.count
    return context["filter"].qs.count()


def check_figure(client, figure) -> None:
    assert figure.url, f"{figure.key} has no list"
    if figure.base_url:  # a rate: its part over its whole, both lists
        part, whole = count_of(client, figure.url), count_of(client, figure.base_url)
        assert percent(whole - part if figure.complement else part, whole) == figure.value, figure
        return
    assert count_of(client, figure.url) == figure.value, (figure.key, figure.url)


BREAKDOWNS = {
    "sectors": ["members", "constituents", "contacts", "proposals"],
    "committees": ["members", "constituents", "contacts", "activities"],
    "platforms": ["contacts", "activities", "consultations"],
    "councils": ["members", "constituents", "contacts", "proposals", "consultations",
                 "activities"],
}
COUNT_FIELD = {"proposals": ("n_proposals_filed", "n_proposals")}


def check_every_number(client, response) -> int:
    """Request every link of the page and compare; returns how many numbers were checked."""
    checked = 0
    for figure in figures_of(response).values():
        check_figure(client, figure)
        checked += 1
    for table, columns in BREAKDOWNS.items():
        for row in response.context[table]:
            for column in columns:
                field = next(f for f in COUNT_FIELD.get(column, (f"n_{column}",)) if f in row)
                assert count_of(client, row[f"{column}_url"]) == row[field], (table, column, row)
                checked += 1
    for kind in response.context["activity_kinds"]:
        assert count_of(client, kind["url"]) == kind["n"], kind
        checked += 1
    for tag in response.context["tags"]:  # "四联四助": contacts and activities per tag
        assert count_of(client, tag["contacts_url"]) == tag["n_contacts"], tag
        assert count_of(client, tag["activities_url"]) == tag["n_activities"], tag
        checked += 2
    for name, chart_table in response.context["chart_tables"].items():
        for row in chart_table["rows"]:
            for cell in row["cells"]:
                assert count_of(client, cell["url"]) == cell["n"], (name, row["label"], cell)
                checked += 1
    return checked


@pytest.fixture
def rated(world):
    """Ratings that a count of rating rows would get wrong: two raters disagreeing, and a
    proposal rated 不满意 then re-handled and rated again. By the rating each proposal
    counts with: one satisfied, one basically satisfied, one unsatisfied."""
    session = world["session"]
    closed = Proposal.objects.get(session=session, state=ProposalState.CLOSED)  # 2 × satisfied
    replied = Proposal.objects.get(session=session, state=ProposalState.REPLIED)
    filed = Proposal.objects.filter(session=session, state=ProposalState.FILED).get()
    cosigner = replied.cosigners.first().member

    def rate(proposal, member, round_, value):
        Rating.objects.create(proposal=proposal, member=member, rated_by=member.user,
                              round=round_, value=value, rated_at=timezone.now())

    rate(replied, replied.proposer, replied.round, Rating.Value.UNSATISFIED)
    Proposal.objects.filter(pk=replied.pk).update(round=replied.round + 1)
    rate(replied, replied.proposer, replied.round + 1, Rating.Value.BASICALLY)
    rate(replied, cosigner, replied.round + 1, Rating.Value.SATISFIED)
    rate(filed, filed.proposer, filed.round, Rating.Value.UNSATISFIED)
    return {"closed": closed, "replied": replied, "filed": filed}


# --- a district -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"from": "2025-05-01", "to": "2025-12-31"},
        {"sector": "SECTOR"},
        {"committee": "COMMITTEE", "from": "2025-01-01", "to": "2025-04-30"},
        {"session": "SESSION", "sector": "OTHER_SECTOR"},
    ],
    ids=["all", "period", "sector", "committee-period", "session-sector"],
)
def test_every_number_equals_the_count_of_its_list(client_for, leader, world, rated, sector,
                                                   other_sector, other_committee, query):
    values = {"SECTOR": sector.pk, "OTHER_SECTOR": other_sector.pk,
              "COMMITTEE": other_committee.pk, "SESSION": world["session"].pk}
    client = client_for(leader)
    response = client.get(URL, {k: values.get(v, v) for k, v in query.items()})
    assert response.status_code == 200
    assert not response.context["form"].errors
    # figures, 4 sectors/committees rows of 4 numbers, 4 platforms × 3, kinds, chart cells
    assert check_every_number(client, response) > 60


def test_proposals_count_with_one_rating_each(client_for, leader, world, rated):
    figures = figures_of(client_for(leader).get(URL))
    values = {key: figures[f"rating-{key}"].value for key in Rating.Value.values}
    # Rating rows: 3 satisfied, 1 basically, 2 unsatisfied. Proposals: one of each.
    assert values == {"satisfied": 1, "basically": 1, "unsatisfied": 1}
    assert figures["satisfaction"].value == 66.7
    register = client_for(leader).get(figures["rating-basically"].url)
    assert [p.pk for p in register.context["page"]] == [rated["replied"].pk]


def test_must_visit_figures_link_to_filtered_reminders_and_compliance(client_for, leader, world):
    client = client_for(leader)
    figures = figures_of(client.get(URL, {"from": "2025-06-01", "to": "2025-06-30"}))
    # Due in June: per member one done late and one overdue (the open one is not yet due).
    assert (figures["visits-due"].value, figures["visits-on-time"].value) == (8, 0)
    query = parse_qs(urlsplit(figures["visits-rate"].url).query)
    assert query == {"period_after": ["2025-06-01"], "period_before": ["2025-06-30"]}
    assert count_of(client, figures["visits-rate"].url) == 0.0
    assert count_of(client, figures["visits-rate"].url.replace("2025-06-01", "2025-01-01")) == 33.3


# --- a city: roll-up and drill-down --------------------------------------------------------


@pytest.fixture
def city_world(city, world, council, staff, other_council, other_staff):
    """Both districts with data, and an older session in ours whose proposal must not count
    (each district's current session does)."""
    sectors = [SectorFactory(council=other_council, name=n) for n in ("农业界", "教育界")]
    committees = [CommitteeFactory(council=other_council, name=n) for n in ("农业委", "文史委")]
    build_world(other_council, other_staff, sectors=sectors, committees=committees)
    old = SessionFactory(council=council, term=10, number=3, name="十届三次", is_current=False,
                         opened_on=date(2024, 1, 10))
    proposal_in(ProposalState.FILED, proposer=world["members"][0], staff=staff, session=old)
    return city


@pytest.mark.parametrize("query", [{}, {"from": "2025-05-01"}], ids=["all", "period"])
def test_a_city_roll_up_links_every_number_to_its_subtree(client_for, city_leader, city_world,
                                                         council, other_council, query):
    client = client_for(city_leader)
    response = client.get(URL, query)
    rows = {row["pk"]: row for row in response.context["councils"]}
    assert set(rows) == {council.pk, other_council.pk}
    figures = figures_of(response)
    assert "current_session=true" in figures["proposals-collected"].url  # not every session
    assert figures["proposals-collected"].value == 8  # 4 + 4, the old session's not counted
    # Activity kinds of both districts (both have one named alike): one row per name, adding
    # up both districts' kinds of that name, linked by the name.
    kinds = response.context["activity_kinds"]
    assert len({row["name"] for row in kinds}) == len(kinds)
    shared = [row for row in kinds if len(row["ids"]) == 2]
    assert shared
    assert all("kind_name=" in row["url"] for row in shared)
    assert {ActivityKind.objects.get(pk=pk).council_id for row in shared for pk in row["ids"]} == {
        council.pk, other_council.pk}
    # Sectors, committees and platforms are each one council's: the roll-up lists the city's
    # own (it has none here), and each district's are one click down, on its dashboard.
    for table in ("sectors", "committees", "platforms"):
        assert response.context[table] == [], table
    assert set(response.context["form"].fields["sector"].choices[1:]) == set()
    for district in (council, other_council):
        down = client.get(URL, {**query, "council": district.pk})
        for table in ("sectors", "committees", "platforms"):
            assert down.context[table], table
            assert {row["council_id"] for row in down.context[table]} == {district.pk}, table
    assert check_every_number(client, response) > 30


def test_a_province_drills_into_a_city_and_its_lists_take_the_subtree(
        client_for, city_world, council, other_council):
    """A council filter means the council and everything under it."""
    from members.models import Council, User
    from tests.factories import CouncilFactory, UserFactory

    province = CouncilFactory(name="黑龙江省政协", level=Council.Level.PROVINCE)
    Council.objects.filter(pk=city_world.pk).update(parent=province)
    governor = UserFactory(username="province", role=User.Role.LEADER, council=province)
    client = client_for(governor)
    top = client.get(URL)
    assert [row["pk"] for row in top.context["councils"]] == [city_world.pk]
    drilled = client.get(top.context["councils"][0]["url"])
    assert figures_of(drilled)["members-active"].value == 10  # 5 + 5, both districts
    assert check_every_number(client, drilled) > 60
    inner = client.get(URL, {"council": other_council.pk})
    assert check_every_number(client, inner) > 30


def test_a_city_drill_down_into_a_district(client_for, city_leader, city_world, council, sector):
    client = client_for(city_leader)
    response = client.get(URL, {"council": council.pk, "sector": sector.pk, "from": "2025-01-01"})
    assert not response.context["form"].errors
    assert figures_of(response)["members-active"].value == 3
    assert check_every_number(client, response) > 40


@pytest.mark.parametrize("params", [
    {"council": 5, "period_after": "2026-01-01", "period_before": None, "sector": 12},
    {"state": "回复", "q": "a b&c=d/e", "empty": "", "zero": 0, "flag": "true"},
    {"none": None},
])
def test_a_link_query_is_what_urlencode_writes(params):
    """The dashboard's links quote each name and value once per process: the query is still
    exactly ``urlencode``'s, empty values left out (0 is a value)."""
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    expected = f"/list/?{urlencode(kept)}" if kept else "/list/"
    assert _url("/list/", **params) == expected

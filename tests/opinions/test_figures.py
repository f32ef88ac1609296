"""The reports in the figures: the dashboard's numbers equal the lists they link to (district,
city roll-up, drill-down, period and sector), the duty points per report with edited points,
the period report's paragraph and sheet, and the demo's reports at every stage."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from liaison import reports
from liaison.dashboard import duty
from liaison.dashboard.scope import Params, Scope
from liaison.models import DutyScheme
from members.models import Member
from opinions import services
from opinions.models import Report
from tests.liaison.test_dashboard_links import check_figure, figures_of
from tests.opinions.helpers import report_in

pytestmark = pytest.mark.django_db

EARLY, LATE = date(2025, 3, 15), date(2025, 6, 15)
STAGES = ["pending", "not_used", "adopted", "instructed", "forwarded"]
KEYS = ["opinions-submitted", "opinions-pending", "opinions-forwarded", "opinions-adopted",
        "opinions-instructed", "opinions-not-used"]


@pytest.fixture
def spread(tree, member_a, member_b, staff, other_staff, other_member, city_staff):
    """Every stage in both districts, early and late in 2025; one adopted by the city."""
    for i, stage in enumerate(STAGES * 2):
        day = [EARLY, LATE][i % 2]
        report_in(stage, member=[member_a, member_b][i % 2], offices=[staff], day=day)
        report_in(stage, member=other_member, offices=[other_staff], day=day)
    city_adopted = report_in("forwarded", member=member_a, offices=[staff], day=LATE)
    services.report_adopt(report=city_adopted, by=city_staff)


def opinion_figures(response) -> dict:
    figures = figures_of(response)
    return {key: figures[key] for key in KEYS}


@pytest.mark.parametrize(("who", "query"), [
    ("staff", {}),
    ("staff", {"from": "2025-05-01", "to": "2025-12-31"}),
    ("staff", {"sector": "sector"}),
    ("city_leader", {}),
    ("city_leader", {"council": "district", "from": "2025-01-01", "to": "2025-04-30"}),
])
def test_numbers_equal_the_lists(client_for, spread, tree, request, sector, settings, who, query):
    settings.DASHBOARD_CACHE_SECONDS = 0
    query = {k: {"sector": sector.pk, "district": tree.district.pk}.get(v, v)
             for k, v in query.items()}
    client = client_for(request.getfixturevalue(who))
    figures = opinion_figures(client.get(reverse("liaison:dashboard"), query))
    assert figures["opinions-submitted"].value > 0
    assert figures["opinions-forwarded"].value >= 0
    for figure in figures.values():
        check_figure(client, figure)


def test_the_city_counts_both_districts_and_the_district_its_own(client_for, spread, staff,
                                                                 city_leader, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    district = opinion_figures(client_for(staff).get(reverse("liaison:dashboard")))
    city = opinion_figures(client_for(city_leader).get(reverse("liaison:dashboard")))
    assert district["opinions-submitted"].value == 11
    assert city["opinions-submitted"].value == 21
    assert district["opinions-forwarded"].value == 3  # two pending at the city, one it adopted
    assert city["opinions-adopted"].value == 2 * 2 * 2 + 1  # adopted or instructed, + the city's


def test_duty_points_per_report_submitted_adopted_instructed(tree, member_a, staff):
    report_in("pending", member=member_a, offices=[staff])
    report_in("adopted", member=member_a, offices=[staff])
    report_in("instructed", member=member_a, offices=[staff])
    scheme = DutyScheme.objects.create(council=tree.district, report_points=2, adopted_points=5,
                                       instructed_points=10, instructed_cap=8)
    scored = duty.with_points(Member.objects.filter(pk=member_a.pk), Params(), scheme).get()
    assert (scored.n_report, scored.n_adopted, scored.n_instructed) == (3, 2, 1)
    assert (scored.pts_report, scored.pts_adopted, scored.pts_instructed) == (6, 10, 8)
    outside = duty.with_points(Member.objects.filter(pk=member_a.pk),
                               Params(date_from=date(2020, 1, 1), date_to=date(2020, 12, 31)),
                               scheme).get()
    assert (outside.n_report, outside.n_adopted, outside.n_instructed) == (0, 0, 0)


def test_the_scheme_page_edits_the_report_points(client_for, tree, admin):
    data = {f"{key}_points": 1 for key, _label in DutyScheme.ITEMS}
    data.update(report_points=2, adopted_points=4, instructed_points=6, instructed_cap=12)
    response = client_for(admin).post(reverse("liaison:points-scheme"), data)
    assert response.status_code == 302
    scheme = DutyScheme.objects.get(council=tree.district)
    assert (scheme.report_points, scheme.adopted_points, scheme.instructed_points,
            scheme.instructed_cap) == (2, 4, 6, 12)


def test_the_duty_record_lists_the_member_s_reports(client_for, tree, member_a, staff):
    report = report_in("instructed", member=member_a, offices=[staff])
    response = client_for(member_a).get(reverse("liaison:duty-record", args=[member_a.pk]))
    assert response.context["record"]["reports"] == [report]
    lines = {line.key: line for line in response.context["lines"]}
    assert (lines["report"].count, lines["adopted"].count, lines["instructed"].count) == (1, 1, 1)


def test_the_period_report_states_and_lists_the_reports(spread, tree):
    scope = Scope(council_id=tree.district.pk)
    with translation.override("zh-hans"):
        figures = reports.collect(scope, tree.district.name, date(2025, 1, 1), date(2025, 12, 31))
        text = reports.paragraph(figures)
    assert (figures.reports, figures.reports_adopted, figures.reports_instructed) == (11, 5, 2)
    assert "社情民意信息11篇" in text
    with translation.override("en"):
        book = openpyxl.load_workbook(io.BytesIO(reports.workbook(
            scope, tree.district.name, date(2025, 1, 1), date(2025, 12, 31))))
    rows = list(book["Public-opinion reports"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == Report.objects.filter(council=tree.district).count() == 11
    assert any("区委书记 刘某" in (row[-1] or "") for row in rows)
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)
               if row[0]}
    assert summary["Public-opinion reports adopted"] == 5

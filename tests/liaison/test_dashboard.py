"""The dashboard: every number equals the list behind its link; who may see what; query
budgets at two data sizes; the cache."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from proposals.models import Proposal, State
from tests.liaison.conftest import build_world

URL = reverse("liaison:dashboard")

def figures_of(response) -> dict:
    return {f.key: f for _title, group in response.context["groups"] for f in group}


# Every number against its list: test_dashboard_links.py.


def test_headline_figures_of_the_world(client_for, staff, world):
    figures = {k: f.value for k, f in figures_of(client_for(staff).get(URL)).items()}
    assert figures["platforms-liaison_point"] == 1
    assert figures["platforms-studio"] == 1  # the closed studio is not counted
    assert figures["platforms-workstation"] == 1
    assert figures["members-active"] == 5
    assert figures["members-missing"] == 1
    assert figures["coverage"] == 80.0
    assert figures["constituents"] == 8
    assert figures["contacts-total"] == 8
    assert figures["visits-due"] == 12  # done (on time or late) and overdue, 3 per member
    assert figures["visits-on-time"] == 4
    assert figures["visits-rate"] == 33.3
    assert (figures["proposals-collected"], figures["proposals-filed"], figures["proposals-closed"]) == (4, 3, 1)
    assert figures["consultations"] == 2
    assert figures["problems-solved"] == 2
    assert figures["activities-total"] == 3
    assert figures["activities-cross"] == 2
    assert figures["activities-workstation"] == 1


def test_charts_come_as_json_with_a_table_each(client_for, leader, world):
    response = client_for(leader).get(URL)
    html = response.content.decode()
    assert 'id="dashboard-charts"' in html
    assert "<script>" not in html.replace(
        '<script id="dashboard-charts" type="application/json">', ""
    )
    assert html.count('class="js-chart"') == 3
    charts = response.context["charts"]
    # One continuous month axis for both trends: the empty months in between are zeros.
    months = ["2025-03", "2025-04", "2025-05", "2025-06"]
    assert charts["contacts"]["labels"] == months
    assert charts["activities"]["labels"] == months
    assert sum(sum(ds["data"]) for ds in charts["contacts"]["datasets"]) == 8
    rows = response.context["chart_tables"]["activities"]["rows"]
    assert [(row["label"], [cell["n"] for cell in row["cells"]]) for row in rows] == [
        ("2025-03", [2]), ("2025-04", [0]), ("2025-05", [0]), ("2025-06", [1])]
    assert html.count("<details") == 3  # each chart's data as a table


def test_bad_filters_are_refused_with_a_message(client_for, leader, world, other_council):
    from tests.factories import SectorFactory

    foreign = SectorFactory(council=other_council, name="外区界别")
    response = client_for(leader).get(URL, {"from": "2025-09-01", "to": "2025-01-01",
                                            "sector": foreign.pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("__all__")
    assert form.has_error("sector")
    params = response.context["params"]
    assert params.date_from is None
    assert params.sector_id is None
    assert figures_of(response)["contacts-total"].value == 8  # filters dropped, not applied
    # The page says so: the period's message, the sector marked invalid with its reason.
    html = response.content.decode()
    assert str(form.errors["__all__"][0]) in html
    assert 'class="select form-select is-invalid"' in html
    assert 'aria-describedby="id_sector_error"' in html
    assert str(form.errors["sector"][0]) in html


def test_the_filters_keep_what_was_chosen_and_the_drilled_council(client_for, city_leader, world,
                                                                    council, sector):
    client = client_for(city_leader)
    html = client.get(URL, {"council": council.pk, "sector": sector.pk,
                            "from": "2025-01-01"}).content.decode()
    assert f'<option value="{sector.pk}" selected>' in html
    assert 'value="2025-01-01"' in html
    assert f'<input type="hidden" name="council" value="{council.pk}" id="id_council">' in html
    for name in ("from", "to", "session", "sector", "committee"):
        assert f'<label for="id_{name}" class="form-label">' in html


# --- permissions ----------------------------------------------------------------------------


def test_members_cannot_open_the_dashboard(client_for, member_a, anonymous):
    assert client_for(member_a).get(URL).status_code == 403
    assert anonymous.get(URL).status_code == 302


def test_staff_see_only_their_council(client_for, other_staff, world, council):
    client = client_for(other_staff)
    figures = figures_of(client.get(URL))
    assert figures["constituents"].value == 0
    assert figures["contacts-total"].value == 0
    assert client.get(URL, {"council": council.pk}).status_code == 404


def test_a_district_leader_cannot_drill_into_another_district(client_for, leader, other_council):
    assert client_for(leader).get(URL, {"council": other_council.pk}).status_code == 404
    assert client_for(leader).get(URL, {"council": "x"}).status_code == 404


def test_a_city_user_sees_the_roll_up_and_drills_down(client_for, city_leader, world, council,
                                                     other_council, other_member):
    client = client_for(city_leader)
    response = client.get(URL)
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.context["councils"]}
    assert set(rows) == {council.name, other_council.name}
    assert rows[council.name]["n_members"] == 5
    assert rows[other_council.name]["n_members"] == 1
    figures = figures_of(response)
    assert figures["members-active"].value == 6  # the whole city
    drilled = client.get(rows[council.name]["url"])
    assert drilled.status_code == 200
    inner = figures_of(drilled)
    assert inner["members-active"].value == 5
    # The lists follow the drill-down too: test_dashboard_links.py.


def test_a_city_user_cannot_drill_outside_the_city(client_for, city_leader):
    from tests.factories import CouncilFactory

    elsewhere = CouncilFactory(name="鸡西市政协")
    assert client_for(city_leader).get(URL, {"council": elsewhere.pk}).status_code == 404


# --- speed ----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 3])
def test_query_count_does_not_grow_with_the_data(client_for, leader, council, staff, sector,
                                                 other_sector, committee, other_committee,
                                                 django_assert_max_num_queries, settings, size):
    settings.DASHBOARD_CACHE_SECONDS = 0
    build_world(council, staff, sectors=[sector, other_sector],
                committees=[committee, other_committee], size=size)
    client = client_for(leader)
    # session, user, user's council, choices (one UNION), platforms, members and constituents
    # (one sum over the roster tally), contacts (by month × channel, sector and committee:
    # one UNION), must-visits, proposals (+ replies, ratings), consultations (+ problems),
    # activities, activities by month × kind (and the kinds' names and councils, read apart:
    # grouping by a Chinese name sorted every row in the collation), by sector, filed
    # proposals by sector, by committee, contacts and activities per "四联四助" tag (one
    # UNION), messages by QR code (one aggregate), public-opinion reports (one aggregate)
    with django_assert_max_num_queries(19):
        response = client.get(URL, {"from": "2025-01-01", "sector": sector.pk})
    assert response.status_code == 200


def test_a_city_dashboard_keeps_its_budget(client_for, city_leader, world, council,
                                           django_assert_max_num_queries, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    client = client_for(city_leader)
    # as above, plus the roll-up by council and its proposals per council (one GROUP BY) and
    # the activity kinds' councils (to tell rows of several councils apart); the roll-up's
    # proposals per council come from the headline's GROUP BY; with ?council= one council:
    # no roll-up, no kinds' councils
    with django_assert_max_num_queries(22):
        client.get(URL)
    with django_assert_max_num_queries(21):
        client.get(URL, {"council": council.pk})


def test_the_roll_up_counts_proposals_once_and_never_narrowed(
        client_for, city_leader, world, council, other_council, sector, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.DASHBOARD_CACHE_SECONDS = 0
    client = client_for(city_leader)
    with CaptureQueriesContext(connection) as queries:
        whole = client.get(URL)
    # The headline's outcome groups and the roll-up's per-council groups: one read, of the
    # proposal tally (proposals.tally), not of the proposals.
    reads = [
        q["sql"] for q in queries.captured_queries
        if ('FROM "proposals_proposal"' in q["sql"] or 'FROM "proposals_proposaltally"' in q["sql"])
        and ("counted_rating" in q["sql"] or "council__parent_id" in q["sql"])
    ]
    assert len(reads) == 1, reads
    assert 'FROM "proposals_proposaltally"' in reads[0]
    per_council = {row["name"]: row["n_proposals"] for row in whole.context["councils"]}
    expected = Proposal.objects.exclude(state=State.DRAFT).filter(council=council).count()
    assert per_council == {council.name: expected, other_council.name: 0}
    assert expected > 0
    # A sector narrows the headline figures, never the roll-up table.
    narrowed = client.get(URL, {"sector": sector.pk})
    assert {row["name"]: row["n_proposals"] for row in narrowed.context["councils"]} == per_council


def test_figures_are_cached_per_reach_and_filters(client_for, leader, staff, world,
                                                  django_assert_max_num_queries, settings):
    settings.DASHBOARD_CACHE_SECONDS = 60
    client_for(leader).get(URL)
    client = client_for(staff)
    # session, user, council, choices:
    # the figures come from the cache
    with django_assert_max_num_queries(4):
        client.get(URL)
    response = client.get(URL, {"from": "2025-05-01"})  # other filters: computed
    assert figures_of(response)["contacts-total"].value == 4


def test_member_and_constituent_figures_come_from_the_roster_tally(client_for, leader, world,
                                                                   council, sector, settings):
    """The headline figures and the sector and committee rows sum the tally (tens of rows)
    rather than count the rosters: what the tally says is what the page shows, and the
    rebuild puts a damaged tally right."""
    from members.models import RosterTally
    from members.rollups import roster_rebuild

    settings.DASHBOARD_CACHE_SECONDS = 0
    client = client_for(leader)

    def shown(**params):
        response = client.get(URL, params)
        figures = {k: f.value for k, f in figures_of(response).items()}
        sectors = {row["pk"]: row for row in response.context["sectors"]}
        return figures["members-active"], figures["constituents"], sectors[sector.pk]["n_constituents"]

    right = shown()
    assert right == (5, 8, 4)
    assert shown(sector=sector.pk)[:2] == (3, 4)
    RosterTally.objects.filter(council=council, sector_id=sector.pk).update(
        members=100, constituents=200)
    damaged = shown()
    assert damaged[1] == 8 - 4 + 200 * RosterTally.objects.filter(sector_id=sector.pk).count()
    assert damaged[2] > 100
    roster_rebuild(council=council)
    assert shown() == right


def test_activities_are_grouped_by_kind_id_not_by_name(client_for, city_leader, world, settings):
    """Grouping by a Chinese name sorted every activity in the database's collation (twice
    the rest of the query at province scale); the kinds' names are read apart."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.DASHBOARD_CACHE_SECONDS = 0
    with CaptureQueriesContext(connection) as queries:
        response = client_for(city_leader).get(URL)
    assert response.context["activity_kinds"]
    assert all(kind["name"] and kind["ids"] for kind in response.context["activity_kinds"])
    grouped = [q["sql"] for q in queries.captured_queries
               if 'FROM "activities_activity"' in q["sql"] and "GROUP BY" in q["sql"]]
    assert grouped
    assert not [sql for sql in grouped if '"activities_activitykind"."name"' in sql]


def test_activities_are_read_per_month_and_per_kind_not_per_month_and_kind(leader, council):
    """The trend and the by-kind table come from one query returning a row per month and a
    row per kind (a province's month × kind groups were 1,800 rows, converted and summed
    again in Python), equal to the activities counted one by one."""
    from collections import Counter

    from django.db import connection
    from django.utils import timezone

    from activities.models import Activity
    from liaison.dashboard import figures
    from liaison.dashboard.scope import Params, Scope
    from tests.activities.events.event_helpers import ActivityFactory, ActivityKindFactory
    from tests.liaison.conftest import at

    kinds = [ActivityKindFactory(council=council, name=name) for name in ("座谈交流", "调研视察")]
    for day in ("2025-01-10", "2025-02-10", "2025-03-10", "2025-03-20"):
        for kind in kinds:
            ActivityFactory(council=council, kind=kind, state=Activity.State.HELD,
                            starts_at=at(date.fromisoformat(day)))
    ActivityFactory(council=council, kind=kinds[0])  # planned: not counted
    returned = []

    def rows_returned(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if "UNION" in sql and "activities_activity" in sql:
            returned.append(len(context["cursor"].fetchall()))
            result = execute(sql, params, many, context)  # read again for the caller
        return result

    with connection.execute_wrapper(rows_returned):
        groups = figures.activity_groups(Scope(user=leader), Params())
    held = Activity.objects.filter(council=council, state=Activity.State.HELD)
    assert {row["month"]: row["n"] for row in groups["months"]} == Counter(
        timezone.localtime(a.starts_at).strftime("%Y-%m") for a in held)
    assert [row["month"] for row in groups["months"]] == ["2025-01", "2025-02", "2025-03"]
    assert {row["name"]: (row["ids"], row["n"]) for row in groups["kinds"]} == {
        kind.name: ([kind.pk], 4) for kind in kinds}
    assert returned == [3 + 2]  # three months and two kinds, not six month × kind groups


def test_the_filters_read_only_the_shown_councils_sectors_and_committees(
        client_for, city_leader, city, council, other_council, sector, committee):
    """The filter bar offers the viewed council's own sectors and committees (a child
    council's are on its dashboard), and the choices' query reads no others: a province read
    its councils' 330 sectors and 88 committees to offer 30 and 8."""
    from liaison.dashboard import figures
    from liaison.dashboard.scope import Scope
    from tests.factories import CommitteeFactory, SectorFactory

    own_sector = SectorFactory(council=city, name="市经济界")
    own_committee = CommitteeFactory(council=city, name="市经济委")
    SectorFactory(council=other_council, name="农业界")

    def ids(rows):
        return {row["id"] for row in rows}

    read = figures.reference(Scope(user=city_leader), city.pk)
    assert (ids(read["sector"]), ids(read["committee"])) == ({own_sector.pk}, {own_committee.pk})
    drilled = figures.reference(Scope(user=city_leader, council_id=council.pk), council.pk)
    assert (ids(drilled["sector"]), ids(drilled["committee"])) == ({sector.pk}, {committee.pk})
    assert ids(read["council"]) == {city.pk, council.pk, other_council.pk}  # the drill-down

    client = client_for(city_leader)
    choices = client.get(URL).context["form"].fields["sector"].choices
    assert [value for value, _label in choices] == ["", str(own_sector.pk)]
    choices = client.get(URL, {"council": council.pk}).context["form"].fields["sector"].choices
    assert [value for value, _label in choices] == ["", str(sector.pk)]

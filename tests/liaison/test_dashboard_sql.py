"""The dashboard statements written in SQL (``liaison.dashboard.sql``) read what the ORM's
scope and filters read: the reach clause the councils ``Scope.rows`` reads, for every kind
of user and drill-down; the period clause the tally rows ``in_period`` reads, for whole and
partial months. The tables' figures are checked against the lists behind them in
``test_dashboard_links.py``."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from activities.models import ContactTally
from liaison.dashboard import sql
from liaison.dashboard.scope import Params, Scope
from members.models import Council, User
from tests.factories import CouncilFactory, UserFactory


@pytest.fixture
def province(city):
    """A province over the city (over both districts) and a second city with one district."""
    province = CouncilFactory(name="黑龙江省政协", level=Council.Level.PROVINCE)
    Council.objects.filter(pk=city.pk).update(parent=province)
    other_city = CouncilFactory(name="鹤岗市政协", level=Council.Level.CITY, parent=province)
    CouncilFactory(name="向阳区政协", level=Council.Level.DISTRICT, parent=other_city)
    CouncilFactory(name="另一市政协", level=Council.Level.CITY)  # outside the province
    return province


def _ids_by_sql(scope: Scope) -> set[int]:
    clause = sql.reach(connection, scope, "c.id")
    table = connection.ops.quote_name(Council._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT c.id FROM {table} c WHERE {clause.sql}", clause.params)
        return {pk for (pk,) in cursor.fetchall()}


def _ids_by_orm(scope: Scope) -> set[int]:
    return set(scope.rows(Council, "pk").values_list("pk", flat=True))


def test_the_reach_clause_reads_the_councils_scope_rows_reads(province, city, council,
                                                              other_council, leader, staff,
                                                              city_leader, member_a):
    governor = UserFactory(username="gov", role=User.Role.LEADER, council=province)
    root = UserFactory(username="root", is_superuser=True, council=None)
    homeless = UserFactory(username="nobody", role=User.Role.STAFF, council=None)
    scopes = [Scope(), Scope(council_id=city.pk), Scope(council_id=city.pk, own_only=True)]
    for user in (governor, city_leader, leader, staff, root, member_a.user, homeless):
        scopes += [Scope(user=user)]
        for council_id in (province.pk, city.pk, council.pk, other_council.pk):
            scopes += [Scope(user=user, council_id=council_id),
                       Scope(user=user, council_id=council_id, own_only=True)]
    seen = set()
    for scope in scopes:
        expected = _ids_by_orm(scope) if scope.user is None or scope.user != member_a.user else set()
        assert _ids_by_sql(scope) == expected, scope
        seen.add(len(expected))
    assert {0, 1, 3, 6, 7} <= seen  # none, a district, a city, a province, every council
    # A member reads platforms and sectors through the ORM, but no dashboard figure.
    assert _ids_by_orm(Scope(user=member_a.user)) == {council.pk}


@pytest.mark.parametrize("period", [
    (None, None), (date(2026, 3, 1), date(2026, 5, 31)), (date(2026, 3, 15), date(2026, 7, 9)),
    (date(2026, 4, 5), date(2026, 4, 20)), (date(2026, 2, 1), None), (None, date(2026, 5, 20)),
    (date(2025, 12, 3), None), (date(2026, 6, 30), date(2026, 7, 1)),
], ids=str)
def test_the_period_clause_reads_the_tally_rows_in_period_reads(council, period):
    rows = []
    for month in range(1, 9):
        for day in (1, 15, 28):
            rows.append(ContactTally(council=council, period="d", start=date(2026, month, day),
                                     dimension="channel", item_id=0, channel="forum", logs=1))
        rows.append(ContactTally(council=council, period="m", start=date(2026, month, 1),
                                 dimension="channel", item_id=0, channel="forum", logs=1))
    rows.append(ContactTally(council=council, period="m", start=date(2025, 12, 1),
                             dimension="channel", item_id=0, channel="forum", logs=1))
    ContactTally.objects.bulk_create(rows)
    date_from, date_to = period
    clause = sql.in_period(connection, Params(date_from, date_to), "t.")
    table = connection.ops.quote_name(ContactTally._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT t.id FROM {table} t WHERE {clause.sql}", clause.params)
        by_sql = {pk for (pk,) in cursor.fetchall()}
    by_orm = set(ContactTally.objects.in_period(date_from, date_to).values_list("pk", flat=True))
    assert by_sql == by_orm
    assert by_orm


def test_an_activity_counts_in_the_month_of_its_local_day(council):
    """The trend's months are truncated in the database in the portal's time zone (a
    datetime stored in UTC): half an hour after local midnight on the 1st is that month's,
    half an hour before it the month before, on SQLite as on PostgreSQL."""
    from datetime import datetime, time

    from django.utils import timezone

    from activities.models import Activity
    from tests.activities.events.event_helpers import ActivityFactory, ActivityKindFactory

    kind = ActivityKindFactory(council=council, name="座谈交流")
    zone = timezone.get_current_timezone()
    for day, moment in ((date(2025, 3, 31), time(23, 30)), (date(2025, 4, 1), time(0, 30)),
                        (date(2025, 4, 30), time(23, 59))):
        ActivityFactory(council=council, kind=kind, state=Activity.State.HELD,
                        starts_at=datetime.combine(day, moment, tzinfo=zone))
    groups = sql.activity_groups(Scope(), Params())
    assert groups["months"] == [{"month": "2025-03", "n": 1}, {"month": "2025-04", "n": 2}]
    assert groups["kinds"] == [{"name": "座谈交流", "ids": [kind.pk], "n": 3}]


def test_the_held_clause_reads_the_activities_activity_rows_reads(council, other_council, sector,
                                                                  other_sector, committee, staff):
    """The activity figures (``sql.held``) count the activities the report lists
    (``figures.activity_rows``): held, in the period (local days), in reach, with the sector
    among theirs, of the committee."""
    from datetime import datetime, time

    from django.utils import timezone

    from activities.models import Activity
    from liaison.dashboard.figures import activity_rows
    from tests.activities.events.event_helpers import ActivityFactory

    zone = timezone.get_current_timezone()
    for n, (day, state) in enumerate([(date(2026, 3, 1), "held"), (date(2026, 3, 31), "held"),
                                      (date(2026, 4, 1), "held"), (date(2026, 3, 10), "planned")]):
        for where in (council, other_council):
            activity = ActivityFactory(
                council=where, state=state, committee=committee if n % 2 else None,
                starts_at=datetime.combine(day, time(0, 10) if n else time(23, 50), tzinfo=zone))
            activity.sectors.set([sector, other_sector][: n % 3])
    table = connection.ops.quote_name(Activity._meta.db_table)
    seen = set()
    for scope in (Scope(), Scope(user=staff)):
        for params in (Params(), Params(date(2026, 3, 1), date(2026, 3, 31)),
                       Params(sector_id=sector.pk), Params(sector_id=other_sector.pk),
                       Params(committee_id=committee.pk),
                       Params(date(2026, 3, 2), None, sector_id=sector.pk, committee_id=committee.pk)):
            clause = sql.held(connection, scope, params)
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT a.id FROM {table} a WHERE {clause.sql}", clause.params)
                by_sql = {pk for (pk,) in cursor.fetchall()}
            by_orm = set(activity_rows(scope, params).values_list("pk", flat=True))
            assert by_sql == by_orm, (scope, params)
            seen.add(len(by_orm))
    assert len(seen) >= 4  # the filters tell the activities apart


def test_the_sessions_clause_reads_the_sessions_current_session_q_reads(council, other_council):
    """The proposal figures' session (``sql.sessions``) is the one the ORM's
    ``current_session_q`` chooses: the chosen one, several (a city's report), or each
    council's current session."""
    from liaison.dashboard.scope import current_session_q
    from proposals.models import ProposalTally
    from tests.proposals.factories import SessionFactory

    current = SessionFactory(council=council, is_current=True)
    earlier = SessionFactory(council=council, is_current=False)
    elsewhere = SessionFactory(council=other_council, is_current=True)
    for session in (current, earlier, elsewhere):
        ProposalTally.objects.create(council=session.council, session=session, state="filed",
                                     filed=True, latest_reply="", counted_rating="", proposals=1)
    table = connection.ops.quote_name(ProposalTally._meta.db_table)
    seen = set()
    for params in (Params(), Params(session_id=earlier.pk),
                   Params(session_ids=(earlier.pk, elsewhere.pk))):
        clause = sql.sessions(connection, params, "t.session_id")
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT t.session_id FROM {table} t WHERE {clause.sql}", clause.params)
            by_sql = {pk for (pk,) in cursor.fetchall()}
        by_orm = set(ProposalTally.objects.filter(current_session_q(params))
                     .values_list("session_id", flat=True))
        assert by_sql == by_orm, params
        seen.add(frozenset(by_orm))
    assert len(seen) == 3  # current ones, the earlier one, two chosen

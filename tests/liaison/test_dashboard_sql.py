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

"""The dashboard's drill-down (``Scope(council_id=…)``): a council's subtree as an ``IN`` over
the council table, so the database can look the rows up by council in its indexes."""

from __future__ import annotations

import pytest

from liaison.dashboard.scope import Scope
from members.models import Council, Sector
from tests.factories import SectorFactory

pytestmark = pytest.mark.django_db


def test_a_drill_down_reads_its_subtree_by_council_id(city, council, other_council, city_leader):
    mine, theirs, citys = (SectorFactory(council=c) for c in (council, other_council, city))
    scope = Scope(user=city_leader, council_id=council.pk)
    assert set(scope.rows(Sector)) == {mine}
    assert set(Scope(user=city_leader, council_id=city.pk).rows(Sector)) == {mine, theirs, citys}
    assert set(scope.own(council.pk).rows(Sector)) == {mine}
    assert set(Scope(user=city_leader, council_id=city.pk).rows(Council, "pk")) == {
        city, council, other_council}
    assert set(Scope(user=city_leader, council_id=council.pk).rows(Council, "pk")) == {council}
    # Not the OR over joins to the council table (parent, grandparent) on every row:
    sql = str(scope.rows(Sector).query)
    assert '"members_sector"."council_id" IN (SELECT' in sql
    assert 'OR "members_council"."parent_id"' not in sql

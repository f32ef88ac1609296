"""The sector-filtered staff lists read their page's ids member by member through indexes
(PostgreSQL): the ids query is captured from the page and explained again with
``enable_seqscan = off`` — a "Seq Scan" on the contact logs or reminders (or one of their
monthly partitions) would mean no index serves it (the convention of
``tests/liaison/test_dashboard_plans_pg.py``)."""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.activities.test_sector_lists import _logs, _reminders

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def explain(sql: str) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def list_queries(client, url: str, params: dict, table: str) -> tuple[str, str]:
    """The page's capped count and its ids query."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(url), params)
    assert response.status_code == 200
    sqls = [q["sql"] for q in captured.captured_queries]
    merged = [sql for sql in sqls if "CROSS JOIN LATERAL" in sql]
    assert len(merged) == 1, "the page's ids are read member by member, in one query"
    counts = [sql for sql in sqls if sql.startswith("SELECT COUNT(*)") and table in sql]
    assert len(counts) == 1
    return counts[0], merged[0]


@pytest.mark.parametrize(("url", "table", "member_index"), [
    ("activities:contactlog-list", "activities_contactlog", "member_id_contacted_at_id"),
    # (member, state, due_on): the planner of a near-empty test database may take the
    # list-order index instead; either way an index.
    ("activities:reminder-list", "activities_reminder", None),
])
@pytest.mark.parametrize("page", [1, 2])
def test_sector_page_ids_are_read_by_member_indexes(url, table, member_index, page, client_for,
                                                    staff, council, sector, other_sector):
    from tests.factories import MemberFactory

    inside = [MemberFactory(council=council, sector=sector) for _ in range(3)]
    MemberFactory(council=council, sector=other_sector)
    _logs(inside, timezone.now(), 25, 5)
    _reminders(council, inside, 25)
    count, ids = list_queries(client_for(staff), url, {"sector": sector.pk, "page": page}, table)
    assert not re.search(rf"Seq Scan on {table}\w*", explain(count))
    plan = explain(ids)
    assert not re.search(rf"Seq Scan on {table}\w*", plan), plan
    assert not re.search(r"Seq Scan on members_member\b", plan), plan
    assert re.search(rf"Index (Only )?Scan\w* (Backward )?using {table}", plan), plan
    # Each member's logs from the (member, contacted_at, id) index of each month's partition.
    assert member_index is None or re.search(rf"Index (Only )?Scan\w* (Backward )?using {table}\w*_{member_index}\w*_idx", plan), plan

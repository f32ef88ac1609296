"""The register's page reads its ids from the index of its order within a session, and the
title search can use the title's trigram index (PostgreSQL).

The queries the page runs are captured and explained with sequential scans (and sorts)
disabled: PostgreSQL then still sorts or scans only where no index gives the rows in order.
On the tiny test data it would rightly prefer to; the province database shows the plans it
picks (``bench/province/reads.py``)."""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

# A sort node (not a Merge Append's "Sort Key").
SORT = re.compile(r"\bSort  \(")


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("explains PostgreSQL plans")


def explain(sql: str, *off: str, params=None) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        # One process: what a page's query gets under load.
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        for setting in ("seqscan", *off):
            cursor.execute(f"SET LOCAL enable_{setting} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def ids_queries(client, params: dict) -> list[str]:
    """The page's id queries: the ones that read proposal ids with a LIMIT."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("proposals:register"), params)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries
            if "proposals_proposal" in q["sql"] and "LIMIT" in q["sql"]]


@pytest.mark.parametrize("params", [{}, {"page": "2"}, {"state": "filed"}])
@pytest.mark.parametrize("persona", ["staff", "city_staff"])
def test_page_ids_walk_the_order_index(request, client_for, register_world, persona, params):
    client = client_for(request.getfixturevalue(persona))
    queries = ids_queries(client, params)
    assert queries, "no id query"
    for sql in queries:
        plan = explain(sql, "sort", "bitmapscan")
        assert "proposal_register_order" in plan, f"{sql}\n\n{plan}"
        assert not SORT.search(plan), f"{sql}\n\n{plan}"


def test_city_run_merges_the_councils_sessions(client_for, register_world, city_staff):
    """十届一次 of both districts is one run: a merge of each session's index scan."""
    merged = [sql for sql in ids_queries(client_for(city_staff), {}) if "UNION ALL" in sql]
    assert merged
    for sql in merged:
        assert "Merge Append" in explain(sql, "sort", "bitmapscan"), sql

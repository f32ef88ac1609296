"""The dashboard and the staff overview read rollups, never the constituents or the contact
logs, and every query they run can be served by indexes (PostgreSQL).

Every query the page runs is captured and explained again with ``enable_seqscan = off``:
PostgreSQL then still scans a table sequentially only where no index applies, so a "Seq Scan"
on a big table in any plan means a query no index serves. On the tiny test data PostgreSQL
would rightly prefer scans; the province database shows the plans it actually picks
(``bench/README.md``)."""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

# Millions of rows at province scale: the dashboard must not read them at all.
RAW = ("members_constituent", "activities_contactlog", "activities_contactlogconstituent")
# Tens of thousands and more: read through an index only.
BIG = (*RAW, "members_member", "activities_reminder", "proposals_proposal",
       "proposals_reply", "proposals_rating", "activities_activity", "activities_contactday")


@pytest.fixture(autouse=True)
def _figures_computed(settings):
    settings.DASHBOARD_CACHE_SECONDS = 0


def explain(sql: str, params=None) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def queries_of(client, url: str, params: dict) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]


def tables_read(sql: str) -> set[str]:
    return set(re.findall(r'(?:FROM|JOIN) "(\w+)"', sql))


PAGES = [
    ("leader", "liaison:dashboard", {}),
    ("leader", "liaison:dashboard", {"from": "2025-01-01", "to": "2025-06-30"}),
    ("leader", "liaison:dashboard", {"sector": "SECTOR"}),
    ("leader", "liaison:dashboard", {"committee": "COMMITTEE", "from": "2025-04-01"}),
    ("city_leader", "liaison:dashboard", {}),
    ("city_leader", "liaison:dashboard", {"council": "COUNCIL"}),
    ("staff", "members:staff-home", {}),
    ("city_leader", "members:staff-home", {}),
]


def _params(params, sector, committee, council):
    values = {"SECTOR": sector.pk, "COMMITTEE": committee.pk, "COUNCIL": council.pk}
    return {k: values.get(v, v) for k, v in params.items()}


@pytest.mark.parametrize(("persona", "url_name", "params"), PAGES)
def test_no_query_reads_the_constituents_or_the_contact_logs(
    request, client_for, world, city, sector, committee, council, persona, url_name, params
):
    client = client_for(request.getfixturevalue(persona))
    queries = queries_of(client, reverse(url_name), _params(params, sector, committee, council))
    for sql in queries:
        assert not tables_read(sql) & set(RAW), sql


@pytest.mark.parametrize(("persona", "url_name", "params"), PAGES)
def test_every_query_can_use_an_index(
    request, client_for, world, city, sector, committee, council, persona, url_name, params
):
    client = client_for(request.getfixturevalue(persona))
    queries = queries_of(client, reverse(url_name), _params(params, sector, committee, council))
    for sql in queries:
        if tables_read(sql) & set(BIG):
            plan = explain(sql)
            # A partition (activities_contactlog_p202503, …_default) counts as its table.
            scans = [t for t in re.findall(r"Seq Scan on (\w+?)(?:_p\d{6}|_default)?\b", plan)
                     if t in BIG]
            assert not scans, f"{sql}\n\n{plan}"

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

from proposals.models import Proposal

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


@pytest.mark.parametrize("params", [{}, {"page": "2"}])
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


@pytest.mark.parametrize("word", ["改进第1", "张委员"])
def test_search_of_three_characters_reads_indexes(register_world, word):
    """Every arm of the search's OR is an index of the proposal's: the title's trigrams,
    and the proposer's columns looked up from the members, sectors and committees found."""
    rows = Proposal.objects.search(word).order_by()
    sql, params = rows.query.sql_with_params()
    plan = explain(sql, "indexscan", params=params)
    assert "proposal_title_trgm" in plan, plan
    assert "BitmapOr" in plan, plan
    assert "Seq Scan on proposals_proposal" not in plan, plan


def test_search_finds_by_title_proposer_and_number(register_world, member_a):
    from tests.proposals.factories import ProposalFactory

    mine = ProposalFactory(proposer=member_a, title="关于养老服务的提案", state="submitted")
    for word in ("养老服务", "养老", member_a.name, member_a.name[:1]):
        assert mine in Proposal.objects.search(word), word


def test_search_of_two_characters_reads_the_pair_indexes(register_world):
    """A two-character word (养老: most Chinese words) makes no trigram: the titles and the
    members' names are read from their indexes of character pairs, not scanned."""
    rows = Proposal.objects.search("养老").order_by()
    sql, params = rows.query.sql_with_params()
    plan = explain(sql, "indexscan", params=params)
    assert "proposal_title_bigrams" in plan, plan
    assert "member_name_bigrams" in plan, plan
    assert "Seq Scan on proposals_proposal" not in plan, plan
    assert "Seq Scan on members_member" not in plan, plan


@pytest.mark.parametrize("word", ["养老", "ab", "5%", "_1", "老服"])
def test_search_of_two_characters_finds_what_icontains_finds(member_a, member_b, word):
    """The pairs give exactly ``icontains``' rows: the word at a title's start, middle or
    end, in any letter case, with LIKE's wildcards taken as themselves; or in the
    proposer's name."""
    from django.db.models import Q

    from tests.proposals.factories import ProposalFactory

    titles = ["养老服务", "关于养老", "居家养老的提案", "养 老", "老养", "关于AB的提案", "xaBy",
              "占比5%的提案", "占比50的提案", "编号_1", "编号21", "养", ""]
    for title in titles:
        ProposalFactory(proposer=member_b, title=title or "空", state="submitted")
    member_a.name = f"{word}委员"
    member_a.save(update_fields=["name"])
    ProposalFactory(proposer=member_a, title="无关的题目", state="submitted")
    expected = Proposal.objects.filter(
        Q(title__icontains=word) | Q(proposer__name__icontains=word)
        | Q(proposer_sector__name__icontains=word) | Q(proposer_committee__name__icontains=word)
    )
    found = set(Proposal.objects.search(word))
    assert found == set(expected)
    assert any(p.proposer_id == member_a.pk for p in found)

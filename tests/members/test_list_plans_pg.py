"""The staff lists, their searches and the pickers' lookups can be served by indexes
(PostgreSQL).

Every query a list page runs is captured and explained again with ``enable_seqscan = off``:
PostgreSQL then still scans a table sequentially only where no index applies, so a "Seq Scan"
on a big table in any plan means a query no index serves. On the tiny test data PostgreSQL
would rightly prefer scans; the province database shows the plans it actually picks
(``bench/README.md``)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import MustVisitRule, Reminder
from tests.factories import (
    ConstituentFactory,
    ContactLogFactory,
    MemberFactory,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

BIG_TABLES = (
    "members_constituent",
    "members_member",
    "activities_contactlog",
    "activities_contactlogconstituent",
    "activities_reminder",
)


@pytest.fixture
def world(council, other_council, sector, member_a, member_b):
    MemberFactory(council=other_council, name="外区委员")
    people = [
        ConstituentFactory(member=member_a, name="张伟明", phone="13812345678", unit="人民医院"),
        ConstituentFactory(member=member_b, name="李红", phone="13987654321", community="兴安社区"),
    ]
    ContactLogFactory(member=member_a, constituents=people[:1])
    ContactLogFactory(member=member_b, constituents=people[1:])
    return people


def explain(sql: str, *off: str, params=None) -> str:
    """The plan of ``sql`` with sequential scans (and the ``off`` plan types) disabled."""
    with transaction.atomic(), connection.cursor() as cursor:
        for setting in ("seqscan", *off):
            cursor.execute(f"SET LOCAL enable_{setting} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def explain_rows(rows, *off: str) -> str:
    sql, params = rows.query.sql_with_params()
    return explain(sql, *off, params=params)


def plans_of(client, url: str, params: dict, *off: str) -> list[tuple[str, str]]:
    """(query, plan) of every SELECT on a big table the page ran."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return [
        (q["sql"], explain(q["sql"], *off))
        for q in captured.captured_queries
        if q["sql"].startswith("SELECT") and any(t in q["sql"] for t in BIG_TABLES)
    ]


def seq_scans(plan: str) -> list[str]:
    """The tables read sequentially; a partition (activities_contactlog_p202503,
    …_default: the history is partitioned by month) counts as its table."""
    return re.findall(r"Seq Scan on (\w+?)(?:_p\d{6}|_default)?\b", plan)


def index_and_partitions(index: str) -> set[str]:
    """``index`` and, on a partitioned table, the index of each partition it is made of."""
    with connection.cursor() as cursor:
        cursor.execute("""SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                          WHERE i.inhparent = to_regclass(%s)""", [index])
        return {index, *(row[0] for row in cursor.fetchall())}


LISTS = [
    ("members:member-list", {}),
    ("members:member-list", {"page": "2"}),
    ("members:member-list", {"problem": "any", "status": "active"}),
    ("members:member-list", {"q": "张委员"}),
    ("members:member-list", {"q": "1390"}),
    ("members:constituent-list", {}),
    ("members:constituent-list", {"page": "200"}),
    ("members:constituent-list", {"active": "true"}),
    ("members:constituent-list", {"q": "张伟"}),
    ("members:constituent-list", {"q": "张伟明"}),
    ("members:constituent-list", {"q": "5678"}),
    ("members:constituent-list", {"q": "人民医院"}),
    ("members:constituent-list", {"community": "兴安"}),
    ("activities:contactlog-list", {}),
    ("activities:contactlog-list", {"page": "200"}),
    ("activities:contactlog-list", {"channel": "forum"}),
    ("activities:reminder-list", {}),
    ("activities:reminder-list", {"state": "due"}),
]


@pytest.mark.parametrize(("url_name", "params"), LISTS)
@pytest.mark.parametrize("persona", ["staff", "city_staff"])
def test_list_queries_use_indexes(request, client_for, world, url_name, params, persona):
    client = client_for(request.getfixturevalue(persona))
    plans = plans_of(client, reverse(url_name), params)
    assert plans, "the page read none of the big tables"
    for sql, plan in plans:
        big = [t for t in seq_scans(plan) if t in BIG_TABLES]
        assert not big, f"{sql}\n\n{plan}"


@pytest.mark.parametrize(("url_name", "params"), [
    ("members:constituent-list", {"sector": "SECTOR"}),
    ("activities:contactlog-list", {"sector": "SECTOR"}),
    ("activities:contactlog-list", {"member": "MEMBER"}),
    ("members:constituent-list", {"member": "MEMBER"}),
])
def test_filtered_lists_use_indexes(client_for, staff, world, sector, member_a, url_name, params):
    values = {"SECTOR": sector.pk, "MEMBER": member_a.pk}
    params = {k: values[v] for k, v in params.items()}
    for sql, plan in plans_of(client_for(staff), reverse(url_name), params):
        big = [t for t in seq_scans(plan) if t in BIG_TABLES]
        assert not big, f"{sql}\n\n{plan}"


@pytest.mark.parametrize(("url_name", "index"), [
    ("activities:contactlog-list", "contactlog_list_order"),
    ("activities:reminder-list", "reminder_list_order"),
])
def test_multi_council_lists_read_their_order_index(client_for, city_staff, world, url_name,
                                                    index):
    """Across councils the newest logs (the first reminders due) can come from an index in
    the list's order instead of sorting every row of the reach (sorts are off here: the
    order must come from an index)."""
    person = world[0]
    Reminder.objects.create(
        council=person.council, rule=MustVisitRule.objects.filter(
            council=person.council).first(),
        member=person.member, constituent=person, period_key="p", trigger_on=date(2025, 1, 1),
        due_on=date(2025, 2, 1),
    )
    plans = plans_of(client_for(city_staff), reverse(url_name), {}, "sort")
    names = index_and_partitions(index)
    assert any(re.search(rf"using ({'|'.join(names)})\b", plan) for _sql, plan in plans), "\n\n".join(
        f"{sql}\n{plan}" for sql, plan in plans
    )


@pytest.mark.parametrize(("model", "q", "index"), [
    ("constituent", "张伟明", "constituent_name_trgm"),
    ("constituent", "张伟", "constituent_name_trgm"),
    ("constituent", "5678", "constituent_phone_tail_idx"),  # sealed: the last four's hash
    ("constituent", "13812345678", "Index Cond: ((phone_hash)"),  # its index or the roster's
    ("member", "张委", "member_name_trgm"),
    ("member", "0001", "member_phone_trgm"),
])
def test_lookups_match_the_trigram_indexes(staff, world, model, q, index):
    """The pickers' (and the lists' search) conditions — a name's start for two characters,
    anywhere from three, phone digits — are the expressions of the trigram indexes. Scans in
    index order are off too: the only way left is the trigram index."""
    from members.models import Constituent, Member

    rows = Constituent.objects.lookup(q, staff) if model == "constituent" else Member.objects.lookup(q)
    assert index in explain_rows(rows, "indexscan")


@pytest.mark.parametrize("q", ["人民医院", "张伟"])
def test_the_constituent_list_search_matches_the_trigram_indexes(rf, staff, world, q):
    from members.filters import ConstituentFilter
    from members.models import Constituent

    request = rf.get("/", {"q": q})
    request.user = staff
    rows = ConstituentFilter(request.GET, queryset=Constituent.objects.all(), request=request).qs
    plan = explain_rows(rows.order_by(), "indexscan")
    assert "constituent_name_trgm" in plan
    assert not seq_scans(plan), plan


@pytest.mark.parametrize(("q", "index"), [
    ("5678", "constituent_phone_tail_idx"),
    ("138-1234-5678", "Index Cond: ((phone_hash)"),
])
def test_a_phone_search_reads_the_phone_index_alone(rf, staff, world, q, index):
    """A phone-shaped word searches the phone alone. OR-ed with a trigram match of the same
    digits, PostgreSQL walked a province's whole roster backwards in page order (4 s) instead
    of reading the handful of rows the phone's hash index finds."""
    from members.filters import ConstituentFilter
    from members.models import Constituent

    request = rf.get("/", {"q": q})
    request.user = staff
    rows = ConstituentFilter(request.GET, queryset=Constituent.objects.all(), request=request).qs
    plan = explain_rows(rows.order_by("-pk")[:50], "indexscan")
    assert index in plan
    assert "trgm" not in plan, plan
    assert [person.name for person in rows] == ["张伟明"]


def test_chinese_makes_trigrams_on_this_database():
    """The locale decides whether CJK characters are word characters for pg_trgm: on
    ``C.UTF-8`` they are, and a three-character name makes whole trigrams."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT cardinality(show_trgm('张伟明')), cardinality(show_trgm('张伟'))")
        three, two = cursor.fetchone()
    assert three == 4  # "  张", " 张伟", "张伟明", "伟明 "
    assert two == 3

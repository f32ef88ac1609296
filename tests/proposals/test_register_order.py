"""The register's pages read by session (``proposals.register``) list the rows, page after
page, in the order the list always had: the session's term and number descending (the
sessions of several councils sharing them interleaved by number), the number, the id."""

from __future__ import annotations

import pytest
from django.db.models import Q
from django.test import RequestFactory
from django.urls import reverse

from proposals import register
from proposals.models import Proposal, State

pytestmark = pytest.mark.django_db


def listed(user, **filters):
    return list(
        Proposal.objects.visible_to(user).exclude(state=State.DRAFT).filter(**filters)
        .order_by("session", "number", "id").values_list("pk", flat=True)
    )


def pages(user, rows, *, narrowed: bool, per_page: int):
    per_session = register.session_figures(user, rows, narrowed=narrowed)
    runs = register.runs(per_session)
    walked, number = [], 1
    while True:
        request = RequestFactory().get("/", {"page": number})
        page = register.page(rows, runs, request, per_page=per_page)
        walked += [row.pk for row in page.object_list]
        if not page.has_next():
            return walked, register.totals(per_session)
        number += 1


@pytest.mark.parametrize("per_page", [1, 4, 7, 50])
def test_pages_walk_the_register_order(register_world, city_staff, per_page):
    rows = Proposal.objects.visible_to(city_staff).exclude(state=State.DRAFT)
    walked, figures = pages(city_staff, rows, narrowed=False, per_page=per_page)
    assert walked == listed(city_staff)
    assert figures == {"collected": len(walked), "filed": rows.filter(number__isnull=False).count(),
                       "closed": rows.filter(state=State.CLOSED).count()}
    # A run of two councils' sessions interleaves them by number.
    ten_two = [pk for pk in walked if Proposal.objects.get(pk=pk).session.number == 2]
    councils = [Proposal.objects.get(pk=pk).council_id for pk in ten_two]
    assert len(set(councils[:2])) == 2


@pytest.mark.parametrize("per_page", [3, 50])
def test_narrowed_pages_walk_the_same_order(register_world, city_staff, per_page):
    rows = (Proposal.objects.visible_to(city_staff).exclude(state=State.DRAFT)
            .filter(state__in=[State.CLOSED, State.SUBMITTED]))
    walked, figures = pages(city_staff, rows, narrowed=True, per_page=per_page)
    assert walked == listed(city_staff, state__in=[State.CLOSED, State.SUBMITTED])
    assert figures["collected"] == len(walked)


def test_one_councils_staff(register_world, council, staff):
    rows = Proposal.objects.visible_to(staff).exclude(state=State.DRAFT)
    walked, _figures = pages(staff, rows, narrowed=False, per_page=5)
    assert walked == listed(staff)
    assert {Proposal.objects.get(pk=pk).council_id for pk in walked} == {council.pk}


def test_register_page_lists_in_order(register_world, city_staff, client_for,
                                      django_assert_max_num_queries):
    expected = listed(city_staff)
    client = client_for(city_staff)
    # As test_pages_queries' budget, plus one page-ids query per further run of sessions
    # the page spans: four runs here (十届三次, 十届二次 ×2, 十届一次 ×2, 九届四次).
    with django_assert_max_num_queries(16 + 3):
        page = client.get(reverse("proposals:register")).context["page"]
    assert [row.pk for row in page.object_list] == expected[:50]
    last = client.get(reverse("proposals:register"), {"page": 99}).context["page"]
    assert [row.pk for row in last.object_list] == expected[50:]
    searched = client.get(reverse("proposals:register"), {"state": State.CLOSED}).context["page"]
    assert [row.pk for row in searched.object_list] == listed(city_staff, state=State.CLOSED)


@pytest.mark.parametrize("word", ["改进第1", "第1", "2", "委员"])
def test_searched_register_lists_the_same_rows_in_order(register_world, city_staff, client_for,
                                                       word):
    """Three characters or more look the proposers up first (PostgreSQL's indexes), shorter
    words join them: the same rows as the joins always found, in the register's order."""
    found = (Q(title__icontains=word) | Q(proposer__name__icontains=word)
             | Q(proposer_sector__name__icontains=word)
             | Q(proposer_committee__name__icontains=word))
    digits = "".join(ch for ch in word if ch.isdigit())
    if digits:
        found |= Q(number=int(digits))
    expected = list(
        Proposal.objects.visible_to(city_staff).exclude(state=State.DRAFT).filter(found)
        .order_by("session", "number", "id").values_list("pk", flat=True)
    )
    assert expected
    response = client_for(city_staff).get(reverse("proposals:register"), {"q": word})
    assert [row.pk for row in response.context["page"].object_list] == expected[:50]
    assert response.context["figures"]["collected"] == len(expected)


def test_a_runs_branches_are_djangos_union(register_world, city_staff):
    """A run's ids are read with one branch compiled and repeated per session: the same SQL
    and parameters as Django's ``union`` of each session's branch, on either database."""
    from django.db import connection

    rows = Proposal.objects.visible_to(city_staff).exclude(state=State.DRAFT)
    runs = register.runs(register.session_figures(city_staff, rows, narrowed=False))
    run = next(run for run in runs if len(run.sessions) > 1)
    ids = register.RegisterIds(rows, runs)
    ordered = connection.features.supports_slicing_ordering_in_compound
    parts = []
    for pk in run.sessions:
        part = ids.rows.filter(session_id=pk).values_list("id", "number")
        parts.append(part.order_by("number", "id")[:3] if ordered else part)
    sql, params = parts[0].union(*parts[1:], all=True).query.sql_with_params()
    executed = []

    def record(execute, sql, params, many, context):
        executed.append((sql, list(params)))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        got = ids._merged_ids(run, 1, 3)
    assert executed == [
        (f"SELECT * FROM ({sql}) AS run ORDER BY 2, 1 LIMIT %s OFFSET %s", [*params, 2, 1])
    ]
    assert len(got) == 2


@pytest.mark.parametrize("cap", [0, 5, 2_500])  # paged by runs, by runs, read once
@pytest.mark.parametrize("per_page", [3, 50])
def test_narrowed_listing_read_once_or_paged_by_runs(register_world, city_staff, monkeypatch,
                                                      cap, per_page):
    """A narrowed list of no more than ``MATCHES_CAP`` rows is read once, its figures counted
    and its pages sorted from that read; a wider one is counted and paged by the database.
    Either way the same rows in the register's order, the same figures."""
    monkeypatch.setattr(register, "MATCHES_CAP", cap)
    narrowed = [State.CLOSED, State.SUBMITTED, State.FILED]
    rows = Proposal.objects.visible_to(city_staff).exclude(state=State.DRAFT).filter(
        state__in=narrowed
    )
    expected = listed(city_staff, state__in=narrowed)
    assert 5 < len(expected) <= 2_500
    assert (register.matches(rows) is None) == (cap < len(expected))
    walked, number = [], 1
    while True:
        request = RequestFactory().get("/", {"page": number})
        per_session, page = register.listing(city_staff, rows, rows, request, narrowed=True)
        walked += [row.pk for row in page.object_list]
        if not page.has_next():
            break
        number += 1
    assert walked == expected
    assert register.totals(per_session) == {
        "collected": len(expected),
        "filed": rows.filter(number__isnull=False).count(),
        "closed": rows.filter(state=State.CLOSED).count(),
    }
    assert sorted(per_session, key=lambda row: row["session_id"]) == sorted(
        register.session_figures(city_staff, rows, narrowed=True), key=lambda row: row["session_id"]
    )

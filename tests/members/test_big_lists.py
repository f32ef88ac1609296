"""How the big staff lists read a page: the ids first (the list's index alone, however deep
the page), then the page's rows whole; and a city's reach as one ``IN (councils)`` test."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Constituent, Council, User
from tests.factories import ConstituentFactory, ContactLogFactory, CouncilFactory, UserFactory

pytestmark = pytest.mark.django_db


def page_queries(client, url, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return response, [q["sql"] for q in captured]


@pytest.mark.parametrize(("url_name", "table"), [
    ("members:constituent-list", "members_constituent"),
    ("activities:contactlog-list", "activities_contactlog"),
])
def test_deep_pages_skip_ids_not_rows(client_for, staff, member_a, url_name, table):
    """The OFFSET query selects the ids only (no join to the member, sector or platform for
    the 50 × (page − 1) rows skipped); the page's rows are then read by their ids, in the
    list's order."""
    people = ConstituentFactory.create_batch(52, member=member_a)
    ContactLogFactory.create_batch(52, member=member_a, constituents=people[:1])
    client = client_for(staff)
    response, queries = page_queries(client, reverse(url_name), page=2)
    skipping = [q for q in queries if "OFFSET" in q and f'FROM "{table}"' in q]
    assert len(skipping) == 1
    # The ids only — and the contact logs' time, their partition key on PostgreSQL (the
    # page's rows are then read within its span: members.pagination.page_of).
    selected = skipping[0].split(" FROM ")[0]
    extra = ', "activities_contactlog"."contacted_at" AS "contacted_at"' if table == "activities_contactlog" else ""
    assert selected == f'SELECT "{table}"."id" AS "pk"{extra}'
    assert "members_member" not in skipping[0]
    assert len(response.context["page"]) == 2
    everyone = [row.pk for n in (1, 2)
                for row in client.get(reverse(url_name), {"page": n}).context["page"]]
    assert len(set(everyone)) == 52  # no row twice, none lost between the pages
    if table == "members_constituent":
        names = [c.name for c in response.context["page"]]
        assert names == sorted(names)


def test_a_citys_reach_is_one_in_councils_test(council, other_council):
    """Not an OR over two joins to the council table evaluated on every row."""
    city = CouncilFactory(name="七台河市政协", level=Council.Level.CITY)
    Council.objects.filter(pk__in=[council.pk, other_council.pk]).update(parent=city)
    user = UserFactory(username="city", role=User.Role.STAFF, council=city)
    outside = CouncilFactory(name="外市政协", level=Council.Level.DISTRICT)
    mine = ConstituentFactory(council=council, member__council=council)
    theirs = ConstituentFactory(council=other_council, member__council=other_council)
    ConstituentFactory(council=outside, member__council=outside)
    rows = Constituent.objects.in_reach_of(user)
    sql = str(rows.query)
    assert '"council_id" IN (SELECT' in sql
    assert "T3" not in sql
    assert set(rows) == {mine, theirs}


def test_the_register_pages_ids_first(rf, staff, member_a, handling_unit, unit_user):
    """The register's rows carry the latest reply's category (a subquery) and six joins: the
    OFFSET query skips ids only, and the page's rows come back whole, in the register's
    order."""
    from members.pagination import page_of
    from proposals.models import Proposal
    from proposals.models import State as ProposalState
    from tests.proposals.factories import proposal_in

    made = [proposal_in(ProposalState.REPLIED, proposer=member_a, staff=staff, unit=handling_unit)
            for _ in range(3)]
    rows = (Proposal.objects.visible_to(staff).with_register_columns()
            .order_by("session", "number", "id"))
    request = rf.get("/", {"page": 2})
    with CaptureQueriesContext(connection) as captured:
        page = page_of(rows, request, 2, ids_first=True)
        shown = [(p.pk, p.reply_category) for p in page]
    skipping = [q["sql"] for q in captured if "OFFSET" in q["sql"]]
    assert len(skipping) == 1
    assert skipping[0].startswith('SELECT "proposals_proposal"."id" AS "pk" FROM')
    assert "proposals_reply" not in skipping[0]
    assert shown == [(p.pk, p.reply_category) for p in rows][2:]
    assert len(made) == 3


def test_the_capped_count_does_not_sort(client_for, staff, member_a, monkeypatch):
    """Any cap + 1 rows count the same: the count takes the first ones found on whichever
    index fits the filter instead of sorting every match."""
    from members.pagination import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 2)
    ContactLogFactory.create_batch(3, member=member_a)
    response, queries = page_queries(client_for(staff), reverse("activities:contactlog-list"))
    count = next(q for q in queries if q.startswith("SELECT COUNT(*)"))
    assert "ORDER BY" not in count
    assert "LIMIT 3" in count
    assert response.context["page"].paginator.capped

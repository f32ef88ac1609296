"""Query budgets of every proposal list and detail page, at two data sizes: the count of
queries must not grow with the rows (an N+1 would)."""

import pytest
from django.urls import reverse

from proposals import services
from proposals.models import State
from tests.factories import MemberFactory
from tests.proposals.factories import proposal_in

pytestmark = pytest.mark.django_db

SIZES = [2, 12]


@pytest.fixture
def build(member_a, staff, handling_unit, unit_user, session, category, council):
    """``n`` proposals of member_a, each with a co-signer, assigned to unit_user's unit, and
    half of them replied and rated (so the register has units, replies and ratings)."""

    def make(n):
        made = []
        for i in range(n):
            cosigner = MemberFactory(council=council)
            state = State.REPLIED if i % 2 else State.ASSIGNED
            proposal = proposal_in(
                state, proposer=member_a, staff=staff, unit=handling_unit, cosigners=[cosigner],
                session=session, category=category, title=f"提案{i}",
            )
            if state == State.REPLIED:
                services.proposal_rate(proposal=proposal, by=member_a.user, value="satisfied")
            made.append(proposal)
        return made

    return make


@pytest.mark.parametrize("n", SIZES)
def test_member_lists(n, build, member_a, client_for, django_assert_max_num_queries):
    build(n)
    client = client_for(member_a)
    # session, user (with the member), page count, page rows
    with django_assert_max_num_queries(4):
        assert client.get(reverse("proposals:my-list")).status_code == 200
    # session, user (with the member), council, sessions (select), count, rows
    with django_assert_max_num_queries(6):
        assert client.get(reverse("proposals:filed-list")).status_code == 200


@pytest.mark.parametrize("n", SIZES)
def test_staff_pages(n, build, staff, client_for, django_assert_max_num_queries):
    build(n)
    client = client_for(staff)
    # session, user, council, six queue counts, page count, page rows
    with django_assert_max_num_queries(11):
        assert client.get(reverse("proposals:staff-queues"), {"queue": "rating"}).status_code == 200
    # session, user, council, figures per session (one aggregate), page ids (one query per
    # run of sessions the page falls in: one here), rows, co-signers, assignments, ratings
    # (prefetches), filter choices (session, category, unit, sector, committee)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("proposals:register")).status_code == 200
    # Narrowed (a filter, a search) to few rows: one read of them gives the figures and the
    # page's ids, so one query less than above.
    for narrowed in ({"state": State.ASSIGNED}, {"q": "提案"}):
        with django_assert_max_num_queries(15):
            assert client.get(reverse("proposals:register"), narrowed).status_code == 200
    # session, user, council, rows, co-signers, assignments, ratings (per chunk of 500)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("proposals:register-export")).status_code == 200


@pytest.mark.parametrize("n", SIZES)
def test_unit_list(n, build, unit_user, client_for, django_assert_max_num_queries):
    build(n)
    client = client_for(unit_user)
    # session, user, page count, page rows, my assignments (prefetch)
    with django_assert_max_num_queries(5):
        assert client.get(reverse("proposals:unit-list")).status_code == 200


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("persona", ["staff", "member_a", "unit_user"])
def test_detail(request, n, persona, member_a, staff, handling_unit, unit_user, session, category, council, client_for, django_assert_max_num_queries):
    cosigners = [MemberFactory(council=council) for _ in range(n)]
    proposal = proposal_in(
        State.REPLIED, proposer=member_a, staff=staff, unit=handling_unit, cosigners=cosigners,
        session=session, category=category,
    )
    for member in cosigners:
        services.proposal_rate(proposal=proposal, by=member.user, value="basically")
    client = client_for(request.getfixturevalue(persona))
    # session, user (+member), the proposal, the viewer's relation (a member's: one),
    # co-signers, attachments, assignments, replies, ratings, events
    with django_assert_max_num_queries(10):
        assert client.get(proposal.get_absolute_url()).status_code == 200
    # the same, but the events
    with django_assert_max_num_queries(9):
        assert client.get(reverse("proposals:proposal-print", args=[proposal.pk])).status_code == 200

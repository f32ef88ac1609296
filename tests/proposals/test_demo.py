"""The demo's proposal figures come from the data, through the services."""

import random
from datetime import date

import pytest

from liaison.demo import SEED
from liaison.demo import members as members_part
from liaison.demo import proposals as proposals_part
from members.models import User
from proposals.models import Proposal, ProposalEvent, Rating, Reply, Session, State

TODAY = date(2026, 5, 20)


def build():
    council = members_part.ensure_council()
    for part in (members_part, proposals_part):
        part.build(council, random.Random(SEED), TODAY)
    return council


@pytest.mark.django_db
def test_demo_proposals(settings):
    council = build()
    seed = Session.objects.get(council=council, name="十届四次")
    of_session = Proposal.objects.of_session(seed)
    assert of_session.count() == 85
    assert of_session.filed().count() == 83
    assert of_session.filter(state=State.NOT_FILED).exclude(not_filed_reason="").count() == 2
    assert of_session.filter(state=State.CLOSED).count() == 83
    assert sorted(of_session.filed().values_list("number", flat=True)) == list(range(1, 84))
    assert set(Reply.objects.filter(proposal__session=seed).values_list("category", flat=True)) == {
        "A", "B", "C", "D"
    }
    assert Rating.objects.filter(proposal__session=seed, value="unsatisfied").exists()

    staff = User.objects.get(username="staff")
    qs = Proposal.objects.visible_to(staff)
    for queue in (qs.to_review(), qs.to_assign(), qs.due_soon(TODAY), qs.overdue(TODAY),
                  qs.awaiting_rating(), qs.unsatisfied()):
        assert queue.exists(), queue.query
    unit = User.objects.get(username="unit")
    assert Proposal.objects.visible_to(unit).overdue(TODAY).exists()
    member = User.objects.get(username="member")
    assert Proposal.objects.visible_to(member).filter(state=State.DRAFT).exists()
    assert Proposal.objects.of_member(member.member).filter(state=State.REPLIED).exists()


@pytest.mark.django_db
def test_the_demo_s_current_session_is_the_latest_opened():
    """十届五次 (January 2026) holds the live proposals and is current; 十届四次 (January 2025)
    is not: a proposal written now is offered 十届五次 (it used to be filed as 十届四次)."""
    from proposals.forms import ProposalForm

    council = build()
    current = Session.objects.get(council=council, is_current=True)
    latest = Session.objects.filter(council=council, opened_on__lte=TODAY).latest("opened_on")
    assert current == latest
    assert current.name == "十届五次"
    current.full_clean()  # the rule the admin checks holds
    member = User.objects.get(username="member")
    assert ProposalForm(user=member).initial["session"] == current.pk
    live = Proposal.objects.filter(session=current).exclude(state__in=[State.DRAFT, State.CLOSED])
    assert live.exists()
    assert not Proposal.objects.filter(session__name="十届四次").exclude(
        state__in=[State.CLOSED, State.NOT_FILED]).exists()


@pytest.mark.django_db
def test_demo_is_idempotent():
    build()
    counts = (Proposal.objects.count(), ProposalEvent.objects.count(), Rating.objects.count())
    build()
    assert (Proposal.objects.count(), ProposalEvent.objects.count(), Rating.objects.count()) == counts

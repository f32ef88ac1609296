"""Review fixes in the services: a member speaks only for their own sector, party group or
committee; a lead proposal that is not filed takes its merged proposals with it (none is
left merged forever); merging a lead moves its own merged proposals along."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from members.models import Notification
from proposals import services
from proposals.models import Proposal, ProposalEvent, ProposerKind, State
from tests.factories import CommitteeFactory, MemberFactory, SectorFactory
from tests.proposals.factories import proposal_in

pytestmark = pytest.mark.django_db


def _collective(by, session, category, **proposer):
    return services.proposal_create(
        session=session, by=by, title="关于支持民营企业发展的提案", reasons="融资难。",
        suggestions="设立担保基金。", category=category, **proposer,
    )


# --- collective proposals: only for one's own body ------------------------------------------


@pytest.mark.parametrize("kind", [ProposerKind.SECTOR, ProposerKind.PARTY])
def test_member_submits_for_own_sector_or_party(kind, member_a, sector, session, category):
    p = _collective(member_a.user, session, category, proposer_kind=kind, proposer_sector=sector)
    assert (p.proposer_kind, p.proposer_sector, p.submitted_by) == (kind, sector, member_a.user)


def test_member_submits_for_own_committee(member_a, committee, session, category):
    p = _collective(
        member_a.user, session, category, proposer_kind=ProposerKind.COMMITTEE,
        proposer_committee=committee,
    )
    assert p.proposer_committee == committee


@pytest.mark.parametrize("kind", [ProposerKind.SECTOR, ProposerKind.PARTY])
def test_member_cannot_submit_for_another_sector(kind, member_a, other_sector, session, category):
    with pytest.raises(services.ProposalStateError) as error:
        _collective(member_a.user, session, category, proposer_kind=kind, proposer_sector=other_sector)
    assert error.value.messages == [
        gettext("You can only enter a collective proposal for your own sector or party group.")
    ]
    assert not Proposal.objects.exists()
    assert not ProposalEvent.objects.exists()


def test_member_cannot_submit_for_another_committee(member_a, council, session, category):
    culture = CommitteeFactory(council=council, name="文史委")
    with pytest.raises(services.ProposalStateError) as error:
        _collective(
            member_a.user, session, category, proposer_kind=ProposerKind.COMMITTEE,
            proposer_committee=culture,
        )
    assert error.value.messages == [
        gettext("You can only enter a committee proposal for the special committee you serve on.")
    ]
    assert not Proposal.objects.exists()


def test_member_without_committee_cannot_submit_for_one(council, sector, committee, session, category):
    loner = MemberFactory(council=council, sector=sector, committee=None, name="孙委员")
    with pytest.raises(services.ProposalStateError):
        _collective(
            loner.user, session, category, proposer_kind=ProposerKind.COMMITTEE,
            proposer_committee=committee,
        )
    assert not Proposal.objects.exists()


def test_staff_submit_for_any_body_of_their_council(staff, council, session, category):
    party = SectorFactory(council=council, name="民盟", kind="party")
    culture = CommitteeFactory(council=council, name="文史委")
    a = _collective(staff, session, category, proposer_kind=ProposerKind.PARTY, proposer_sector=party)
    b = _collective(
        staff, session, category, proposer_kind=ProposerKind.COMMITTEE, proposer_committee=culture,
    )
    assert (a.proposer_sector, b.proposer_committee) == (party, culture)


def test_staff_cannot_use_another_councils_body(other_staff, other_council, sector, session, category):
    other_session = type(session).objects.create(
        council=other_council, term=10, number=4, name="十届四次", is_current=True,
        opened_on=session.opened_on,
    )
    with pytest.raises(services.ProposalStateError):
        services.proposal_create(
            session=other_session, by=other_staff, title="越权", proposer_kind=ProposerKind.SECTOR,
            proposer_sector=sector,
        )
    with pytest.raises(PermissionDenied):  # nor another council's session
        _collective(other_staff, session, category, proposer_kind=ProposerKind.SECTOR, proposer_sector=sector)
    assert not Proposal.objects.exists()


def test_staff_cannot_enter_for_a_member_who_left(staff, council, sector, session, category):
    gone = MemberFactory(council=council, sector=sector, name="周委员", status="inactive")
    with pytest.raises(services.ProposalStateError):
        services.proposal_create(session=session, by=staff, title="提案", proposer=gone)
    assert not Proposal.objects.exists()


# --- 并案: the lead is not filed ----------------------------------------------------------


@pytest.fixture
def merged_pair(staff, member_a, member_b, session, category):
    """``other`` (member_b's, never filed) merged into ``lead`` (member_a's, under review)."""
    lead = proposal_in(State.UNDER_REVIEW, proposer=member_a, staff=staff, session=session, category=category)
    other = proposal_in(
        State.UNDER_REVIEW, proposer=member_b, staff=staff, session=session, category=category,
        title="关于治理校园周边交通的提案",
    )
    other = services.proposal_merge(proposal=other, by=staff, into=lead)
    lead.refresh_from_db()
    return lead, other


def test_lead_not_filed_takes_its_merged_proposals_along(merged_pair, staff, member_b):
    lead, other = merged_pair
    services.proposal_reject(proposal=lead, by=staff, reason="属于个人诉求", to_opinion=True)
    other.refresh_from_db()
    assert other.state == State.NOT_FILED
    assert other.number is None
    assert other.merged_into == lead  # the link stays: the reason points to it
    assert lead.title in other.not_filed_reason
    assert "属于个人诉求" in other.not_filed_reason
    assert other.to_opinion is False  # the lead carries the opinion; counted once
    event = ProposalEvent.objects.filter(proposal=other).latest("id")
    assert (event.action, event.from_state, event.to_state, event.actor) == (
        "reject", State.MERGED, State.NOT_FILED, staff,
    )
    assert lead.title in event.note
    assert Notification.objects.filter(user=member_b.user, kind="proposal_not_filed").exists()
    # Nothing is left merged into a lead that is over.
    assert not Proposal.objects.filter(state=State.MERGED).exists()


def test_merged_proposal_filed_before_keeps_its_number(staff, member_a, member_b, session, category):
    """A proposal already filed (numbered) and merged into a lead still under review is not
    un-filed when the lead is not filed: it goes back to 待交办 with its number."""
    filed = proposal_in(State.FILED, proposer=member_b, staff=staff, session=session, category=category)
    lead = proposal_in(
        State.UNDER_REVIEW, proposer=member_a, staff=staff, session=session, category=category,
        title="关于改善农村饮水的提案",
    )
    services.proposal_merge(proposal=filed, by=staff, into=lead)
    lead.refresh_from_db()
    services.proposal_reject(proposal=lead, by=staff, reason="已有部门专项办理")
    filed.refresh_from_db()
    assert (filed.state, filed.number, filed.merged_into) == (State.FILED, 1, None)
    assert filed.not_filed_reason == ""
    assert Proposal.objects.to_assign().get() == filed
    event = ProposalEvent.objects.filter(proposal=filed).latest("id")
    assert (event.action, event.from_state, event.to_state) == ("unmerge", State.MERGED, State.FILED)
    assert lead.title in event.note


def test_lead_returned_keeps_its_merged_proposals(merged_pair, staff):
    """Returned for revision is not an end: the merged proposal waits for the lead."""
    lead, other = merged_pair
    services.proposal_return(proposal=lead, by=staff, reason="请补充数据")
    other.refresh_from_db()
    assert (other.state, other.merged_into) == (State.MERGED, lead)


def test_lead_that_closes_still_closes_its_merged(merged_pair, staff, member_a, handling_unit, unit_user):
    lead, other = merged_pair
    lead = services.proposal_file(proposal=lead, by=staff)
    lead = proposal_in_assigned_and_replied(lead, staff, handling_unit, unit_user)
    services.proposal_rate(proposal=lead, by=member_a.user, value="satisfied")
    other.refresh_from_db()
    assert other.state == State.CLOSED
    event = ProposalEvent.objects.filter(proposal=other).latest("id")
    assert (event.action, event.from_state, event.to_state) == ("close", State.MERGED, State.CLOSED)


def proposal_in_assigned_and_replied(lead, staff, unit, unit_user):
    from datetime import timedelta

    from django.utils import timezone

    lead = services.proposal_assign(
        proposal=lead, by=staff, lead_unit=unit, deadline=timezone.localdate() + timedelta(days=5)
    )
    return services.proposal_reply(proposal=lead, by=unit_user, category="A", text="已解决")


def test_merging_a_lead_moves_its_merged_proposals(merged_pair, staff, council, session, category,
                                                    member_a, handling_unit, unit_user):
    """A ← other, then A merged into B: other follows to B, so that B's end reaches it."""
    lead, other = merged_pair
    third = MemberFactory(council=council, name="吴委员")
    top = proposal_in(State.FILED, proposer=third, staff=staff, session=session, category=category,
                      title="关于统筹城乡交通的提案")
    services.proposal_merge(proposal=lead, by=staff, into=top)
    other.refresh_from_db()
    assert (other.state, other.merged_into) == (State.MERGED, top)
    event = ProposalEvent.objects.filter(proposal=other).latest("id")
    assert (event.action, event.from_state, event.to_state) == ("merge", State.MERGED, State.MERGED)
    top.refresh_from_db()
    top = proposal_in_assigned_and_replied(top, staff, handling_unit, unit_user)
    services.proposal_rate(proposal=top, by=third.user, value="satisfied")
    assert set(Proposal.objects.values_list("state", flat=True)) == {State.CLOSED}


def test_not_filing_the_lead_is_atomic(merged_pair, staff, monkeypatch):
    """If anything fails while the merged proposals follow, the lead is not rejected either."""
    lead, other = merged_pair
    before = ProposalEvent.objects.count()

    def boom(*args, **kwargs):
        raise RuntimeError("notice failed")

    monkeypatch.setattr(services.review, "notify", boom)
    with pytest.raises(RuntimeError):
        services.proposal_reject(proposal=lead, by=staff, reason="属于个人诉求")
    lead.refresh_from_db()
    other.refresh_from_db()
    assert (lead.state, other.state) == (State.UNDER_REVIEW, State.MERGED)
    assert ProposalEvent.objects.count() == before

"""The happy path and its side effects: events, notices, closing rules."""

import pytest
from django.core import mail

from members.models import Notification
from proposals import services
from proposals.models import CoSigner, Proposal, ProposalEvent, Rating, State
from tests.proposals.factories import proposal_in


def test_whole_lifecycle_records_every_step(staff, member_a, member_b, unit_user, handling_unit):
    p = proposal_in(
        State.CLOSED, proposer=member_a, staff=staff, unit=handling_unit, cosigners=[member_b]
    )
    assert p.number == 1
    assert p.closed_at is not None
    actions = list(ProposalEvent.objects.filter(proposal=p).values_list("action", flat=True))
    assert actions == [
        "create", "invite", "cosign_confirm", "submit", "start_review", "file", "assign",
        "reply", "rate", "rate", "close",
    ]
    assert Rating.objects.filter(proposal=p).count() == 2


def test_unsatisfied_sends_back_to_unit_and_tells_staff(staff, member_a, handling_unit, unit_user):
    p = proposal_in(State.REPLIED, proposer=member_a, staff=staff, unit=handling_unit)
    p = services.proposal_rate(proposal=p, by=member_a.user, value="unsatisfied", comment="没解决")
    assert p.state == State.ASSIGNED
    assert p.round == 2
    assert p.deadline is not None
    assert Proposal.objects.unsatisfied().get() == p
    assert Notification.objects.filter(user=staff, kind="proposal_unsatisfied").count() == 1
    assert Notification.objects.filter(user=unit_user, kind="proposal_unsatisfied").count() == 1
    # Second round: a new reply, then satisfied closes it.
    p = services.proposal_reply(proposal=p, by=unit_user, category="B", text="已重新办理")
    p = services.proposal_rate(proposal=p, by=member_a.user, value="basically")
    assert p.state == State.CLOSED


def test_waits_for_every_confirmed_cosigner(staff, member_a, member_b, handling_unit, unit_user):
    p = proposal_in(
        State.REPLIED, proposer=member_a, staff=staff, unit=handling_unit, cosigners=[member_b]
    )
    p = services.proposal_rate(proposal=p, by=member_a.user, value="satisfied")
    assert p.state == State.REPLIED
    p = services.proposal_rate(proposal=p, by=member_b.user, value="satisfied")
    assert p.state == State.CLOSED


def test_declined_cosigner_does_not_rate(staff, member_a, member_b, handling_unit, unit_user):
    p = proposal_in(State.DRAFT, proposer=member_a, staff=staff)
    services.cosigner_invite(proposal=p, by=member_a.user, members=[member_b])
    services.cosigner_respond(proposal=p, by=member_b.user, accept=False)
    assert CoSigner.objects.get(proposal=p).state == CoSigner.State.DECLINED
    p.refresh_from_db()
    p = services.proposal_submit(proposal=p, by=member_a.user)
    p = services.proposal_start_review(proposal=p, by=staff)
    p = services.proposal_file(proposal=p, by=staff)
    from datetime import timedelta

    from django.utils import timezone

    p = services.proposal_assign(
        proposal=p, by=staff, lead_unit=handling_unit,
        deadline=timezone.localdate() + timedelta(days=10),
    )
    p = services.proposal_reply(proposal=p, by=unit_user, category="C", text="列入计划")
    with pytest.raises(services.ProposalPermissionError):
        services.proposal_rate(proposal=p, by=member_b.user, value="satisfied")
    p = services.proposal_rate(proposal=p, by=member_a.user, value="satisfied")
    assert p.state == State.CLOSED


def test_lead_unit_send_back_returns_to_staff_queue(staff, member_a, handling_unit, unit_user,
                                                    other_unit_user):
    other_unit = other_unit_user.handling_units.get()
    p = proposal_in(
        State.ASSIGNED, proposer=member_a, staff=staff, unit=handling_unit, co_units=[other_unit]
    )
    # A co-handling unit withdraws only its own part.
    p = services.assignment_send_back(proposal=p, by=other_unit_user, reason="不属于我局职责")
    assert p.state == State.ASSIGNED
    assert not Proposal.objects.visible_to(other_unit_user).exists()
    p = services.assignment_send_back(proposal=p, by=unit_user, reason="应由区发改局主办")
    assert p.state == State.FILED
    assert p.deadline is None
    assert Proposal.objects.to_assign().get() == p
    assert not Proposal.objects.visible_to(unit_user).exists()
    assert Notification.objects.filter(user=staff, kind="proposal_sent_back").count() == 2


def test_merge_closes_with_the_lead(staff, member_a, member_b, handling_unit, unit_user):
    lead = proposal_in(State.FILED, proposer=member_a, staff=staff)
    other = proposal_in(State.UNDER_REVIEW, proposer=member_b, staff=staff, session=lead.session)
    other = services.proposal_merge(proposal=other, by=staff, into=lead)
    assert other.state == State.MERGED
    lead.refresh_from_db()
    from datetime import timedelta

    from django.utils import timezone

    lead = services.proposal_assign(
        proposal=lead, by=staff, lead_unit=handling_unit,
        deadline=timezone.localdate() + timedelta(days=5),
    )
    lead = services.proposal_reply(proposal=lead, by=unit_user, category="A", text="已解决")
    services.proposal_rate(proposal=lead, by=member_a.user, value="satisfied")
    other.refresh_from_db()
    assert other.state == State.CLOSED


def test_notices_go_out_on_commit(
    staff, member_a, member_b, handling_unit, unit_user, django_capture_on_commit_callbacks
):
    p = proposal_in(State.DRAFT, proposer=member_a, staff=staff)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.cosigner_invite(proposal=p, by=member_a.user, members=[member_b])
    assert mail.outbox == []
    assert len(callbacks) == 2  # the notice, and the council's figures version (every step)
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [[member_b.user.email]]
    assert Notification.objects.get(user=member_b.user).kind == "proposal_cosign_invited"

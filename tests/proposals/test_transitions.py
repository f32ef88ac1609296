"""The transition matrix: every state × every action × every persona is either allowed (as
``proposals.rules.TRANSITIONS`` says) or refused — and a refusal changes nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from members.models import Notification
from proposals import services
from proposals.models import (
    Assignment,
    CoSigner,
    Proposal,
    ProposalEvent,
    Rating,
    Reply,
    Session,
    State,
)
from proposals.rules import TRANSITIONS, Actor
from tests.factories import MemberFactory
from tests.proposals.factories import HandlingUnitFactory, proposal_in, unit_login

# Which relation each persona has to the proposal under test.
PERSONAS = {
    "staff": {Actor.STAFF},
    "leader": set(),
    "proposer": {Actor.PROPOSER, Actor.RATER},
    "cosigner": {Actor.COSIGNER},
    "outsider_member": set(),
    "lead_unit": {Actor.LEAD_UNIT, Actor.UNIT},
    "co_unit": {Actor.UNIT},
    "idle_unit": set(),
    "other_staff": set(),
}


class _Undo(Exception):
    pass


def _call(action, p, by, w):
    soon = timezone.localdate() + timedelta(days=20)
    calls = {
        "update": lambda: services.proposal_update(proposal=p, by=by, title="修改后的标题"),
        "submit": lambda: services.proposal_submit(proposal=p, by=by),
        "invite": lambda: services.cosigner_invite(proposal=p, by=by, members=[w["invitee"]]),
        "cosign": lambda: services.cosigner_respond(proposal=p, by=by, accept=True),
        "start_review": lambda: services.proposal_start_review(proposal=p, by=by),
        "file": lambda: services.proposal_file(proposal=p, by=by),
        "reject": lambda: services.proposal_reject(proposal=p, by=by, reason="不符合立案标准"),
        "return": lambda: services.proposal_return(proposal=p, by=by, reason="请补充"),
        "assign": lambda: services.proposal_assign(
            proposal=p, by=by, lead_unit=w["unit"], deadline=soon
        ),
        "set_deadline": lambda: services.proposal_set_deadline(proposal=p, by=by, deadline=soon),
        "send_back": lambda: services.assignment_send_back(proposal=p, by=by, reason="非本单位职责"),
        "reply": lambda: services.proposal_reply(proposal=p, by=by, category="A", text="已解决"),
        "rate": lambda: services.proposal_rate(proposal=p, by=by, value="satisfied"),
        "merge": lambda: services.proposal_merge(proposal=p, by=by, into=w["lead"]),
        "note": lambda: services.proposal_note(proposal=p, by=by, internal_note="内部备注"),
    }
    return calls[action]()


def snapshot(p):
    """Everything a transition could touch."""
    row = Proposal.objects.filter(pk=p.pk).values().get()
    return (
        row,
        list(Session.objects.values_list("pk", "last_number")),
        ProposalEvent.objects.count(),
        list(Assignment.objects.values_list("pk", "state", "deadline")),
        list(CoSigner.objects.values_list("pk", "state")),
        Reply.objects.count(),
        Rating.objects.count(),
        Notification.objects.count(),
    )


@pytest.fixture
def world(council, other_council, staff, leader, other_staff, member_a, member_b,
          handling_unit, unit_user, other_unit_user):
    co_unit = HandlingUnitFactory(council=council, name="区财政局")
    return {
        "users": {
            "staff": staff,
            "leader": leader,
            "proposer": member_a.user,
            "cosigner": member_b.user,
            "outsider_member": MemberFactory(council=council, name="王委员").user,
            "lead_unit": unit_user,
            "co_unit": unit_login(co_unit, "co_unit"),
            "idle_unit": other_unit_user,
            "other_staff": other_staff,
        },
        "unit": handling_unit,
        "co_unit": co_unit,
        "invitee": MemberFactory(council=council, name="赵委员"),
    }


def _proposal(state, w, member_a, member_b, staff):
    kwargs = {"proposer": member_a, "staff": staff, "unit": w["unit"], "co_units": [w["co_unit"]],
              "cosigners": [member_b]}
    if state == State.MERGED:
        p = proposal_in(State.UNDER_REVIEW, **kwargs)
        lead = proposal_in(State.FILED, proposer=member_b, staff=staff, session=p.session)
        return services.proposal_merge(proposal=p, by=staff, into=lead), lead
    p = proposal_in(state, **kwargs)
    lead = proposal_in(State.FILED, proposer=member_b, staff=staff, session=p.session)
    return p, lead


@pytest.mark.parametrize("action", sorted(TRANSITIONS))
@pytest.mark.parametrize("state", [s.value for s in State])
def test_matrix(state, action, world, member_a, member_b, staff):
    p, lead = _proposal(state, world, member_a, member_b, staff)
    world["lead"] = lead
    rule = TRANSITIONS[action]
    assert p.state == state
    for persona, relations in PERSONAS.items():
        by = world["users"][persona]
        expected = state in rule.sources and bool(relations & rule.actors)
        p.refresh_from_db()
        before = snapshot(p)
        try:
            with transaction.atomic():
                _call(action, p, by, world)
                raise _Undo
        except _Undo:
            outcome = True
        except (services.ProposalStateError, PermissionDenied):
            outcome = False
            assert snapshot(p) == before, (state, action, persona)
        assert outcome == expected, (state, action, persona)


def test_refusal_message_names_the_state(member_a, staff):
    p = proposal_in(State.DRAFT, proposer=member_a, staff=staff)
    with pytest.raises(services.ProposalPermissionError):
        services.proposal_file(proposal=p, by=member_a.user)
    p = proposal_in(State.SUBMITTED, proposer=member_a, staff=staff)
    with pytest.raises(services.ProposalStateError) as refused:
        services.proposal_file(proposal=p, by=staff)
    assert refused.value.code == "state"
    assert "已提交" in refused.value.messages[0] or "Submitted" in refused.value.messages[0]

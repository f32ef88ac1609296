"""Who may do what to a proposal, in which state — the one table the services obey.

``TRANSITIONS`` maps each action to the states it may start from, the relations a user
must have to the proposal to perform it (``Actor``); the service of the action sets the
state it leads to. Pages ask ``allowed_actions`` to show the buttons; every service checks
the same entry before acting (``proposals.services.base.act``). Relations are computed by
``actors``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from members import permissions
from proposals.models import Assignment, CoSigner, Proposal, ProposerKind, State


class Actor(StrEnum):
    STAFF = "staff"  # council staff or admin of the proposal's council (or above it)
    PROPOSER = "proposer"  # the proposing member, or whoever entered a collective proposal
    RATER = "rater"  # rates the reply: the proposing member, or who entered a collective one
    COSIGNER = "cosigner"  # a member invited to co-sign
    LEAD_UNIT = "lead_unit"  # a login of the active lead unit
    UNIT = "unit"  # a login of any active unit (lead or co-handling)


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    actors: frozenset[Actor]


def _t(sources, actors) -> Transition:
    return Transition(frozenset(sources), frozenset(actors))


EDITABLE = {State.DRAFT, State.RETURNED}

TRANSITIONS: dict[str, Transition] = {
    "update": _t(EDITABLE, {Actor.PROPOSER}),
    "submit": _t(EDITABLE, {Actor.PROPOSER}),  # → submitted
    "invite": _t(EDITABLE | {State.SUBMITTED}, {Actor.PROPOSER}),
    "cosign": _t(EDITABLE | {State.SUBMITTED}, {Actor.COSIGNER}),
    "start_review": _t({State.SUBMITTED}, {Actor.STAFF}),  # → under review
    "file": _t({State.UNDER_REVIEW}, {Actor.STAFF}),  # → filed
    "reject": _t({State.UNDER_REVIEW}, {Actor.STAFF}),  # → not filed
    "return": _t({State.UNDER_REVIEW}, {Actor.STAFF}),  # → returned
    "assign": _t({State.FILED}, {Actor.STAFF}),  # → assigned
    "set_deadline": _t({State.ASSIGNED}, {Actor.STAFF}),
    # The lead unit sends the whole proposal back to staff (→ filed); a co-handling unit
    # only withdraws its own part (state unchanged).
    "send_back": _t({State.ASSIGNED}, {Actor.UNIT}),
    "reply": _t({State.ASSIGNED}, {Actor.LEAD_UNIT}),  # → replied
    # → closed when every rater is in and none is unsatisfied; → assigned on 不满意.
    "rate": _t({State.REPLIED}, {Actor.RATER, Actor.COSIGNER}),
    "merge": _t({State.SUBMITTED, State.UNDER_REVIEW, State.FILED}, {Actor.STAFF}),  # → merged
    "note": _t(set(State), {Actor.STAFF}),
}

# States a lead proposal may be in to take others in (并案).
MERGE_LEAD_STATES = frozenset(
    {State.SUBMITTED, State.UNDER_REVIEW, State.FILED, State.ASSIGNED, State.REPLIED}
)


def _reaches(user, council) -> bool:
    """Staff of the proposal's council or of a council above it (the grandparent is only
    loaded for a province user, so a district's own staff cost no query)."""
    if permissions.is_superuser(user):
        return True
    if user.council_id is None:
        return False
    if user.council_id in (council.pk, council.parent_id):
        return True
    return council.parent_id is not None and council.parent.parent_id == user.council_id


def actors(user, proposal: Proposal) -> set[Actor]:
    """The relations ``user`` has to ``proposal`` (a few small queries)."""
    found: set[Actor] = set()
    if not user.is_authenticated:
        return found
    if permissions.is_staff(user) and _reaches(user, proposal.council):
        found.add(Actor.STAFF)
    member = permissions.member_of(user) if permissions.is_member(user) else None
    if proposal.submitted_by_id == user.pk or (member and proposal.proposer_id == member.pk):
        found.add(Actor.PROPOSER)
    # Staff who entered a member's proposal may edit the draft but do not rate the reply:
    # the member does (as proposals.services.rating._rating_member decides).
    if proposal.proposer_kind == ProposerKind.MEMBER:
        if member and proposal.proposer_id == member.pk:
            found.add(Actor.RATER)
    elif proposal.submitted_by_id == user.pk:
        found.add(Actor.RATER)
    if member and CoSigner.objects.filter(proposal=proposal, member=member).exists():
        found.add(Actor.COSIGNER)
    if permissions.is_unit(user):
        leads = Assignment.objects.filter(
            proposal=proposal, unit__users=user, state=Assignment.State.ACTIVE
        ).values_list("is_lead", flat=True)
        for is_lead in leads:
            found.add(Actor.UNIT)
            if is_lead:
                found.add(Actor.LEAD_UNIT)
    return found


def allowed_actions(user, proposal: Proposal, *, mine: set[Actor] | None = None) -> set[str]:
    """The actions ``user`` may take on ``proposal`` now (role and state; the services
    still check the details, e.g. a co-signer's own invitation or the signing deadline).
    ``mine``: the user's relations (``actors``), if the caller has them already."""
    if mine is None:
        mine = actors(user, proposal)
    return {
        action
        for action, rule in TRANSITIONS.items()
        if proposal.state in rule.sources and mine & rule.actors
    }


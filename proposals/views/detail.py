"""One proposal, as each viewer may see it, and its printable form (提案单)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from members import permissions
from proposals import rules
from proposals.rules import Actor
from proposals.views.common import detail_parts, visible_proposal
from proposals.views.similar import review_similar

__all__ = ["proposal_detail", "proposal_print"]


def _viewer(user) -> str:
    if permissions.can_read_council(user):
        return "staff"
    if permissions.is_unit(user):
        return "unit"
    return "member"


@login_required
def proposal_detail(request, pk: int):
    """Staff see everything and every action open now; a unit the proposal, its handling
    and the reply form; a member the public fields, and their own proposal's timeline."""
    proposal = visible_proposal(request.user, pk)
    mine = rules.actors(request.user, proposal)
    allowed = rules.allowed_actions(request.user, proposal, mine=mine)
    private = Actor.STAFF in mine
    participant = bool(mine & {Actor.PROPOSER, Actor.COSIGNER})
    parts = detail_parts(proposal, request.user, private=private, participant=participant)
    context = {
        "proposal": proposal,
        "viewer": _viewer(request.user),
        "allowed": allowed,
        "private": private,
        "participant": participant,
        "is_lead_unit": Actor.LEAD_UNIT in mine,
        "today": timezone.localdate(),
        "actor_names": {str(a) for a in mine},
        "rated": any(
            r.rated_by_id == request.user.pk and r.round == proposal.round for r in parts["ratings"]
        ),
        **parts,
        **review_similar(request.user, proposal, allowed),
    }
    return render(request, "proposals/proposal_detail.html", context)


@login_required
def proposal_print(request, pk: int):
    """提案单: the proposal on one sheet of paper (public fields only)."""
    proposal = visible_proposal(request.user, pk)
    parts = detail_parts(proposal, request.user, private=False, participant=False)
    context = {"proposal": proposal, **parts}
    return render(request, "proposals/proposal_print.html", context)

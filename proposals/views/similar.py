"""Similar proposals while a proposal is written (the drafting forms ask as the text is
typed) and on the review page (``detail.proposal_detail`` lists them for staff)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_POST

from members import permissions
from proposals.models import Proposal, State
from proposals.rules import MERGE_LEAD_STATES
from proposals.services import MAX_TEXT
from proposals.similarity import similar_proposals
from proposals.similarity.index import body_of

__all__ = ["REVIEW_STATES", "review_similar", "similar_lookup"]

# A proposal's page lists similar ones for staff while it may still be merged (并案).
REVIEW_STATES = frozenset({State.SUBMITTED, State.UNDER_REVIEW, State.FILED})


@require_POST
@login_required
def similar_lookup(request):
    """The list (an HTML fragment) of the council's proposals most like the title, reasons
    and suggestions posted, among those the writer may see. A member or staff of a council
    only: they are who draft. The text is posted, not put in the address: a proposal's text
    is longer than an address may be."""
    user = request.user
    if not (permissions.is_member(user) or permissions.is_staff(user)) or user.council_id is None:
        raise PermissionDenied
    data = request.POST
    editing = data.get("proposal", "")
    similar = similar_proposals(
        user=user, council_id=user.council_id,
        title=data.get("title", "")[:200],
        body=body_of(data.get("reasons", "")[:MAX_TEXT], data.get("suggestions", "")[:MAX_TEXT]),
        exclude=int(editing) if editing.isdigit() else None,
    )
    return render(request, "proposals/includes/_similar.html", {"similar": similar})


def review_similar(user, proposal: Proposal, allowed: set[str]) -> dict:
    """What the review page shows of similar proposals: the list, and which of them this
    proposal may be merged into from there (same session, a lead that may take it in)."""
    if proposal.state not in REVIEW_STATES or not permissions.can_read_council(user):
        return {"similar": None}
    similar = similar_proposals(
        user=user, council_id=proposal.council_id, title=proposal.title,
        body=body_of(proposal.reasons, proposal.suggestions), exclude=proposal.pk,
    )
    if "merge" in allowed:
        for other in similar:
            other.may_lead = (
                other.session_id == proposal.session_id and other.state in MERGE_LEAD_STATES
            )
    return {"similar": similar}

"""The proposals' pickers' JSON (``members.common.widgets.LookupSelect``):

- handling units, on the assignment form: at most ``members.common.lookups.LIMIT`` active units whose name holds
  every word of ``?q=``, among the units of the staff user's reach; ``?council=`` narrows them
  to the proposal's council (the one whose units the form accepts). Staff only: nobody else
  assigns.
- co-signers, on the invitation form: the members the proposal's proposer may invite
  (``proposals.forms.invitable_members``) whose name matches ``?q=``; only for a user who may
  invite on that proposal (its proposer), the proposal looked up in their reach."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from members import permissions
from members.common import search
from members.common.lookups import lookup_response
from proposals import rules
from proposals.forms import invitable_members
from proposals.models import HandlingUnit, Proposal

__all__ = ["cosigner_lookup", "unit_lookup"]



@require_GET
@permissions.staff_required
def unit_lookup(request):
    text = request.GET.get("q", "").strip()
    council = request.GET.get("council", "")
    if not text or (council and not council.isdigit()):
        return lookup_response([])
    units = HandlingUnit.objects.visible_to(request.user).filter(active=True)
    if council:
        units = units.filter(council_id=int(council))
    # A council has tens of units, not thousands: any part of the name matches (教育 finds
    # 区教育局), unlike the members' start-of-name rule for short words.
    for word in search.words(text):
        units = units.filter(name__icontains=word)
    rows = units.order_by("order", "name", "id").values("pk", "name", "council__name")
    return lookup_response(rows, ("council__name",))


@require_GET
@login_required
def cosigner_lookup(request):
    text = request.GET.get("q", "").strip()
    raw = request.GET.get("proposal", "")
    if not text or not raw.isdigit():
        return lookup_response([])
    proposal = get_object_or_404(Proposal.objects.visible_to(request.user), pk=int(raw))
    if rules.Actor.PROPOSER not in rules.actors(request.user, proposal):
        raise PermissionDenied
    rows = (
        invitable_members(proposal).lookup(text)
        .order_by("name", "id").values("pk", "name", "sector__name")
    )
    return lookup_response(rows, ("sector__name",))

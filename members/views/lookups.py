"""The pickers' JSON (``members.common.widgets.LookupSelect``): at most ``members.common.lookups.LIMIT`` members or
constituents matching ``?q=`` (a name, or digits of a phone number), only among those the
user sees — the same ``visible_to`` as every other read. ``?council=`` narrows the members to
one council of the user's reach (a form that accepts that council's members only), and
``?active=1`` to serving ones."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET

from members.common.lookups import lookup_response
from members.models import Constituent, Member

__all__ = ["constituent_lookup", "member_lookup"]

@require_GET
@login_required
def member_lookup(request):
    text = request.GET.get("q", "").strip()
    if not text:
        return lookup_response([])
    members = Member.objects.visible_to(request.user)
    council = request.GET.get("council", "")
    if council:
        if not council.isdigit():
            return lookup_response([])
        members = members.filter(council_id=int(council))
    if request.GET.get("active") == "1":
        members = members.active()
    rows = (
        members
        .lookup(text)
        .order_by("name", "id")
        .values("pk", "name", "sector__name", "council__name")
    )
    return lookup_response(rows, ("sector__name", "council__name"))


@require_GET
@login_required
def constituent_lookup(request):
    text = request.GET.get("q", "").strip()
    if not text:
        return lookup_response([])
    rows = (
        Constituent.objects.visible_to(request.user)
        .lookup(text, request.user)
        .order_by("name", "id")
        .values("pk", "name", "member__name", "sector__name")
    )
    return lookup_response(rows, ("member__name", "sector__name"))

"""The pickers' JSON (``members.common.widgets.LookupSelect``): at most ``LIMIT`` members or
constituents matching ``?q=`` (a name, or digits of a phone number), only among those the
user sees — the same ``visible_to`` as every other read. ``?council=`` narrows the members to
one council of the user's reach (a form that accepts that council's members only), and
``?active=1`` to serving ones."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from members.models import Constituent, Member

__all__ = ["constituent_lookup", "member_lookup"]

LIMIT = 20


def _results(rows, hint_fields: tuple[str, ...]) -> JsonResponse:
    results = [
        {
            "value": row["pk"],
            "text": row["name"],
            "hint": " · ".join(str(row[f]) for f in hint_fields if row[f]),
        }
        for row in rows[:LIMIT]
    ]
    return JsonResponse({"results": results})


@require_GET
@login_required
def member_lookup(request):
    text = request.GET.get("q", "").strip()
    if not text:
        return JsonResponse({"results": []})
    members = Member.objects.visible_to(request.user)
    council = request.GET.get("council", "")
    if council:
        if not council.isdigit():
            return JsonResponse({"results": []})
        members = members.filter(council_id=int(council))
    if request.GET.get("active") == "1":
        members = members.active()
    rows = (
        members
        .lookup(text)
        .order_by("name", "id")
        .values("pk", "name", "sector__name", "council__name")
    )
    return _results(rows, ("sector__name", "council__name"))


@require_GET
@login_required
def constituent_lookup(request):
    text = request.GET.get("q", "").strip()
    if not text:
        return JsonResponse({"results": []})
    rows = (
        Constituent.objects.visible_to(request.user)
        .lookup(text, request.user)
        .order_by("name", "id")
        .values("pk", "name", "member__name", "sector__name")
    )
    return _results(rows, ("member__name", "sector__name"))

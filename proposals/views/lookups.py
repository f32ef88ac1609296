"""The handling-unit picker's JSON (``members.common.widgets.LookupSelect`` on the assignment
form): at most ``LIMIT`` active units whose name holds every word of ``?q=``, among the units
of the staff user's reach; ``?council=`` narrows them to the proposal's council (the one whose
units the form accepts). Staff only: nobody else assigns."""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from members import permissions
from members.common import search
from proposals.models import HandlingUnit

__all__ = ["unit_lookup"]

LIMIT = 20


@require_GET
@permissions.staff_required
def unit_lookup(request):
    text = request.GET.get("q", "").strip()
    council = request.GET.get("council", "")
    if not text or (council and not council.isdigit()):
        return JsonResponse({"results": []})
    units = HandlingUnit.objects.visible_to(request.user).filter(active=True)
    if council:
        units = units.filter(council_id=int(council))
    # A council has tens of units, not thousands: any part of the name matches (教育 finds
    # 区教育局), unlike the members' start-of-name rule for short words.
    for word in search.words(text):
        units = units.filter(name__icontains=word)
    rows = units.order_by("order", "name", "id").values("pk", "name", "council__name")[:LIMIT]
    return JsonResponse({"results": [
        {"value": row["pk"], "text": row["name"], "hint": row["council__name"]} for row in rows
    ]})

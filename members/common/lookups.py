"""The answer every picker's lookup gives (``members.common.widgets.LookupSelect``): at most
``LIMIT`` rows, each its value, its name and a hint that tells namesakes apart."""

from __future__ import annotations

from django.http import JsonResponse

LIMIT = 20


def lookup_response(rows, hint_fields: tuple[str, ...] = ()) -> JsonResponse:
    """``rows``: a values() queryset (or list of dicts) with ``pk``, ``name`` and the
    ``hint_fields``; sliced to ``LIMIT`` here."""
    return JsonResponse({"results": [
        {
            "value": row["pk"],
            "text": row["name"],
            "hint": " · ".join(str(row[f]) for f in hint_fields if row[f]),
        }
        for row in rows[:LIMIT]
    ]})

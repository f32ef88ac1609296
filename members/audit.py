"""Writing the security audit: ``record(Action.X, request=…, obj=…, detail=…)``.

Every app calls this module at the point where a security-relevant act happens (a login, an
export, a full phone number shown, a proposal's state changed …); ``members.models.AuditEntry``
is the table and says how it is kept append-only.

``record`` writes in the caller's transaction: an act that is rolled back leaves no entry,
and an entry that cannot be written makes the act fail rather than happen unrecorded.
Failures and refusals are recorded where they are seen, outside the transaction of any act
(a failed login, a refused export), so nothing rolls them back.
"""

from __future__ import annotations

import ipaddress
from typing import Any, NamedTuple

from django.apps import apps
from django.db import models
from django.db.models.functions import Coalesce

from members.models.audit import Action, AuditEntry, AuditRefused, Result
from members.models.council import Council

__all__ = [
    "Action",
    "AuditEntry",
    "AuditRefused",
    "ObjectRef",
    "Result",
    "client_ip",
    "current_request",
    "phones_shown",
    "record",
]


class ObjectRef(NamedTuple):
    """An object named without loading it (``type`` as ``app_label.model``)."""

    type: str
    id: str
    repr: str

_RESULTS = {choice.value for choice in Result}


def current_request():
    """The request this thread is serving, where simple-history's middleware keeps it (for
    code that is not handed it: signal receivers, export writers); None outside a request."""
    from simple_history.models import HistoricalRecords

    return getattr(HistoricalRecords.context, "request", None)


def client_ip(request) -> str | None:
    """The client's address as the login-failure handling (django-axes) sees it — behind the
    trusted proxy its settings name — or the socket's peer when axes is not in use."""
    address = getattr(request, "axes_ip_address", None)
    if not address and apps.is_installed("axes"):
        from axes.helpers import get_client_ip_address

        address = get_client_ip_address(request)
    if not address:
        address = request.META.get("REMOTE_ADDR")
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def phones_shown(request, constituents) -> None:
    """One entry for the whole phone numbers a page shows (``shown_phone`` set by the view:
    whole or masked): which constituents', so that who saw whose number can be answered.
    Masked numbers are not recorded; a page showing none writes nothing."""
    whole = [c for c in constituents if c.phone and getattr(c, "shown_phone", "") == c.phone]
    if not whole:
        return
    if len(whole) == 1:
        record(Action.PHONE_VIEWED, request=request, obj=whole[0])
        return
    record(
        Action.PHONE_VIEWED,
        request=request,
        detail={"constituents": [c.pk for c in whole], "count": len(whole), "page": request.path},
    )


def _object_fields(obj) -> dict[str, str]:
    if obj is None:
        return {}
    if isinstance(obj, ObjectRef):
        return {"object_type": obj.type[:100], "object_id": str(obj.id)[:64], "object_repr": str(obj.repr)[:200]}
    if isinstance(obj, models.Model):
        return {
            "object_type": obj._meta.label_lower,
            "object_id": "" if obj.pk is None else str(obj.pk),
            "object_repr": str(obj)[:200],
        }
    return {"object_repr": str(obj)[:200]}


def record(
    action: str,
    *,
    request=None,
    user=None,
    obj=None,
    result: str = Result.OK,
    detail: dict[str, Any] | None = None,
    username: str = "",
) -> AuditEntry:
    """Append one entry and return it.

    The user is ``user`` if given, else ``request.user`` when logged in; their role and
    council (by id and by name, in the same INSERT) go with it. ``username`` names an
    attempted login when there is no user. ``obj`` gives the object's type, id and text;
    ``result`` is "ok", "failed" or "refused"; ``detail`` a small JSON-able dict such as
    ``{"filter": "sector=3", "rows": 1234}``.
    """
    if action not in Action.values:
        raise ValueError(f"Unknown audit action: {action!r}")
    if result not in _RESULTS:
        raise ValueError(f"Unknown audit result: {result!r}")
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        if candidate is not None and candidate.is_authenticated:
            user = candidate
    fields: dict[str, Any] = {
        "action": str(action),
        "result": str(result),
        "detail": detail or {},
        "ip": client_ip(request) if request is not None else None,
        **_object_fields(obj),
    }
    if user is not None and user.pk is not None:
        fields["user"] = user
        fields["username"] = user.get_username()
        fields["role"] = getattr(user, "role", "") or ""
        council_id = getattr(user, "council_id", None)
        if council_id is not None:
            fields["council_id"] = council_id
            if _council_cached(user):
                fields["council_name"] = user.council.name
            else:
                # The council's name read by the INSERT itself: one query per entry.
                fields["council_name"] = Coalesce(
                    models.Subquery(Council.objects.filter(pk=council_id).values("name")[:1]),
                    models.Value(""),
                )
    else:
        fields["username"] = (username or "")[:150]
    entry = AuditEntry.objects.create(**fields)
    if not isinstance(entry.council_name, str):
        # Not the expression: a deferred field, read from the row if anyone asks.
        del entry.__dict__["council_name"]
    return entry


def _council_cached(user) -> bool:
    return user._meta.get_field("council").is_cached(user)

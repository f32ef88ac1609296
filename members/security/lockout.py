"""What a locked-out login sees (django-axes' ``AXES_LOCKOUT_CALLABLE``).

The login page again, with one message that is the same whether the name exists or not:
axes counts failures per name typed (and per address), so an unknown name is locked out
exactly as a real one is, and the page says nothing about which it was.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _


def locked_out_message() -> str:
    minutes = max(int(settings.AXES_COOLOFF_TIME.total_seconds() // 60), 1)
    return _(
        "Too many failed logins. Logging in is blocked for %(minutes)d minutes for this "
        "name and from this address; try again later or ask an administrator."
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    from members.security.forms import PortalAuthenticationForm

    context = {
        "form": PortalAuthenticationForm(request),
        "locked_out": locked_out_message(),
        "next": request.POST.get("next", request.GET.get("next", "")),
    }
    return render(
        request, "registration/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )

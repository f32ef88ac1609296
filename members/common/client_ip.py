"""The address a request came from, as the lockout (django-axes), the reset limits and the
audit see it.

Behind nginx every request comes from the proxy (``REMOTE_ADDR`` 127.0.0.1); nginx puts the
browser's address in ``X-Real-IP``, overwriting whatever the browser sent
(deploy/nginx.conf). That header is believed only from an address in ``TRUSTED_PROXIES``:
from anywhere else it could be forged, and ``REMOTE_ADDR`` is the answer.
"""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if remote in settings.TRUSTED_PROXIES:
        forwarded = request.META.get(settings.CLIENT_IP_HEADER, "").strip()
        if forwarded:
            # One proxy sets the header; should there be a chain, the nearest hop is the
            # one our proxy saw.
            return forwarded.split(",")[-1].strip()
    return remote

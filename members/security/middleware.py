"""Middleware of the identity controls, in the order settings.MIDDLEWARE lists them (after
Django's AuthenticationMiddleware and django-otp's OTPMiddleware):

- ``PortalOTPMiddleware``: django-otp's, looking the verified device up once a minute.
- ``SessionLifetimeMiddleware``: a session idle for ``SESSION_IDLE_TIMEOUT`` seconds, or
  older than ``SESSION_COOKIE_AGE`` since its login, is logged out (server-side) and the
  user sent to the login page with a message.
- ``SecondFactorMiddleware``: a login whose role needs two factors (or who opted in) and has
  not given a code in this session may open only the enrolment / verification pages.
- ``PasswordPolicyMiddleware``: a password set by someone else, or expired, is replaced
  before anything else.
"""

from __future__ import annotations

import functools
import time
from functools import cache

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware

from members.security import login_of
from members.security import otp as otp_helpers
from members.security.passwords import must_change_password
from members.security.sessions import AUTH_AT, SEEN_AT

# "Last seen" is written to the session at most this often: not a session write per request.
SEEN_GRANULARITY = 60
# A verified session's device is looked up again at most this often (PortalOTPMiddleware).
OTP_RECHECK_SECONDS = 60


@cache
def _always_open() -> tuple[str, ...]:
    """Paths every logged-in user may open, whatever is pending."""
    return (
        settings.STATIC_URL,
        reverse("logout"),
        reverse("admin:logout"),
        reverse("set_language"),
        reverse("health"),
        "/favicon.ico",
        # The member app's manifest and service worker: public, holding nothing of anyone.
        reverse("pwa-manifest"),
        reverse("pwa-worker"),
    )


@cache
def _otp_pages() -> tuple[str, ...]:
    return (reverse("otp-enrol"), reverse("otp-verify"))


@cache
def _password_pages() -> tuple[str, ...]:
    return (reverse("password_change"), reverse("password_change_done"))


def _opens(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == prefix or (prefix.endswith("/") and path.startswith(prefix)) for prefix in prefixes)


def _next(request) -> str:
    path = request.get_full_path()
    if request.method != "GET" or not url_has_allowed_host_and_scheme(path, None):
        return ""
    return path


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        seen = session.get(SEEN_AT)
        if seen is not None:
            now = int(time.time())
            idle = settings.SESSION_IDLE_TIMEOUT
            if idle and now - seen > idle:
                return self._expire(request, "idle")
            if now - session.get(AUTH_AT, now) > settings.SESSION_COOKIE_AGE:
                return self._expire(request, "lifetime")
            if now - seen >= min(SEEN_GRANULARITY, max(idle // 10, 1) if idle else SEEN_GRANULARITY):
                session[SEEN_AT] = now
        return self.get_response(request)

    def _expire(self, request, reason: str):
        from members.audit import Action, record

        if (user := login_of(request)) is not None:
            record(Action.SESSION_EXPIRED, request=request, user=user, detail={"reason": reason})
        logout(request)
        if reason == "idle":
            minutes = max(settings.SESSION_IDLE_TIMEOUT // 60, 1)
            text = _(
                "You were logged out after %(minutes)d minutes without activity. Please log in again."
            ) % {"minutes": minutes}
        else:
            text = _("Your session has reached its maximum length. Please log in again.")
        messages.warning(request, text)
        return redirect_to_login(_next(request)) if _next(request) else redirect("login")


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()
            and (request.session.get(otp_helpers.OTP_PENDING) or otp_helpers.otp_required(user))
            and not _opens(request.path, _always_open() + _otp_pages())
        ):
            page = "otp-verify" if otp_helpers.has_device(user) else "otp-enrol"
            target = reverse(page)
            if nxt := _next(request):
                target += "?" + urlencode({"next": nxt})
            return redirect(target)
        return self.get_response(request)


class PasswordPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and must_change_password(user)
            and not _opens(request.path, _always_open() + _otp_pages() + _password_pages())
        ):
            return redirect("password_change")
        return self.get_response(request)


class PortalOTPMiddleware(OTPMiddleware):
    """django-otp's middleware (``request.user.otp_device``, ``is_verified()``), checking the
    session's device against the database once a minute rather than on every request.

    The session is the server's (not the browser's) and names the device our verify page
    accepted; what the check adds is noticing a device removed since (a reset), which it does
    within ``OTP_RECHECK_SECONDS``. Between checks ``otp_device`` loads the device only if
    something reads it; ``is_verified()`` answers without a query.
    """

    def _verify_user_sync(self, request, user):
        self._init_user_fields(user)
        if not user.is_authenticated:
            return user
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
        if not persistent_id:
            return user
        now = int(time.time())
        if 0 <= now - request.session.get(otp_helpers.OTP_CHECKED_AT, 0) < OTP_RECHECK_SECONDS:
            user.otp_device = SimpleLazyObject(
                functools.partial(self._device_from_persistent_id, persistent_id)
            )
            return user
        device = self._finalize_device(request, user, self._device_from_persistent_id(persistent_id))
        user.otp_device = device
        if device is not None:
            request.session[otp_helpers.OTP_CHECKED_AT] = now
        return user

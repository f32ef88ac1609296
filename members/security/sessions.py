"""What a login stamps on its session, and one session per login.

At login the session gets the time it began (``auth_at``: the absolute lifetime,
``SESSION_COOKIE_AGE``, counts from it and activity does not extend it) and the time of the
last request (``seen_at``: the idle timeout, ``SESSION_IDLE_TIMEOUT``). With
``SESSION_SINGLE_LOGIN`` the login's other sessions are deleted from the session store, so
another browser still holding one is logged out at its next request.
"""

from __future__ import annotations

import time
from importlib import import_module

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out

AUTH_AT = "portal_auth_at"
SEEN_AT = "portal_seen_at"


def _store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def on_login(sender, request, user, **kwargs):
    from members.models.security import LoginSession

    session = request.session
    now = int(time.time())
    session[AUTH_AT] = session[SEEN_AT] = now
    if session.session_key is None:
        session.save()
    key = session.session_key
    if settings.SESSION_SINGLE_LOGIN:
        others = list(LoginSession.objects.filter(user=user).exclude(session_key=key))
        store = _store()
        for other in others:
            store(session_key=other.session_key).delete()
        LoginSession.objects.filter(pk__in=[other.pk for other in others]).delete()
    LoginSession.objects.get_or_create(session_key=key, defaults={"user": user})


def on_logout(sender, request, user, **kwargs):
    from members.models.security import LoginSession

    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        LoginSession.objects.filter(session_key=key).delete()


def connect() -> None:
    from members.security import otp

    user_logged_in.connect(otp.on_login, dispatch_uid="members.security.otp.on_login")
    user_logged_in.connect(on_login, dispatch_uid="members.security.sessions.on_login")
    user_logged_out.connect(on_logout, dispatch_uid="members.security.sessions.on_logout")

"""The portal's URLs plus the two floors a logged-in page is judged against, served by the
same gunicorn: a bare view (no session, no database) and a view that loads the session and
the user (two queries) — what every logged-in page costs before it does anything."""

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from liaison.urls import urlpatterns as portal_urlpatterns


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


def session_user(request):
    return HttpResponse(str(request.user.pk), content_type="text/plain")


CHROME = engines["django"].from_string('{% extends "base.html" %}')


def chrome(request):
    """The portal's page frame alone (navbar, language switcher, scripts), no content: what
    every page pays on top of the session+user floor before its own work."""
    return HttpResponse(CHROME.render({}, request))


urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("bench/session-user/", session_user, name="bench-session-user"),
    path("bench/chrome/", chrome, name="bench-chrome"),
    *portal_urlpatterns,
]

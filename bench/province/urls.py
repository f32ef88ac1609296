"""The portal's URLs plus the two floors a logged-in page is judged against, served by the
same gunicorn: a bare view (no session, no database) and a view that loads the session and
the user (two queries) — what every logged-in page costs before it does anything."""

from django.http import HttpResponse
from django.urls import path

from liaison.urls import urlpatterns as portal_urlpatterns


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


def session_user(request):
    return HttpResponse(str(request.user.pk), content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("bench/session-user/", session_user, name="bench-session-user"),
    *portal_urlpatterns,
]

"""The member pages as an installable web app: the web app manifest and the service worker.

Both are public (a browser fetches the manifest without cookies) and hold nothing of anyone:
what a member's device keeps — the pages it cached, the contacts it queued — the worker and
``static/js/pwa.js`` keep per login, and clear at logout (README, "The member app offline").
The worker is served from the root, so its scope covers every member page; the pages it
keeps for offline use are the member's home (today's must-visits), roster and contact form.
"""

import json

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# The pages a member's device keeps for use without a signal (each a GET of the member's own).
OFFLINE_PAGES = ("members:member-home", "members:my-constituents", "activities:contactlog-create")
# The worker's caches carry this in their names: a new release's worker drops the old ones.
WORKER_VERSION = "1"
THEME = "#b3241b"


def offline_pages() -> list[str]:
    return [reverse(name) for name in OFFLINE_PAGES]


@require_GET
@cache_control(max_age=3600, public=True)
def manifest(request):
    icons = [
        {"src": static("pwa/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("pwa/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {"src": static("pwa/icon-maskable-512.png"), "sizes": "512x512", "type": "image/png",
         "purpose": "maskable"},
    ]
    data = {
        "name": _("CPPCC members' liaison"),
        "short_name": _("Member liaison"),
        "description": _("Log contacts with your constituents, with or without a signal."),
        "lang": "zh-CN",
        "start_url": reverse("members:member-home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME,
        "icons": icons,
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
@cache_control(no_cache=True, max_age=0)
def service_worker(request):
    """The worker script, with the hashed addresses of the files it keeps (a new release names
    new files, so the worker's text changes and browsers install it afresh)."""
    shell = [
        static("vendor/bootstrap-5.3.9/css/bootstrap.min.css"),
        static("vendor/bootstrap-icons-1.13.2/bootstrap-icons.min.css"),
        static("vendor/bootstrap-icons-1.13.2/fonts/bootstrap-icons.woff2"),
        static("vendor/bootstrap-5.3.9/js/bootstrap.bundle.min.js"),
        static("css/portal.css"),
        static("css/contacts.css"),
        static("js/portal.js"),
        static("js/contacts.js"),
        static("js/pwa.js"),
        static("js/pwa-queue.js"),
        static("favicon.svg"),
        static("pwa/icon-192.png"),
        static("pwa/apple-touch-icon.png"),
        reverse("pwa-manifest"),
    ]
    script = render_to_string("pwa/sw.js", {
        "version": WORKER_VERSION,
        "shell_json": json.dumps(shell),
        "pages_json": json.dumps(offline_pages()),
        "queue_js": static("js/pwa-queue.js"),
        "sync_url": reverse("activities:contactlog-sync"),
        "offline_title": _("No connection"),
        "offline_text": _("This page is not kept on the device. Your home page, your roster and "
                          "the contact form work without a signal."),
        "offline_home": _("My home"),
    })
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response

"""The member app's manifest and service worker: public, served by the portal itself, under
the strict CSP; the worker at the root with the pages it keeps for offline use."""

import json

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_manifest_names_the_app_in_chinese_with_the_portals_icons(client):
    response = client.get(reverse("pwa-manifest"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "政协委员联系群众"
    assert manifest["short_name"] == "委员联络"
    assert manifest["start_url"] == reverse("members:member-home")
    assert manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        assert icon["src"].startswith("/static/pwa/")
        assert finders.find(icon["src"].removeprefix("/static/"))  # served by the portal


def test_the_worker_is_served_from_the_root_and_never_cached_stale(client):
    response = client.get(reverse("pwa-worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    script = response.content.decode()
    for page in ("/members/me/", "/members/me/constituents/", "/activities/contacts/new/"):
        assert f'"{page}"' in script
    assert 'importScripts("/static/js/pwa-queue.js")' in script
    assert reverse("activities:contactlog-sync") in script
    assert "没有网络" in script  # the page shown for a page not kept, in Chinese


def test_the_csp_stays_strict_and_allows_the_worker_and_manifest_from_the_portal(client):
    csp = client.get(reverse("pwa-worker"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["worker-src"] == "'self'"
    assert directives["manifest-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp


def test_a_login_with_a_password_to_change_still_gets_the_worker(client_for, member_a):
    """The password and second-factor pages hold every other page back; not these two, which
    hold nothing of anyone (a redirected worker script would fail to install)."""
    member_a.user.must_change_password = True
    member_a.user.save(update_fields=["must_change_password"])
    client = client_for(member_a)
    assert client.get(reverse("members:member-home")).status_code == 302
    assert client.get(reverse("pwa-worker")).status_code == 200
    assert client.get(reverse("pwa-manifest")).status_code == 200


@pytest.mark.parametrize("name", ["pwa-manifest", "pwa-worker"])
def test_query_budget(client, client_for, member_a, django_assert_max_num_queries, name):
    with django_assert_max_num_queries(0):  # public: no session, no user read
        client.get(reverse(name))
    member = client_for(member_a)
    with django_assert_max_num_queries(2):  # session, user
        member.get(reverse(name))

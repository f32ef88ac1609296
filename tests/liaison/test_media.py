"""Uploaded files are served only to users who may see the record they belong to."""

import pytest
from django.core.files.base import ContentFile

from activities.models import ContactLogPhoto
from tests.factories import ConstituentFactory, ContactLogFactory


@pytest.fixture
def photo(member_a):
    log = ContactLogFactory(member=member_a, constituents=[ConstituentFactory(member=member_a)])
    item = ContactLogPhoto(contact_log=log)
    item.image.save("visit.png", ContentFile(b"\x89PNG fake bytes"), save=True)
    return item


def test_keeping_member_and_staff_fetch_the_photo(photo, client_for, member_a, staff):
    for who in (member_a, staff):
        response = client_for(who).get(photo.image.url)
        assert response.status_code == 200
        assert response.getvalue() == b"\x89PNG fake bytes"


@pytest.mark.parametrize("who", ["member_b", "other_staff", "other_member"])
def test_others_get_404(photo, client_for, who, request):
    assert client_for(request.getfixturevalue(who)).get(photo.image.url).status_code == 404


def test_anonymous_is_sent_to_login(photo, anonymous):
    response = anonymous.get(photo.image.url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("path", ["unknown/1/x.png", "contact-logs/abc/x.png", "contact-logs/999999/x.png"])
def test_unknown_paths_are_404(client_for, staff, path):
    assert client_for(staff).get(f"/media/{path}").status_code == 404


# --- Authorised by the stored file, not by the URL ------------------------------------------


@pytest.fixture
def other_photo(other_member):
    log = ContactLogFactory(
        member=other_member, constituents=[ConstituentFactory(member=other_member)]
    )
    item = ContactLogPhoto(contact_log=log)
    item.image.save("secret.png", ContentFile(b"\x89PNG other council"), save=True)
    return item


def _traversals(own, other):
    """Ways to name ``other``'s file starting from ``own``'s folder."""
    own_dir = own.image.name.rsplit("/", 1)[0]  # contact-logs/<id>
    target = other.image.name  # contact-logs/<id>/secret….png
    return [
        f"/media/{own_dir}/../../{target}",
        f"/media/{own_dir}/%2e%2e/%2e%2e/{target}",
        f"/media/{own_dir}/..%2f..%2f{target}",
        f"/media/{own_dir}/%2E%2E/%2E%2E/{target}",
        f"/media/{own_dir}/./../../{target}",
        f"/media/{own_dir}//..//..//{target}",
    ]


def _raw_get(server_url: str, raw_path: str, sessionid: str):
    """GET exactly ``raw_path`` — http.client sends the request line as given, where a test
    client (or a browser) would normalise the dots first."""
    import http.client
    from urllib.parse import urlsplit

    address = urlsplit(server_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    connection.putrequest("GET", raw_path, skip_accept_encoding=True)
    connection.putheader("Cookie", f"sessionid={sessionid}")
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


@pytest.fixture
def portal_server(transactional_db):
    """The whole portal behind a real HTTP server, as runserver runs it. (pytest-django's
    ``live_server`` answers /media/ itself, before the portal's view, so it can't serve here.)"""
    import threading

    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_dot_dot_paths_over_real_http_never_reach_another_councils_file(
    portal_server, photo, other_photo, client_for, member_a
):
    sessionid = client_for(member_a).cookies["sessionid"].value
    status, body = _raw_get(portal_server, photo.image.url, sessionid)
    assert (status, body) == (200, b"\x89PNG fake bytes")  # the session works over HTTP
    for raw in _traversals(photo, other_photo):
        status, body = _raw_get(portal_server, raw, sessionid)
        assert status == 404, raw
        assert b"other council" not in body, raw


@pytest.mark.parametrize(
    "path",
    [
        "contact-logs/1/../2/x.png",
        "contact-logs/1/./x.png",
        "contact-logs//1/x.png",
        "contact-logs/1/x.png/",
        "contact-logs\\1\\x.png",
        "/etc/passwd",
    ],
)
def test_names_that_normalise_differently_are_refused(client_for, staff, path):
    from liaison.views import _is_plain_name

    assert not _is_plain_name(path)
    assert _is_plain_name("contact-logs/1/x.png")


def test_a_file_on_disk_without_a_row_is_404(photo, client_for, staff, settings):
    """Only files the portal stored for a record are served, whatever lies in the folder."""
    folder = photo.image.name.rsplit("/", 1)[0]
    stray = settings.MEDIA_ROOT / folder / "stray.png"
    stray.write_bytes(b"\x89PNG stray")
    assert client_for(staff).get(f"/media/{folder}/stray.png").status_code == 404


def test_a_row_is_checked_through_its_own_record(photo, other_photo, client_for, member_a, settings):
    """A file stored under this member's folder name but recorded for another council's log
    is still that log's file: refused."""
    import shutil

    name = photo.image.name.rsplit("/", 1)[0] + "/planted.png"
    shutil.copy(other_photo.image.path, settings.MEDIA_ROOT / name)
    type(other_photo).objects.filter(pk=other_photo.pk).update(image=name)
    assert client_for(member_a).get(f"/media/{name}").status_code == 404


def test_thumbnails_are_served_like_their_photo(photo, client_for, member_a, member_b):
    photo.thumbnail.save("visit-thumb.png", ContentFile(b"\x89PNG thumb"), save=True)
    assert client_for(member_a).get(photo.thumbnail.url).status_code == 200
    assert client_for(member_b).get(photo.thumbnail.url).status_code == 404


def test_nginx_backend_answers_with_an_internal_redirect(photo, client_for, member_a, settings):
    """In production the portal only authorises; nginx sends the bytes from an internal
    location (README has the snippet)."""
    from django_sendfile.utils import _get_sendfile

    settings.SENDFILE_BACKEND = "django_sendfile.backends.nginx"
    settings.SENDFILE_URL = "/protected-media"
    _get_sendfile.cache_clear()
    try:
        response = client_for(member_a).get(photo.image.url)
    finally:
        _get_sendfile.cache_clear()
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{photo.image.name}"
    assert response.content == b""


def test_attachments_are_downloads_not_pages(client_for, staff, member_a):
    """An uploaded document is never rendered by the browser on the portal's origin."""
    from proposals.models import ProposalAttachment
    from tests.proposals.factories import ProposalFactory

    proposal = ProposalFactory(proposer=member_a)
    item = ProposalAttachment(proposal=proposal, name="附件", uploaded_by=staff)
    item.file.save("note.html", ContentFile(b"<script>alert(1)</script>"), save=True)
    response = client_for(staff).get(item.file.url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("n", [1, 20])
def test_query_budget_does_not_grow_with_the_files_stored(
    n, photo, member_a, client_for, django_assert_max_num_queries
):
    for i in range(n):
        extra = ContactLogPhoto(contact_log=photo.contact_log)
        extra.image.save(f"more-{i}.png", ContentFile(b"\x89PNG more"), save=True)
    client = client_for(member_a)
    # session, user, the photo row by its name, its log through visible_to (with the member)
    with django_assert_max_num_queries(5):
        assert client.get(photo.image.url).status_code == 200

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
        assert b"".join(response.streaming_content) == b"\x89PNG fake bytes"


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

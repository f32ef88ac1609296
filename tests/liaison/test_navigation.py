"""The navbar is rendered once per combination of roles, language and URL prefix, and the
user of each request comes with its member row: neither may leak one user's links to
another, and both must save their work on every page."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from members.backends import PortalBackend
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STAFF_LINK = reverse("proposals:staff-queues")
MEMBER_LINK = reverse("members:my-constituents")
UNIT_LINK = reverse("proposals:unit-list")
ADMIN_LINK = reverse("admin:index")


def nav(client) -> str:
    body = client.get(reverse("inbox")).content.decode()
    return body[body.index('id="mainnav"') : body.index("</nav>")]


@pytest.fixture
def production_like(settings):
    settings.DEBUG = False  # the navbar is reused only when DEBUG is off


def test_each_role_sees_its_own_links_when_the_navbar_is_reused(
    production_like, staff, member_a, unit_user, client_for
):
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    for _round in range(2):  # the second round is served from the rendered navbars
        staff_nav = nav(client_for(staff))
        member_nav = nav(client_for(member_a))
        unit_nav = nav(client_for(unit_user))
        root_nav = nav(client_for(superuser))
        assert STAFF_LINK in staff_nav
        assert MEMBER_LINK not in staff_nav
        assert MEMBER_LINK in member_nav
        assert STAFF_LINK not in member_nav
        assert UNIT_LINK in unit_nav
        assert STAFF_LINK not in unit_nav
        assert MEMBER_LINK not in unit_nav
        assert ADMIN_LINK in root_nav
        assert all(ADMIN_LINK not in page for page in (staff_nav, member_nav, unit_nav))


def test_the_reused_navbar_follows_the_language(production_like, member_a, client_for):
    client = client_for(member_a)
    assert "我的联系群众" in nav(client)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = nav(client)
    assert "My constituents" in english


def test_the_user_of_a_request_comes_with_its_member_in_one_query(
    member_a, staff, django_assert_num_queries
):
    backend = PortalBackend()
    with django_assert_num_queries(1):
        user = backend.get_user(member_a.user.pk)
        assert user.member == member_a
    with django_assert_num_queries(1):
        user = backend.get_user(staff.pk)
        assert not hasattr(user, "member")
    get_user_model().objects.filter(pk=staff.pk).update(is_active=False)
    assert backend.get_user(staff.pk) is None
    assert backend.get_user(10**9) is None

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


# The rest of the page frame: the parts rendered once per language and process
# (liaison.templatetags.portal_nav.frame_part) must not carry one request's user, token or
# address into another's page, and must follow the language.


def frame_of(client, path=None) -> str:
    return client.get(path or reverse("inbox")).content.decode()


def test_the_reused_frame_keeps_each_users_own_name_token_and_address(
    production_like, member_a, member_b, staff, client_for
):
    for _round in range(2):  # the second round is served from the rendered parts
        # Logins: a member's page names its user (member rows have ids of their own).
        pages = {
            user: frame_of(client_for(user), reverse("inbox") + f"?p={user.pk}")
            for user in (member_a.user, member_b.user, staff)
        }
        for user, page in pages.items():
            assert f'data-user="{user.pk}"' in page
            assert f'<input name="next" type="hidden" value="/inbox/?p={user.pk}">' in page
            others = [u for u in pages if u != user]
            assert all(f'data-user="{u.pk}"' not in page for u in others)
            assert all(f"?p={u.pk}" not in page for u in others)
        # Each page carries a CSRF token of its own, in the logout and the language forms.
        tokens = [page.count('name="csrfmiddlewaretoken"') for page in pages.values()]
        assert tokens == [2, 2, 2]
        # Members get the installable app's links, staff do not, from the same process.
        assert 'rel="manifest"' in pages[member_a.user]
        assert 'rel="manifest"' not in pages[staff]
        assert 'data-pwa-sync="' in pages[member_a.user]
        assert 'data-pwa-sync="' not in pages[staff]
        assert 'id="pwa-queue"' in pages[member_b.user]
        assert 'id="pwa-queue"' not in pages[staff]


def test_the_reused_frame_follows_the_language(production_like, member_a, client_for):
    client = client_for(member_a)
    chinese = frame_of(client)
    assert "修改密码" in chinese
    assert "本机待上传" in chinese
    assert 'value="zh-hans" selected' in selected_option(chinese)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = frame_of(client)
    assert "Change password" in english
    assert "修改密码" not in english
    assert "Waiting on this device" in english
    # The switcher marks the language now in use.
    assert 'value="en" selected' in selected_option(english)
    assert 'value="zh-hans" selected' not in selected_option(english)


def selected_option(page: str) -> str:
    options = page[page.index('id="language-select"'):page.index("</select>")]
    return " ".join(options.split())


def test_a_frame_part_sees_only_what_it_is_given(production_like, rf, member_a):
    from django.template import engines

    template = engines["django"].from_string(
        '{% load portal_nav %}{% frame_part "includes/_frame_scripts.html" authenticated=flag %}'
    )
    request = rf.get("/")
    request.user = member_a.user
    with_flag = template.render({"flag": True}, request)
    without = template.render({"flag": False}, request)
    assert "pwa.js" in with_flag
    assert "pwa.js" not in without
    assert "bootstrap.bundle.min.js" in without


def test_the_frame_is_not_rendered_again_for_each_page(production_like, member_a, client_for):
    client = client_for(member_a)
    client.get(reverse("members:my-constituents"))
    again = client.get(reverse("members:my-constituents"))
    rendered = {t.name for t in again.templates}
    assert "members/constituent_mine.html" in rendered
    for part in ("includes/_offline_queue.html", "includes/_frame_head.html",
                 "includes/_frame_scripts.html", "includes/_language_options.html",
                 "includes/_nav_items.html"):
        assert part not in rendered

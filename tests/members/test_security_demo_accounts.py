"""Default and shared accounts: the demo's published password is refused at login when
DEBUG is off, whoever types it, with a Chinese message; on a laptop (DEBUG on) it works."""

import pytest
from django.test import Client
from django.urls import reverse

from liaison.demo import DEMO_PASSWORD
from tests.factories import MemberFactory

REFUSED = "演示数据公开的密码不能在本系统使用"


@pytest.fixture
def demo_member(council):
    member = MemberFactory(council=council, user__username="member")
    member.user.set_password(DEMO_PASSWORD)
    member.user.save()
    return member


def log_in(username, password):
    return Client().post(reverse("login"), {"username": username, "password": password})


def test_refused_with_debug_off(demo_member, settings):
    settings.DEBUG = False
    response = log_in("member", DEMO_PASSWORD)
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session


def test_the_refusal_says_nothing_about_the_name(db, settings):
    settings.DEBUG = False
    assert REFUSED in log_in("nobody-here", DEMO_PASSWORD).content.decode()


def test_the_admin_login_refuses_it_too(db, settings):
    from tests.factories import UserFactory

    root = UserFactory(username="root", is_staff=True, is_superuser=True, council=None)
    root.set_password(DEMO_PASSWORD)
    root.save()
    settings.DEBUG = False
    response = Client().post(reverse("admin:login"), {"username": "root", "password": DEMO_PASSWORD})
    assert response.status_code == 200
    assert REFUSED in response.content.decode()


def test_allowed_on_a_laptop(demo_member, settings):
    settings.DEBUG = True
    assert log_in("member", DEMO_PASSWORD).status_code == 302


def test_the_demo_password_cannot_be_chosen_as_a_new_one(member_a, client_for, settings):
    settings.DEBUG = False
    response = client_for(member_a).post(reverse("password_change"), {
        "old_password": "pass-word-1", "new_password1": DEMO_PASSWORD, "new_password2": DEMO_PASSWORD,
    })
    assert response.status_code == 200
    assert "这是演示数据公开的密码，请换一个。" in response.content.decode()

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_login_page_is_chinese(anonymous):
    response = anonymous.get(reverse("login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_home_sends_anonymous_to_login(anonymous, db):
    response = anonymous.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_csp_forbids_inline_scripts(anonymous, db):
    response = anonymous.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_member_and_staff_land_on_their_home(client_for, member_a, staff):
    assert client_for(member_a).get(reverse("home"))["Location"] == reverse("members:member-home")
    assert client_for(staff).get(reverse("home"))["Location"] == reverse("members:staff-home")


def test_chinese_whatever_the_browser_asks_for(anonymous, db):
    page = anonymous.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "登录委员联系界别群众平台" in page


def test_english_once_chosen_with_the_switcher(anonymous, db):
    response = anonymous.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    page = anonymous.get(reverse("login")).content.decode()
    assert "Log in to the liaison portal" in page
    anonymous.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("login")})
    assert "登录委员联系界别群众平台" in anonymous.get(reverse("login")).content.decode()

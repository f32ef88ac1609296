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

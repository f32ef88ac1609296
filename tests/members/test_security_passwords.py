"""Password quality, history, first-login and expired passwords."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import MinimumLengthValidator, validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from members.audit import Action
from members.models import AuditEntry, PasswordHistory, User
from tests.factories import UserFactory


def refused(password, user=None) -> list[str]:
    try:
        with translation.override("zh-hans"):
            validate_password(password, user)
    except ValidationError as error:
        return error.messages
    return []


@pytest.mark.parametrize("password", ["Hx7mqpzw", "kq3!vbnm", "QZ7#WXLM", "Tp-rk-wx", "长城Ab1!xyz"])
def test_eight_characters_of_three_kinds_pass(password, db):
    assert refused(password, UserFactory.build(username="zhangsan")) == []


@pytest.mark.parametrize(("password", "why"), [
    ("kqvbnmzx1", "大写字母、小写字母、数字和符号中的至少 3 种"),  # two kinds
    ("KQVBNMZX", "大写字母、小写字母、数字和符号中的至少 3 种"),
    ("Password1", "太常见"),  # a common password
])
def test_weak_passwords_are_refused_in_chinese(password, why, db):
    messages = refused(password, UserFactory.build(username="zhangsan"))
    assert any(why in message for message in messages), messages


def test_at_least_eight_characters(db, settings):
    assert settings.PASSWORD_MIN_LENGTH == 8
    with translation.override("zh-hans"):
        expected = MinimumLengthValidator(8).get_error_message()
    assert refused("Ab1!xyz", UserFactory.build(username="zhangsan")) == [expected]
    assert refused("Ab1!xyzw", UserFactory.build(username="zhangsan")) == []


def test_not_the_login_name(db):
    user = UserFactory.build(username="Qw3rty-77")
    assert "密码不能与登录名相同。" in refused("Qw3rty-77", user)
    assert "密码不能与登录名相同。" in refused("qW3RTY-77", user)
    assert "密码不能与登录名相同。" in refused("77-ytr3wQ", user)


def test_the_last_five_passwords_are_not_reused(staff, settings):
    assert settings.PASSWORD_HISTORY == 5
    passwords = [f"Neu-Pass-{n}x" for n in range(1, 7)]
    for password in passwords:
        staff.set_password(password)
        staff.save()
    assert PasswordHistory.objects.filter(user=staff).count() == 5
    for recent in passwords[1:]:
        assert "密码不能与最近 5 次使用过的密码相同。" in refused(recent, staff), recent
    assert refused(passwords[0], staff) == []  # six changes ago: allowed again


def test_the_change_records_when(staff):
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        staff.set_password("Neu-Pass-1x")
        staff.save()
        staff.refresh_from_db()
        assert staff.password_changed_at == timezone.now()


def test_change_page_refuses_a_reused_password_and_audits_a_change(staff, client_for):
    client = client_for(staff)
    url = reverse("password_change")
    response = client.post(url, {"old_password": "pass-word-1", "new_password1": "pass-word-1",
                                 "new_password2": "pass-word-1"})
    assert response.status_code == 200
    assert "密码不能与最近 5 次使用过的密码相同。" in response.content.decode()
    response = client.post(url, {"old_password": "pass-word-1", "new_password1": "Neu-Pass-1x",
                                 "new_password2": "Neu-Pass-1x"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=Action.PASSWORD_CHANGED)
    assert entry.user == staff


# ------------------------------------------------------------ must change at first login


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", role="admin", is_staff=True, is_superuser=True, council=None)


def test_a_login_added_in_the_admin_must_choose_its_own_password(superuser, client_for, council):
    admin = client_for(superuser)
    response = admin.post(reverse("admin:members_user_add"), {
        "username": "newstaff", "password1": "Given-by-1x", "password2": "Given-by-1x",
        "usable_password": "true", "display_name": "新人", "role": "member", "council": council.pk,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="newstaff")
    assert user.must_change_password


def test_a_password_set_in_the_admin_must_be_replaced(superuser, member_a, client_for):
    admin = client_for(superuser)
    url = reverse("admin:auth_user_password_change", args=[member_a.user.pk])
    response = admin.post(url, {"password1": "Given-by-2x", "password2": "Given-by-2x", "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:2000]
    member_a.user.refresh_from_db()
    assert member_a.user.must_change_password


def test_must_change_sends_every_page_to_the_change_page(member_a, client_for):
    User.objects.filter(pk=member_a.user.pk).update(must_change_password=True)
    client = client_for(member_a)
    change = reverse("password_change")
    for url in [reverse("home"), reverse("members:member-home"), reverse("inbox")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == change
    page = client.get(change)
    assert page.status_code == 200
    assert "您的密码是他人设置的" in page.content.decode()
    assert client.post(reverse("logout")).status_code == 302  # logging out is always allowed


def test_after_the_change_the_portal_opens(member_a, client_for):
    User.objects.filter(pk=member_a.user.pk).update(must_change_password=True)
    client = client_for(member_a)
    response = client.post(reverse("password_change"), {
        "old_password": "pass-word-1", "new_password1": "My-Own-pw1", "new_password2": "My-Own-pw1",
    })
    assert response.status_code == 302
    member_a.user.refresh_from_db()
    assert not member_a.user.must_change_password
    assert client.get(reverse("members:member-home")).status_code == 200


def test_imported_logins_must_choose_their_own_password(council, sector, committee, staff):
    from members.imports import members_import
    from tests.members.test_imports import MEMBER_HEADER, member_row, xlsx

    report = members_import(council=council, upload=xlsx([MEMBER_HEADER, member_row()]), by=staff)
    assert not report.errors
    imported = User.objects.get(username="13800000001")
    assert imported.must_change_password
    assert not imported.has_usable_password()


def test_expiry_is_off_by_default_and_a_setting(member_a, client_for, settings):
    assert settings.PASSWORD_EXPIRY_DAYS == 0
    later = timezone.now() + timedelta(days=400)
    with time_machine.travel(later):
        client = client_for(member_a)
        assert client.get(reverse("members:member-home")).status_code == 200
        settings.PASSWORD_EXPIRY_DAYS = 90
        response = client.get(reverse("members:member-home"))
        assert response["Location"] == reverse("password_change")
        assert "您的密码已过期" in client.get(reverse("password_change")).content.decode()
        client.post(reverse("password_change"), {
            "old_password": "pass-word-1", "new_password1": "My-Own-pw1", "new_password2": "My-Own-pw1",
        })
        assert client.get(reverse("members:member-home")).status_code == 200


def test_the_password_change_page_budget(member_a, client_for, django_assert_max_num_queries):
    client = client_for(member_a)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("password_change")).status_code == 200


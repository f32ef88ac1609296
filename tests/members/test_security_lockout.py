"""Failed logins (django-axes): N failures lock the name typed and, apart, the client
address for the cool-off; the page says the same whether the name exists or not; axes sees
the browser's address behind the trusted proxy; administrators see and lift lockouts."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members.audit import Action
from members.models import AuditEntry
from members.security.lockout import locked_out_message

LOGIN = reverse("login")
PASSWORD = "pass-word-1"  # tests.factories.UserFactory


def attempt(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def fail(client, username, times, **extra):
    """``times`` wrong passwords: the form again each time, the lockout page at the limit."""
    for n in range(1, times + 1):
        response = attempt(client, username, "wrong-password", **extra)
        assert response.status_code == (429 if n >= 5 else 200), n
    return response


@pytest.fixture
def member_login(member_a):
    return member_a.user


def test_five_failures_lock_the_account_even_with_the_right_password(member_login, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    client = Client()
    fail(client, "member_a", 4, REMOTE_ADDR="198.51.100.20")
    # The 5th try is still allowed (and a success does not clear the four failures).
    assert attempt(client, "member_a", PASSWORD, REMOTE_ADDR="198.51.100.20").status_code == 302
    client = Client()
    assert attempt(client, "member_a", "wrong-password", REMOTE_ADDR="198.51.100.21").status_code == 429  # the 5th
    response = attempt(client, "member_a", PASSWORD)
    assert response.status_code == 429
    assert locked_out_message() in response.content.decode()
    assert "_auth_user_id" not in client.session
    # From another address too: the account itself is locked.
    response = attempt(Client(REMOTE_ADDR="198.51.100.7"), "member_a", PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 429


def test_the_lockout_page_is_the_same_for_an_unknown_name(member_login):
    def locked_page(username, address):
        client = Client(REMOTE_ADDR=address)
        fail(client, username, 5, REMOTE_ADDR=address)
        response = attempt(client, username, "anything", REMOTE_ADDR=address)
        assert response.status_code == 429
        return response.content.decode().replace(client.cookies["csrftoken"].value, "")

    known = locked_page("member_a", "198.51.100.1")
    unknown = locked_page("nobody-here", "198.51.100.2")
    assert locked_out_message() in known
    # Byte for byte the same page (the CSRF token aside, and each form has its own).
    def strip(page):
        return "\n".join(line for line in page.splitlines() if "csrfmiddlewaretoken" not in line)

    assert strip(known) == strip(unknown)


def test_a_wrong_password_and_an_unknown_name_read_the_same(member_login):
    client = Client()
    wrong = attempt(client, "member_a", "wrong-password").context["form"].non_field_errors()
    unknown = attempt(client, "nobody-here", "wrong-password").context["form"].non_field_errors()
    assert list(wrong) == list(unknown)
    assert "用户名或密码不正确" in wrong[0]


def test_failures_from_one_address_lock_that_address_for_every_name(member_a, member_b):
    client = Client(REMOTE_ADDR="203.0.113.9")
    for name in ["a1", "a2", "a3", "a4", "a5"]:
        attempt(client, name, "wrong-password", REMOTE_ADDR="203.0.113.9")
    assert attempt(client, "member_b", PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 429
    # The same account from another address is fine: only that address is locked.
    assert attempt(Client(), "member_b", PASSWORD, REMOTE_ADDR="203.0.113.10").status_code == 302


def test_the_lockout_ends_after_the_cool_off(member_login, settings):
    assert timedelta(minutes=30) == settings.AXES_COOLOFF_TIME
    client = Client()
    fail(client, "member_a", 5)
    assert attempt(client, "member_a", PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=29)):
        assert attempt(Client(), "member_a", PASSWORD).status_code == 429
    # A failure during the lockout starts the cool-off again (29 minutes ago).
    with time_machine.travel(timezone.now() + timedelta(minutes=29 + 31)):
        assert attempt(Client(), "member_a", PASSWORD).status_code == 302


def test_the_limit_and_the_cool_off_are_settings(member_login, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=5)
    client = Client()
    attempt(client, "member_a", "wrong-password")
    assert attempt(client, "member_a", "wrong-password").status_code == 429
    response = attempt(client, "member_a", PASSWORD)
    assert response.status_code == 429
    assert "5 分钟" in response.content.decode()
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert attempt(Client(), "member_a", PASSWORD).status_code == 302


def test_behind_the_proxy_the_browser_address_counts(member_login):
    # nginx (127.0.0.1, trusted) passes the browser's address in X-Real-IP.
    attempt(Client(), "member_a", "wrong-password", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="192.0.2.44")
    assert AccessAttempt.objects.get().ip_address == "192.0.2.44"
    # From anywhere else the header is not believed.
    AccessAttempt.objects.all().delete()
    attempt(Client(), "member_a", "wrong-password", REMOTE_ADDR="198.51.100.3", HTTP_X_REAL_IP="192.0.2.44")
    assert AccessAttempt.objects.get().ip_address == "198.51.100.3"


def test_the_failure_and_the_lockout_are_audited(member_login):
    client = Client()
    fail(client, "member_a", 5)
    attempt(client, "member_a", PASSWORD)
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions.count(Action.LOGIN_FAILED) >= 5
    assert Action.LOCKOUT in actions


@pytest.fixture
def superuser(db):
    from tests.factories import UserFactory

    return UserFactory(username="root", role="admin", is_staff=True, is_superuser=True, council=None)


def test_administrators_see_and_lift_lockouts(member_login, superuser, client_for):
    client = Client()
    fail(client, "member_a", 5)
    assert attempt(client, "member_a", PASSWORD).status_code == 429
    admin = client_for(superuser)
    page = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert page.status_code == 200
    assert "member_a" in page.content.decode()
    call_command("axes_reset_username", "member_a")
    assert attempt(Client(), "member_a", PASSWORD).status_code == 302


def test_the_admin_action_lifts_a_lockout_too(member_login, superuser, client_for):
    client = Client()
    fail(client, "member_a", 5)
    admin = client_for(superuser)
    pks = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = admin.post(reverse("admin:axes_accessattempt_changelist"), {
        "action": "delete_selected", "_selected_action": pks, "post": "yes",
    })
    assert response.status_code == 302
    assert attempt(Client(), "member_a", PASSWORD).status_code == 302

"""Sessions: idle timeout, absolute lifetime (not extended by activity), one session per
login, and logging out clears the session in the store. The clock really moves
(time-machine)."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members.audit import Action
from members.models import AuditEntry

HOME = reverse("members:member-home")


def log_in(username="member_a"):
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": "pass-word-1"})
    assert response.status_code == 302
    return client


def test_settings_defaults(settings):
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    assert settings.SESSION_SINGLE_LOGIN is True
    assert settings.SESSION_SAVE_EVERY_REQUEST is False


def test_idle_for_thirty_minutes_logs_out(member_a):
    start = timezone.now()
    with time_machine.travel(start) as clock:
        client = log_in()
        key = client.session.session_key
        clock.shift(timedelta(minutes=29))
        assert client.get(HOME).status_code == 200  # still in, and active again
        clock.shift(timedelta(minutes=29))
        assert client.get(HOME).status_code == 200
        clock.shift(timedelta(minutes=31))
        response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={HOME}"
    page = client.get(response["Location"]).content.decode()
    assert "您已 30 分钟未操作，已自动退出" in page
    assert not Session.objects.filter(session_key=key).exists()  # gone from the store
    entry = AuditEntry.objects.get(action=Action.SESSION_EXPIRED)
    assert entry.user == member_a.user
    assert entry.detail == {"reason": "idle"}


def test_the_idle_timeout_is_a_setting(member_a, settings):
    settings.SESSION_IDLE_TIMEOUT = 5 * 60
    with time_machine.travel(timezone.now()) as clock:
        client = log_in()
        clock.shift(timedelta(minutes=6))
        assert client.get(HOME).status_code == 302


def test_the_absolute_lifetime_is_not_extended_by_activity(member_a, settings):
    with time_machine.travel(timezone.now()) as clock:
        client = log_in()
        # A request every 20 minutes, past the 12 hours: at exactly 12 hours (the 36th) the
        # session may still be in its last second, depending on how much real time the
        # requests took.
        for _ in range(12 * 3 + 1):
            clock.shift(timedelta(minutes=20))
            if client.get(HOME).status_code != 200:
                break
        else:
            pytest.fail("still logged in 12 hours 20 minutes after the login")
    page = client.get(reverse("login")).content.decode()
    assert "会话已达到最长时限" in page
    assert AuditEntry.objects.get(action=Action.SESSION_EXPIRED).detail == {"reason": "lifetime"}


def test_activity_keeps_the_session_until_the_lifetime(member_a, settings):
    settings.SESSION_COOKIE_AGE = 3600
    with time_machine.travel(timezone.now()) as clock:
        client = log_in()
        for _ in range(2):
            clock.shift(timedelta(minutes=25))
            assert client.get(HOME).status_code == 200
        clock.shift(timedelta(minutes=11))
        assert client.get(HOME).status_code == 302


def test_a_new_login_ends_the_other_sessions(member_a):
    first = log_in()
    second = log_in()
    assert second.get(HOME).status_code == 200
    assert first.get(HOME).status_code == 302
    assert not Session.objects.filter(session_key=first.cookies["sessionid"].value).exists()


def test_with_the_setting_off_both_sessions_live(member_a, settings):
    settings.SESSION_SINGLE_LOGIN = False
    first = log_in()
    second = log_in()
    assert first.get(HOME).status_code == 200
    assert second.get(HOME).status_code == 200


def test_other_logins_keep_their_sessions(member_a, member_b):
    a = log_in("member_a")
    log_in("member_b")
    assert a.get(HOME).status_code == 200


def test_logout_clears_the_session_in_the_store(member_a):
    client = log_in()
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    assert client.post(reverse("logout")).status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    # The old cookie, replayed, is no longer a login.
    replay = Client()
    replay.cookies["sessionid"] = key
    assert replay.get(HOME).status_code == 302


def test_a_request_does_not_write_the_session_each_time(member_a, client_for, django_assert_max_num_queries):
    client = client_for(member_a)
    client.get(HOME)
    later = time_machine.travel(timezone.now() + timedelta(seconds=5))
    with later, django_assert_max_num_queries(50) as captured:
        client.get(HOME)
    assert not any("UPDATE \"django_session\"" in q["sql"] for q in captured.captured_queries)

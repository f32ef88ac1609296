"""Notices: stored once per key, e-mailed once, and never lost when the broker is down."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from liaison.celery import app as celery_app
from members.models import Notification
from members.services import notification_send
from members.tasks import notifications_email_pending

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down(monkeypatch):
    previous = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    # Celery reads CELERY_BROKER_URL from the environment before its configuration (the
    # PostgreSQL + Redis pass of .ci/run sets it): both must name the dead broker.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:9/0")
    celery_app.conf.broker_url = "redis://127.0.0.1:9/0"  # nothing listens there
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = previous


def test_a_notice_is_stored_and_emailed_once(staff, django_capture_on_commit_callbacks):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            notification_send(users=[staff], kind="test", subject="提案已立案", key="filed:1")
    assert Notification.objects.filter(user=staff).count() == 1
    assert len(mail.outbox) == 1


def test_with_the_broker_down_the_notice_is_kept_and_emailed_later(
    staff, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # must not raise
        notification_send(users=[staff], kind="test", subject="提案已交办", key="assigned:1")
    notice = Notification.objects.get(user=staff)
    assert notice.emailed_at is None
    assert mail.outbox == []

    Notification.objects.filter(pk=notice.pk).update(created_at=timezone.now() - timedelta(minutes=6))
    assert notifications_email_pending() == 1
    assert notifications_email_pending() == 0  # the second run sends nothing again
    assert [m.subject for m in mail.outbox] == ["提案已交办"]


def test_the_retry_job_is_scheduled():
    task = PeriodicTask.objects.get(task="members.tasks.notifications_email_pending")
    assert task.enabled
    assert task.crontab.minute == "*/15"


# --- A mail server that fails ------------------------------------------------------------


class FailingBackend:
    """A mail backend whose server refuses every message."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


@pytest.fixture
def mail_down(settings):
    settings.EMAIL_BACKEND = "tests.members.test_notifications.FailingBackend"


def _notify(user, key, capture):
    with capture(execute=True):
        notification_send(users=[user], kind="test", subject="提案已答复", key=key)
    return Notification.objects.get(user=user, key=key)


def test_a_failed_email_is_not_marked_sent(staff, mail_down, django_capture_on_commit_callbacks):
    notice = _notify(staff, "replied:1", django_capture_on_commit_callbacks)
    notice.refresh_from_db()
    assert notice.emailed_at is None
    assert notice.email_attempts == 1
    assert "mail server down" in notice.email_error


def test_a_failed_email_is_retried_with_back_off_until_it_goes(
    staff, mail_down, settings, django_capture_on_commit_callbacks
):
    notice = _notify(staff, "replied:2", django_capture_on_commit_callbacks)
    notice.refresh_from_db()
    first_retry = notice.email_next_try_at
    assert first_retry > timezone.now()
    assert notifications_email_pending() == 0  # not due yet: nothing is tried

    # Due, still down: counted again, and the next try waits longer.
    Notification.objects.filter(pk=notice.pk).update(email_next_try_at=timezone.now())
    assert notifications_email_pending() == 0
    notice.refresh_from_db()
    assert notice.email_attempts == 2
    assert notice.email_next_try_at - timezone.now() > timedelta(minutes=1, seconds=50)

    # The server is back: the next due run sends it, once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Notification.objects.filter(pk=notice.pk).update(email_next_try_at=timezone.now())
    assert notifications_email_pending() == 1
    assert notifications_email_pending() == 0
    notice.refresh_from_db()
    assert notice.emailed_at is not None
    assert [m.subject for m in mail.outbox] == ["提案已答复"]


def test_a_notice_that_keeps_failing_is_listed_for_admins(
    staff, mail_down, settings, django_capture_on_commit_callbacks, admin_client
):
    settings.NOTICE_EMAIL_MAX_ATTEMPTS = 3
    notice = _notify(staff, "replied:3", django_capture_on_commit_callbacks)
    for _ in range(5):
        Notification.objects.filter(pk=notice.pk).update(email_next_try_at=timezone.now())
        notifications_email_pending()
    notice.refresh_from_db()
    assert notice.email_attempts == 3  # then it stops trying
    assert list(Notification.objects.email_failed()) == [notice]

    page = admin_client.get("/admin/members/notification/?email=failed").content.decode()
    assert "提案已答复" in page
    assert "mail server down" in page

    # Mended: the admin action gives it fresh attempts, and the next run sends it.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    admin_client.post(
        "/admin/members/notification/",
        {"action": "retry_email", "_selected_action": [notice.pk]},
    )
    assert notifications_email_pending() == 1
    assert len(mail.outbox) == 1


def test_two_runs_at_once_send_one_email(staff, django_capture_on_commit_callbacks):
    """The claim is a conditional update: a second run finds the notice taken."""
    from members.services import notification_email

    with django_capture_on_commit_callbacks(execute=False):
        notification_send(users=[staff], kind="test", subject="提案已立案", key="filed:9")
    notice = Notification.objects.get(user=staff)
    assert notification_email(notice_id=notice.pk) is True
    assert notification_email(notice_id=notice.pk) is False
    assert len(mail.outbox) == 1


ENQUEUE_WITH_BROKER_DOWN = """
import socket
attempts = []
connect = socket.socket.connect
def counting_connect(sock, address):
    if address[1:2] == (9,):
        attempts.append(address)
    return connect(sock, address)
socket.socket.connect = counting_connect

import django
django.setup()
from members.tasks import enqueue_on_commit, notifications_email
enqueue_on_commit(notifications_email, user_ids=[1], key="x")  # outside a transaction: now
print(len(attempts))
"""


def test_with_the_broker_down_a_request_tries_one_connection():
    """No retry in the request path: one refused connection, logged, and the page goes on.
    (A fresh interpreter with the production configuration: the suite's own Celery app has
    pooled connections to other brokers.)"""
    import os
    import subprocess
    import sys
    from pathlib import Path

    # (An in-memory database: on_commit asks the connection whether it is in a transaction.)
    env = {**os.environ, "CELERY_BROKER_URL": "redis://127.0.0.1:9/0", "DATABASE_URL": "sqlite://:memory:"}
    run = subprocess.run(
        [sys.executable, "-c", ENQUEUE_WITH_BROKER_DOWN], env=env, capture_output=True, text=True,
        cwd=Path(__file__).resolve().parents[2], timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "1"
    assert "Could not enqueue members.tasks.notifications_email" in run.stderr

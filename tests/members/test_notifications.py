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
def broker_down():
    previous = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
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

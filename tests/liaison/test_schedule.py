"""The periodic jobs: declared once (liaison/schedule.py), put in place by migrate."""

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from liaison.celery import app as celery_app
from liaison.schedule import SCHEDULE, schedule_sync

pytestmark = pytest.mark.django_db


def test_migrate_put_every_declared_job_in_place_once():
    for task, job in SCHEDULE.items():
        entry = PeriodicTask.objects.get(task=task)  # exactly one
        assert entry.name == job["name"]
        assert entry.enabled
        assert entry.crontab.timezone.key == "Asia/Shanghai"
        for field, value in job["crontab"].items():
            assert getattr(entry.crontab, field) == value
    assert PeriodicTask.objects.exclude(task="celery.backend_cleanup").count() == len(SCHEDULE)


def test_every_declared_job_is_a_task_the_workers_know():
    celery_app.loader.import_default_modules()
    assert set(SCHEDULE) <= set(celery_app.tasks)


def test_a_second_sync_changes_nothing():
    assert schedule_sync() == []
    call_command("schedule_sync")
    assert PeriodicTask.objects.count() == len(SCHEDULE)


def test_admin_edits_are_kept_unless_reset():
    task = "activities.tasks.reminders_digest_task"
    entry = PeriodicTask.objects.get(task=task)
    entry.enabled = False
    entry.save()
    assert schedule_sync() == []
    assert not PeriodicTask.objects.get(task=task).enabled
    assert schedule_sync(reset=True) == [f"~ {SCHEDULE[task]['name']} ({task})"]
    assert PeriodicTask.objects.get(task=task).enabled


def test_a_missing_job_comes_back():
    PeriodicTask.objects.filter(task="members.tasks.notifications_email_pending").delete()
    assert len(schedule_sync()) == 1
    assert PeriodicTask.objects.filter(task="members.tasks.notifications_email_pending").exists()

"""Reliability of reminder generation: concurrent sweeps on PostgreSQL, a broker that is
down, and a real Celery worker on a real broker (the ``worker`` pass of ``.ci/run``)."""

import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, connections
from django.utils import timezone

from activities.models import Reminder
from activities.reminders import reminders_sweep, rules_install_defaults
from liaison.celery import app as celery_app
from tests.activities.reminder_helpers import TODAY, at
from tests.factories import ConstituentFactory, MemberFactory

ROOT = Path(__file__).resolve().parents[2]


def _no_duplicates():
    keys = list(Reminder.objects.values_list("rule_id", "member_id", "constituent_id", "period_key"))
    assert len(keys) == len(set(keys))
    return len(keys)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_moment_insert_once(council, sector):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent transactions")
    rules_install_defaults(council=council)
    for member in MemberFactory.create_batch(5, council=council, sector=sector):
        ConstituentFactory.create_batch(20, member=member)
    barrier = threading.Barrier(2)
    errors = []

    def sweep():
        try:
            barrier.wait()
            reminders_sweep(today=TODAY)
        except Exception as error:  # reported below, in the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _no_duplicates() == 100  # a first visit each


@pytest.mark.django_db
def test_broker_down_contact_still_logged_and_next_sweep_catches_up(
    council, member_a, settings, django_capture_on_commit_callbacks
):
    from activities.services import contact_log_create

    rules_install_defaults(council=council)
    person = ConstituentFactory(member=member_a)
    celery_app.conf.task_always_eager = False  # restored by the conftest fixture
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:9/0"  # nothing listens there
    try:
        with django_capture_on_commit_callbacks(execute=True):
            log = contact_log_create(
                by=member_a.user, member=member_a, constituents=[person],
                contacted_at=at(TODAY, 0), channel="forum", mode="visit", summary="走访",
                difficulty=True, difficulty_kind="hardship",
            )
    finally:
        celery_app.conf.broker_url = previous
    assert log.pk is not None
    assert not Reminder.objects.filter(rule__trigger_type="difficulty").exists()  # lost event
    reminders_sweep(today=TODAY)
    assert Reminder.objects.filter(rule__trigger_type="difficulty", constituent=person).count() == 1


def _worker_env() -> dict:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    env = dict(os.environ)
    env["DATABASE_URL"] = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return env


def _wait_for(check, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return False


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_runs_the_sweep_and_an_event_through_the_broker(council, member_a, staff):
    if not os.environ.get("CELERY_BROKER_URL"):
        pytest.skip("CELERY_BROKER_URL is not set (the PostgreSQL + Redis pass of .ci/run sets it)")
    if connection.vendor != "postgresql":
        pytest.skip("the worker needs a database it can share with the test: PostgreSQL")
    from activities import tasks
    from activities.services_events import consultation_create

    rules_install_defaults(council=council)
    ConstituentFactory.create_batch(3, member=member_a)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "liaison", "worker", "--pool=solo",
         "--concurrency=1", "--without-heartbeat", "--without-gossip", "--without-mingle",
         "-Q", "celery", "--loglevel=WARNING"],
        cwd=ROOT, env=_worker_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        tasks.reminders_sweep_task.delay(TODAY.isoformat())
        assert _wait_for(lambda: Reminder.objects.filter(rule__trigger_type="first_visit").count() == 3)
        # An event: the consultation service enqueues on commit (a real commit here).
        consultation = consultation_create(
            council=council, by=staff, topic="老旧小区加装电梯", members=[member_a],
            held_on=timezone.localdate() + timedelta(days=5),
        )
        key = f"consultation-{consultation.pk}"
        assert _wait_for(lambda: Reminder.objects.filter(period_key=key, member=member_a).exists())
    finally:
        worker.terminate()  # by its PID, the one we started
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    assert _no_duplicates() == 4

"""Reliability of reminder generation: concurrent sweeps on PostgreSQL, a broker that is
down, and a real Celery worker on a real broker (the ``worker`` pass of ``.ci/run``)."""

import os
import signal
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
from activities.reminders.services.rules import rules_install_defaults
from activities.reminders.services.sweep import reminders_sweep
from liaison.celery import app as celery_app
from tests.activities.reminders.reminder_helpers import TODAY, at
from tests.factories import ConstituentFactory, MemberFactory
from tests.workers import stop, wait_for, worker_env

ROOT = Path(__file__).resolve().parents[3]


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
    from activities.contacts.services import contact_log_create

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


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_runs_the_sweep_and_an_event_through_the_broker(council, member_a, staff):
    if not os.environ.get("CELERY_BROKER_URL"):
        pytest.skip("CELERY_BROKER_URL is not set (the PostgreSQL + Redis pass of .ci/run sets it)")
    if connection.vendor != "postgresql":
        pytest.skip("the worker needs a database it can share with the test: PostgreSQL")
    from activities.events.services.consultations import consultation_create
    from activities.reminders import tasks

    rules_install_defaults(council=council)
    ConstituentFactory.create_batch(3, member=member_a)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "liaison", "worker", "--pool=solo",
         "--concurrency=1", "--without-heartbeat", "--without-gossip", "--without-mingle",
         "-Q", "celery,reminders", "--loglevel=WARNING"],
        cwd=ROOT, env=worker_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        tasks.reminders_sweep_task.delay(TODAY.isoformat())
        assert wait_for(lambda: Reminder.objects.filter(rule__trigger_type="first_visit").count() == 3)
        # An event: the consultation service enqueues on commit (a real commit here).
        consultation = consultation_create(
            council=council, by=staff, topic="老旧小区加装电梯", members=[member_a],
            held_on=timezone.localdate() + timedelta(days=5),
        )
        assert wait_for(
            lambda: Reminder.objects.filter(consultation=consultation, member=member_a).exists()
        )
    finally:
        stop(worker)
    assert _no_duplicates() == 4


# A worker whose broker gives an unacknowledged message back after 3 s: the production
# settings, with the visibility timeout set through its environment variable as an operator
# would (the default is 15 minutes), and unacknowledged messages looked for every second
# rather than every ~100 s, so that the test doesn't wait. (It may also give back another
# test's message left unacknowledged for 3 s: tasks are idempotent.)
KILLABLE_WORKER = """
import sys
from liaison.celery import app
app.conf.broker_transport_options = {
    **(app.conf.broker_transport_options or {}),
    "unacked_restore_interval": 1, "unacked_restore_throttle": 1,
}
app.worker_main(["worker", "--pool=" + sys.argv[2], "--concurrency=1", "--without-heartbeat",
                 "--without-gossip", "--without-mingle", "--loglevel=INFO", "-Q", sys.argv[1]])
"""


def _start_worker(queue: str, log: Path, pool: str = "solo") -> subprocess.Popen:
    """A worker in a session of its own, so that killing its group kills the main process
    and its pool together, as when a whole machine or container dies."""
    return subprocess.Popen(
        [sys.executable, "-c", KILLABLE_WORKER, queue, pool], cwd=ROOT,
        env={**worker_env(), "CELERY_VISIBILITY_TIMEOUT": "3"},
        stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
    )


def _backend_waiting_to_insert_reminders():
    """The PID of the database session blocked on the reminder table, if any."""
    with connection.cursor() as cursor:
        # Inside a transaction pg_stat_activity is read once and kept: read it afresh.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database() AND query LIKE %s",
            [f'INSERT INTO "{Reminder._meta.db_table}"%'],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_sweep_loses_nothing_and_the_sweep_runs_once(council, member_a, tmp_path):
    """acks_late: a worker killed (SIGKILL) in the middle of the sweep never acknowledged
    the message; its transaction dies with it; the broker gives the message to the next
    worker, which does the whole sweep once."""
    if not os.environ.get("CELERY_BROKER_URL"):
        pytest.skip("CELERY_BROKER_URL is not set (the PostgreSQL + Redis pass of .ci/run sets it)")
    if connection.vendor != "postgresql":
        pytest.skip("the worker needs a database it can share with the test: PostgreSQL")
    import uuid

    from django.db import transaction
    from kombu import Exchange, Queue

    from activities.reminders import tasks
    from members.models import Constituent

    rules_install_defaults(council=council)
    # Three constituents for the sweep to give first visits; added in bulk (no event) so
    # that no event task goes to the shared queue for another test's worker to take.
    Constituent.objects.bulk_create(ConstituentFactory.build_batch(3, member=member_a))
    queue = f"kill-test-{uuid.uuid4().hex[:8]}"  # its own queue: no other test's worker takes it
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = _start_worker(queue, first_log, pool="prefork")
    second = None
    try:
        # Hold the reminder table: the sweep's first INSERT waits, mid-task, until released.
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f'LOCK TABLE "{Reminder._meta.db_table}" IN SHARE ROW EXCLUSIVE MODE')
            sent = tasks.reminders_sweep_council_task.apply_async(
                kwargs={"council_id": council.pk, "today": TODAY.isoformat()}, queue=queue
            )
            assert wait_for(lambda: _backend_waiting_to_insert_reminders() is not None), (
                first_log.read_text()
            )
            orphan = _backend_waiting_to_insert_reminders()
            # SIGKILL to the main process and its pool at once: no warm shutdown, no chance
            # to acknowledge or requeue.
            os.killpg(first.pid, signal.SIGKILL)
            first.wait()
        # Released: the killed worker's session finds its client gone and rolls back.
        assert wait_for(lambda: not _backend_alive(orphan))
        assert Reminder.objects.count() == 0
        log = first_log.read_text()
        assert f"[{sent.id}] received" in log
        assert f"[{sent.id}] succeeded" not in log

        second = _start_worker(queue, second_log)  # after the visibility timeout: redelivered
        assert wait_for(lambda: Reminder.objects.count() == 3), second_log.read_text()
        assert wait_for(lambda: f"[{sent.id}] succeeded" in second_log.read_text())
        time.sleep(6)  # two more visibility timeouts: an acknowledged message stays gone
    finally:
        stop(first)
        if second is not None:
            stop(second)
        with celery_app.connection_for_write() as broker:  # the test's queue goes with it
            bound = Queue(queue, Exchange(queue), routing_key=queue)(broker.default_channel)
            bound.declare()  # known to this channel, so that delete() removes its binding
            bound.delete()
    assert _no_duplicates() == 3
    log = second_log.read_text()  # the same message, redelivered once and done once
    assert log.count(f"[{sent.id}] received") == 1
    assert log.count(f"[{sent.id}] succeeded") == 1


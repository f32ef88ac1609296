"""Two real Celery workers on two named queues (the ``worker`` pass of ``.ci/run``): each
scheduled job's parent enqueues one task per council, every one of them runs on the worker
that consumes the job's queue and on no other, and the rows end right.

The workers run as production starts one per queue (``celery -A liaison worker -Q …``) and
are the only consumers of a broker database of their own (``TEST_FANOUT_BROKER_URL``, by
default database 15 of the suite's Redis): another test's worker on the suite's broker never
takes these tasks, nor these workers another test's."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from activities.contacts import tasks as contacts_tasks
from activities.contacts.rollups import raw_counts
from activities.models import ContactDay, Reminder
from activities.reminders import tasks as reminders_tasks
from liaison.celery import app as celery_app
from members.models import Notification, RosterTally
from members.rollups import raw_tally, stored_tally
from tests.activities.reminders.reminder_helpers import TODAY
from tests.activities.test_fan_out import council_with_work
from tests.workers import stop, wait_for, worker_env

ROOT = Path(__file__).resolve().parents[2]


def _own_broker() -> str:
    url = os.environ.get("TEST_FANOUT_BROKER_URL") or re.sub(
        r"/\d*$", "/15", os.environ["CELERY_BROKER_URL"].rstrip("/")
    )
    import redis

    redis.Redis.from_url(url).flushdb()  # nothing left from an earlier run
    return url


def _start(queue: str, broker: str, log: Path) -> subprocess.Popen:
    """A worker as production starts one per queue, named after it."""
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "liaison", "worker", "-Q", queue,
         "-n", f"{queue}@%h", "--pool=solo", "--without-heartbeat", "--without-gossip",
         "--without-mingle", "--loglevel=INFO"],
        cwd=ROOT, env=worker_env(CELERY_BROKER_URL=broker), stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def _done(log: Path, task) -> int:
    """How many of ``task`` the worker writing ``log`` finished."""
    return len(re.findall(rf"Task {re.escape(task.name)}\[[-0-9a-f]+\] succeeded", log.read_text()))


def _contact_days() -> set:
    return set(ContactDay.objects.values_list(
        "council_id", "day", "channel", "sector_id", "committee_id", "platform_id", "logs",
        "constituent_contacts"))


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_workers_on_two_queues_share_the_jobs_council_by_council(
    council, other_council, tmp_path
):
    if not os.environ.get("CELERY_BROKER_URL"):
        pytest.skip("CELERY_BROKER_URL is not set (the PostgreSQL + Redis pass of .ci/run sets it)")
    if connection.vendor != "postgresql":
        pytest.skip("the workers need a database they can share with the test: PostgreSQL")
    councils = [council, other_council]
    council_with_work(council, "staff-a")
    council_with_work(other_council, "staff-b")
    ContactDay.objects.all().delete()  # drift for the nightly recount to repair
    RosterTally.objects.all().delete()
    broker = _own_broker()
    logs = {queue: tmp_path / f"{queue}.log" for queue in ("reminders", "rollups")}
    workers = {queue: _start(queue, broker, log) for queue, log in logs.items()}
    try:
        for log in logs.values():
            assert wait_for(lambda log=log: " ready." in log.read_text()), log.read_text()
        with celery_app.connection_for_write(broker) as conn:  # as beat would send them
            reminders_tasks.reminders_sweep_task.apply_async(args=[TODAY.isoformat()], connection=conn)
            contacts_tasks.rollups_rebuild_task.apply_async(connection=conn)

        def swept():
            return all(Reminder.objects.filter(council=c).count() == 4 for c in councils)

        assert wait_for(swept), logs["reminders"].read_text()
        assert wait_for(lambda: _done(logs["rollups"], contacts_tasks.rollups_rebuild_council_task)
                        == 2), logs["rollups"].read_text()
        with celery_app.connection_for_write(broker) as conn:  # after the sweep, as at 07:00
            reminders_tasks.reminders_digest_task.apply_async(args=[TODAY.isoformat()], connection=conn)
        assert wait_for(lambda: _done(logs["reminders"], reminders_tasks.reminders_digest_council_task)
                        == 2), logs["reminders"].read_text()
    finally:
        for worker in workers.values():
            stop(worker)
    reminders_log, rollups_log = logs["reminders"].read_text(), logs["rollups"].read_text()
    # One task per council, each on the worker of its job's queue and only there.
    assert _done(logs["reminders"], reminders_tasks.reminders_sweep_task) == 1
    assert _done(logs["reminders"], reminders_tasks.reminders_sweep_council_task) == 2
    assert _done(logs["rollups"], contacts_tasks.rollups_rebuild_task) == 1
    assert re.search(r"reminders@\S+ ready\.", reminders_log)
    assert re.search(r"rollups@\S+ ready\.", rollups_log)
    assert not re.search(r"Task activities\.tasks\.rollups_\w+\[", reminders_log)
    assert not re.search(r"Task activities\.tasks\.reminders_\w+\[", rollups_log)
    # And the rows ended right: every council swept, digested and recounted.
    for c in councils:
        assert Reminder.objects.filter(council=c, rule__trigger_type="periodic",
                                       state=Reminder.State.OVERDUE).count() == 2
        assert Notification.objects.filter(user__member__council=c, kind="reminder_digest").count() == 2
    assert _contact_days() == set(raw_counts())
    assert stored_tally() == raw_tally()

"""The scheduled jobs fan out: a parent enqueues one task per council on the job's named
queue and waits for none; each council's task is idempotent, so running the tasks twice
changes nothing, and the management commands (in-process, no broker) leave the same rows.

Eager here (``make test``); the two real workers on different queues are in
``test_fan_out_workers.py``; the per-council lock on PostgreSQL at the end."""

import threading
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections

from activities.contacts import tasks as contacts_tasks
from activities.contacts.models import ContactDayMark
from activities.contacts.rollups import raw_counts
from activities.models import ContactDay, ContactTally, Reminder
from activities.reminders import tasks as reminders_tasks
from activities.reminders.models import SweepMark
from liaison.celery import app as celery_app
from members.common.locks import _job_key
from members.models import Council, Member, Notification, RosterTally, User
from members.rollups import raw_tally, stored_tally
from tests.activities.reminders.reminder_helpers import TODAY, log_contact
from tests.factories import ConstituentFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

# (parent, the per-council task it enqueues, its queue)
JOBS = [
    (reminders_tasks.reminders_sweep_task, reminders_tasks.reminders_sweep_council_task, "reminders"),
    (reminders_tasks.reminders_digest_task, reminders_tasks.reminders_digest_council_task, "reminders"),
    (reminders_tasks.reminders_escalate_task, reminders_tasks.reminders_escalate_council_task,
     "reminders"),
    (contacts_tasks.rollups_rebuild_task, contacts_tasks.rollups_rebuild_council_task, "rollups"),
]


def council_with_work(council, staff_name: str) -> None:
    """Two members, each with a constituent last visited 200 days ago (a periodic visit long
    overdue: escalated) and one never visited (a first visit due), and a member of staff."""
    UserFactory(username=staff_name, role=User.Role.STAFF, council=council)
    for member in MemberFactory.create_batch(2, council=council):
        old, new = ConstituentFactory(member=member), ConstituentFactory(member=member)
        log_contact(member, [old], TODAY - timedelta(days=200))
        assert new.pk


@pytest.fixture
def councils(council, other_council):
    council_with_work(council, "staff-a")
    council_with_work(other_council, "staff-b")
    return [council, other_council]


def reminders() -> set:
    return set(Reminder.objects.values_list(
        "council_id", "rule_id", "member_id", "constituent_id", "period_key", "state", "due_on"))


def notices() -> set:
    return set(Notification.objects.values_list("user_id", "kind", "key", "subject", "body"))


def rollups() -> tuple:
    return (
        set(ContactDay.objects.values_list(
            "council_id", "day", "channel", "sector_id", "committee_id", "platform_id", "logs",
            "constituent_contacts")),
        set(ContactTally.objects.filter(logs__gt=0).values_list(
            "council_id", "dimension", "period", "start", "channel", "item_id", "logs")),
        stored_tally(),
        set(Member.objects.values_list("pk", "active_constituents")),
    )


def run_the_day(today: str) -> None:
    """The morning's jobs and the night's recount, as beat starts them."""
    reminders_tasks.reminders_sweep_task.delay(today)
    reminders_tasks.reminders_digest_task.delay(today)
    reminders_tasks.reminders_escalate_task.delay(today)
    contacts_tasks.rollups_rebuild_task.delay()


@pytest.mark.parametrize(("parent", "child", "queue"), JOBS)
def test_a_parent_enqueues_one_task_per_council_on_its_queue_and_runs_none(
    councils, monkeypatch, parent, child, queue
):
    sent = []
    monkeypatch.setattr(child._get_current_object(), "apply_async",
                        lambda kwargs=None, **options: sent.append(kwargs))
    before = (reminders(), notices(), rollups())
    assert parent.delay().get() == Council.objects.count() == 2
    assert sorted(kwargs["council_id"] for kwargs in sent) == sorted(c.pk for c in councils)
    assert (reminders(), notices(), rollups()) == before  # the parent itself did nothing
    route = celery_app.amqp.router.route({}, child.name)
    assert route["queue"].name == queue
    assert celery_app.amqp.router.route({}, parent.name)["queue"].name == queue


def test_the_parent_fixes_the_day_for_every_council(councils, monkeypatch):
    sent = []
    child = reminders_tasks.reminders_sweep_council_task._get_current_object()
    monkeypatch.setattr(child, "apply_async", lambda kwargs=None, **options: sent.append(kwargs))
    reminders_tasks.reminders_sweep_task.delay("2026-03-01")
    assert {kwargs["today"] for kwargs in sent} == {"2026-03-01"}


def test_the_jobs_leave_every_council_right_and_a_second_run_changes_nothing(councils):
    ContactDay.objects.all().delete()  # drift for the recount to repair
    RosterTally.objects.all().delete()
    run_the_day(TODAY.isoformat())
    for council in councils:
        assert Reminder.objects.filter(council=council, rule__trigger_type="periodic",
                                       state=Reminder.State.OVERDUE).count() == 2
        assert Reminder.objects.filter(council=council, rule__trigger_type="first_visit").count() == 2
        staff = User.objects.get(council=council, role=User.Role.STAFF)
        assert Notification.objects.filter(user=staff, kind="reminder_escalation").count() == 1
        assert Notification.objects.filter(user__member__council=council,
                                           kind="reminder_digest").count() == 2
    assert set(raw_counts()) == {
        (*row[:6], row[6], row[7]) for row in ContactDay.objects.values_list(
            "council_id", "day", "channel", "sector_id", "committee_id", "platform_id", "logs",
            "constituent_contacts")
    }
    assert stored_tally() == raw_tally()
    first = (reminders(), notices(), rollups())
    run_the_day(TODAY.isoformat())
    for _parent, child, _queue in JOBS:  # and each council's task once more, directly
        for council in councils:
            child.delay(council_id=council.pk, today=TODAY.isoformat())
    assert (reminders(), notices(), rollups()) == first


def test_a_council_gone_before_its_task_ran_is_skipped(councils):
    for _parent, child, _queue in JOBS:
        assert child.delay(council_id=999_999, today=TODAY.isoformat()).get() == 0
    assert not Reminder.objects.exists()


def test_the_commands_leave_what_the_fan_out_leaves(councils):
    """``remind --escalate`` and ``rollups_rebuild`` on a laptop, without a broker, against the
    jobs' fan-out on the same rows."""
    ContactDay.objects.all().delete()
    RosterTally.objects.all().delete()
    call_command("remind", "--escalate")
    call_command("rollups_rebuild")
    by_commands = (reminders(), notices(), rollups())
    for model in (Notification, Reminder, SweepMark, ContactDay, ContactDayMark, ContactTally,
                  RosterTally):  # the marks too: both runs start from nothing
        model.objects.all().delete()
    run_the_day(TODAY.isoformat())
    assert (reminders(), notices(), rollups()) == by_commands
    assert by_commands[0]  # something to compare
    assert by_commands[1]
    assert by_commands[2][0]


def test_every_routed_queue_is_consumed_by_a_worker_started_without_q():
    """``celery worker`` without -Q consumes the declared queues: each route's queue must be
    one, or its tasks would wait for a worker that never comes."""
    declared = set(celery_app.amqp.queues)
    assert declared == {"celery", "reminders", "rollups"}
    assert {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} <= declared
    celery_app.loader.import_default_modules()
    assert set(settings.CELERY_TASK_ROUTES) <= set(celery_app.tasks)  # no route names a typo
    # What a user starts stays on the default queue, ahead of the scheduled work.
    for name in ("activities.tasks.reminders_new_constituent_task",
                 "activities.tasks.reminders_consultation_task",
                 "members.tasks.notifications_email"):
        assert celery_app.amqp.router.route({}, name)["queue"].name == "celery"


@contextmanager
def sweep_running(council):
    """This session holds ``council``'s sweep lock for the block, as a sweep that runs."""
    key = [_job_key("reminders_sweep"), council.pk]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s::int, %s::int)", key)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s::int, %s::int)", key)


def started(task, results: list, **kwargs) -> threading.Thread:
    """``task(**kwargs)`` run in a thread of its own (its own connection), its answer put in
    ``results``."""
    def run():
        try:
            results.append(task(**kwargs))
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_second_run_of_a_councils_sweep_waits_for_the_first(councils):
    """Two workers given the same council's sweep at once (a parent enqueued twice): the
    second waits on the council's advisory lock, then finds the work done."""
    council, other = councils
    results = []
    with sweep_running(council):  # this session plays the first run
        thread = started(reminders_tasks.reminders_sweep_council_task, results,
                         council_id=council.pk, today=TODAY.isoformat())
        time.sleep(1.5)
        assert thread.is_alive()
        assert not Reminder.objects.filter(council=council).exists()
        # Another council's sweep is not held up.
        assert reminders_tasks.reminders_sweep_council_task(
            council_id=other.pk, today=TODAY.isoformat()) == 4
    thread.join(timeout=60)
    assert results == [4]
    assert Reminder.objects.filter(council=council).count() == 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_event_task_waits_for_its_councils_sweep(councils):
    """A new constituent's first visit made while its council's sweep runs would insert the
    same reminder as the sweep at once (two inserts meeting on the same keys in different
    orders deadlock): the event task takes the sweep's lock, waits, then adds what is left."""
    council = councils[0]
    constituent = ConstituentFactory(member=Member.objects.filter(council=council).first())
    results = []
    with sweep_running(council):
        thread = started(reminders_tasks.reminders_new_constituent_task, results,
                         constituent_id=constituent.pk)
        time.sleep(1.5)
        assert thread.is_alive()
        assert not Reminder.objects.filter(constituent=constituent).exists()
    thread.join(timeout=60)
    assert results == [1]
    assert Reminder.objects.filter(constituent=constituent).count() == 1

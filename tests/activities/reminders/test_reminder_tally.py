"""The must-visit tally (``ReminderTally``) equals the reminders after every kind of write —
kept by the triggers on the reminder table (SQLite and PostgreSQL) — and the dashboard reads
it instead of counting reminders one by one."""

from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Reminder, ReminderTally, TriggerType
from activities.reminders.services.closing import reminder_dismiss
from activities.reminders.services.sweep import reminders_mark_overdue, reminders_sweep
from activities.reminders.services.tally import reminder_tally_rebuild
from activities.reminders.services.triggers import reminders_follow_consultation_date
from tests.activities.events.event_helpers import ConsultationFactory
from tests.activities.reminders.reminder_helpers import (
    TODAY,
    log_contact,
    only_rule,
    two_councils_swept,
)
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def raw() -> Counter:
    """The tally's rows as counted from the reminders: (council, period, start) → counts."""
    counts = Counter()
    for council_id, due_on, state, on_time in Reminder.objects.values_list(
        "council_id", "due_on", "state", "on_time"
    ):
        if state not in ("done", "overdue"):
            continue
        for key in ((council_id, "d", due_on), (council_id, "m", due_on.replace(day=1))):
            counts[(*key, "due")] += 1
            counts[(*key, "on_time")] += state == "done" and on_time
            counts[(*key, "overdue")] += state == "overdue"
    return +counts  # zero counts dropped


def tally() -> Counter:
    counts = Counter()
    for row in ReminderTally.objects.all():
        for name in ("due", "on_time", "overdue"):
            counts[(row.council_id, row.period, row.start, name)] += getattr(row, name)
    return +counts


@pytest.fixture
def world(council, other_council, member_a, member_b, other_member):
    """Reminders of two councils, some past due: the sweep's inserts and overdue mark."""
    return two_councils_swept(council, other_council, member_a, member_b, other_member)


def test_the_sweep_and_the_overdue_mark_are_counted(world):
    assert Reminder.objects.filter(state="overdue").exists()
    assert Reminder.objects.filter(state="open").exists()
    assert tally() == raw()
    later = TODAY + timedelta(days=40)
    reminders_sweep(today=later)  # the new constituents' first visits fall overdue
    assert tally() == raw()
    assert reminders_mark_overdue(today=later) == 0  # twice: nothing more to count
    assert tally() == raw()


def test_contacts_on_time_and_late_dismissals_and_edits_are_counted(world, member_a, staff):
    log_contact(member_a, world["a_old"][:2], TODAY)  # closes overdue ones: done late
    log_contact(member_a, world["a_new"][:1], TODAY)  # closes an open one: done on time
    assert Reminder.objects.filter(state="done", on_time=True).exists()
    assert Reminder.objects.filter(state="done", on_time=False).exists()
    assert tally() == raw()
    overdue = Reminder.objects.filter(state="overdue", member=member_a).first()
    reminder_dismiss(reminder=overdue, reason="已迁居外地", by=staff)
    assert tally() == raw()
    # A write that changes no state (a note) leaves the figures as they were.
    Reminder.objects.filter(state="done").update(note="补记")
    assert tally() == raw()
    # A due day moved by hand moves the reminder between days (and months).
    Reminder.objects.filter(state="done").update(due_on=TODAY - timedelta(days=45))
    assert tally() == raw()


def test_a_consultation_moved_and_deletes_are_counted(council, member_a, member_b):
    rule = only_rule(council, TriggerType.CONSULTATION)
    consultation = ConsultationFactory(council=council, held_on=TODAY + timedelta(days=3),
                                       members=[member_a, member_b])
    reminders_sweep(today=TODAY)
    later = TODAY + timedelta(days=10)
    reminders_mark_overdue(today=later)
    assert set(Reminder.objects.values_list("state", flat=True)) == {"overdue"}
    assert tally() == raw()
    consultation.held_on = later + timedelta(days=5)  # moved ahead: open again
    consultation.save(update_fields=["held_on"])
    reminders_follow_consultation_date(consultation=consultation, today=later)
    assert tally() == raw() == Counter()
    consultation.held_on = TODAY - timedelta(days=40)  # moved back: overdue, another month
    consultation.save(update_fields=["held_on"])
    reminders_follow_consultation_date(consultation=consultation, today=later)
    assert tally() == raw() != Counter()
    # Deleting a member takes their reminders (Django's cascade), and a rule all of its own.
    leaving = MemberFactory(council=council, sector=member_a.sector)
    Reminder.objects.filter(member=member_b).update(member=leaving)
    leaving.delete()
    assert tally() == raw()
    rule.delete()
    assert tally() == raw() == Counter()


def test_the_rebuild_recounts_what_was_written_behind_the_triggers_back(world, council):
    expected = raw()
    ReminderTally.objects.filter(council=council).update(due=999)  # drifted
    ReminderTally.objects.create(council=council, period="d", start=TODAY.replace(year=2001), due=5)
    assert tally() != expected
    reminder_tally_rebuild(council=council)
    assert tally() == expected
    assert reminder_tally_rebuild() == reminder_tally_rebuild()  # idempotent
    assert tally() == expected


@pytest.mark.postgres
def test_truncating_the_reminders_empties_the_tally(world):
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE triggers are PostgreSQL's")
    assert tally()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's deferred checks, first
        cursor.execute("TRUNCATE activities_reminder")
    assert tally() == raw() == Counter()


def test_the_dashboard_reads_the_tally_not_the_reminders(world, client_for, leader, member_a, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    log_contact(member_a, world["a_old"][:1], TODAY)  # done late
    log_contact(member_a, world["a_new"][:1], TODAY)  # done on time
    client = client_for(leader)
    mine = Reminder.objects.filter(council=leader.council)
    days = set(mine.filter(state__in=["done", "overdue"]).values_list("due_on", flat=True))
    # Unbounded, and a period that is not whole months (its ends read by day).
    periods = [{}, {"from": str(min(days) + timedelta(days=1)), "to": str(max(days))}]
    for period in periods:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("liaison:dashboard"), period)
        # (The intake figures look up the few reminders a flagged contact made, by their index.)
        read = [q["sql"] for q in captured.captured_queries
                if '"activities_reminder"' in q["sql"] and "flagged_by_id" not in q["sql"]]
        assert not read, read
        figures = {f.key: f.value for _title, group in response.context["groups"] for f in group}
        counted = mine.filter(due_on__gte=period.get("from", "2000-01-01"),
                              due_on__lte=period.get("to", "2100-01-01"))
        expected = {
            "visits-due": counted.filter(state__in=["done", "overdue"]).count(),
            "visits-on-time": counted.filter(state="done", on_time=True).count(),
            "visits-overdue": counted.filter(state="overdue").count(),
        }
        assert {k: figures[k] for k in expected} == expected
    assert expected["visits-due"] > expected["visits-on-time"] > 0

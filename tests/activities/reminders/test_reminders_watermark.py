"""The sweep's watermark: a second run reads only what changed since the first (and the days
between them), runs the same few queries however much data there is, and still catches up —
new rows, missed days, edited rules, lost campaign events, contacts edited away."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.contacts.models import ContactLog
from activities.contacts.services import contact_log_update
from activities.reminders.models import Campaign, MustVisitRule, Reminder, SweepMark
from activities.reminders.services import sweep
from activities.reminders.services.rules import rule_save, rules_install_defaults
from activities.reminders.services.sweep import reminders_sweep
from members.models import Constituent, Member
from tests.activities.reminders.reminder_helpers import (
    TODAY,
    TriggerType,
    at,
    log_contact,
    only_rule,
    rule,
)
from tests.factories import ConstituentFactory, MemberFactory

pytestmark = pytest.mark.django_db


def written_long_ago():
    """As if every row so far had been written a day before the sweeps below: what a run
    reads then is only what time makes due and what is written after it."""
    old = timezone.now() - timedelta(days=1)
    Constituent.objects.update(updated_at=old)
    Member.history.update(history_date=old)
    ContactLog.objects.update(created_at=old)


def last_contact(person, day):
    Constituent.objects.filter(pk=person.pk).update(last_contacted_at=at(day))


def sweep_queries(today):
    with CaptureQueriesContext(connection) as queries:
        created = reminders_sweep(today=today)
    return sum(created.values()), len(queries)


def test_a_warm_run_creates_nothing_and_reads_nothing_old(council, member_a):
    only_rule(council, TriggerType.PERIODIC)
    people = ConstituentFactory.create_batch(3, member=member_a)
    for person in people:
        last_contact(person, TODAY - timedelta(days=100))
    written_long_ago()
    assert sum(reminders_sweep(today=TODAY).values()) == 3
    # A reminder gone behind the sweep's back: a run that re-read every constituent would
    # make it again; the warm run reads only what changed since, and nothing did.
    Reminder.objects.filter(constituent=people[0]).delete()
    assert sweep_queries(TODAY)[0] == 0
    assert not Reminder.objects.filter(constituent=people[0]).exists()


def test_the_sweep_runs_the_same_queries_at_two_sizes(council, sector, staff):
    """Cold and warm, with 2 or 20 members of 3 constituents: the same count of queries."""
    counts = []
    for n in (2, 20):
        Reminder.objects.all().delete()
        SweepMark.objects.all().delete()
        rules_install_defaults(council=council)
        Campaign.objects.create(council=council, rule=rule(council, TriggerType.CAMPAIGN), title="传达",
                                kind="meeting", started_by=staff, started_on=TODAY, due_on=TODAY + timedelta(days=30))
        for member in MemberFactory.create_batch(n - Member.objects.count(), council=council, sector=sector):
            for person in ConstituentFactory.create_batch(3, member=member):
                last_contact(person, TODAY - timedelta(days=100))
        cold = sweep_queries(TODAY)
        warm = sweep_queries(TODAY)
        assert cold[0] > 0
        assert warm[0] == 0
        counts.append((cold[1], warm[1]))
    assert counts[0] == counts[1]
    # The rules, their sectors; per rule (8) a savepoint, the INSERT, the mark, its release;
    # per campaign rule (2) its running campaigns (and their sectors if any); warm, the last
    # log before the mark (difficulty, proposal feedback) and the last reply; the councils;
    # the overdue UPDATE.
    assert counts[1][1] <= 2 + 8 * 4 + 3 + 3 + 2


def test_a_constituent_added_after_a_run_is_picked_up(council, member_a):
    only_rule(council, TriggerType.FIRST_VISIT)
    ConstituentFactory(member=member_a)
    written_long_ago()
    assert sum(reminders_sweep(today=TODAY).values()) == 1
    newcomer = ConstituentFactory(member=member_a)  # an import: no event, only the sweep
    assert sum(reminders_sweep(today=TODAY).values()) == 1
    assert Reminder.objects.filter(constituent=newcomer).exists()


def test_a_row_written_just_before_the_last_run_read_is_read_again(council, member_a):
    """A transaction still open when the run read commits afterwards: its rows, dated before
    the run, are within the look-back of the next one."""
    only_rule(council, TriggerType.FIRST_VISIT)
    written_long_ago()
    reminders_sweep(today=TODAY)
    mark = SweepMark.objects.get(rule__trigger_type=TriggerType.FIRST_VISIT)
    late = ConstituentFactory(member=member_a)
    Constituent.objects.filter(pk=late.pk).update(updated_at=mark.looked_at - sweep.LOOK_BACK / 2)
    reminders_sweep(today=TODAY)
    assert Reminder.objects.filter(constituent=late).exists()


def test_missed_days_are_caught_up(council, member_a):
    """Periodic (90 days, shown 14 ahead): a last contact 74 days back shows in two days.
    Run today, miss two days, run on the third: it is there."""
    only_rule(council, TriggerType.PERIODIC)
    person = ConstituentFactory(member=member_a)
    last_contact(person, TODAY - timedelta(days=74))
    written_long_ago()
    reminders_sweep(today=TODAY)
    assert not Reminder.objects.exists()
    reminders_sweep(today=TODAY + timedelta(days=3))
    reminder = Reminder.objects.get()
    assert reminder.constituent == person
    assert reminder.due_on == TODAY - timedelta(days=74) + timedelta(days=90)


def test_editing_a_rule_sweeps_it_whole_again(council, member_a, staff):
    periodic = only_rule(council, TriggerType.PERIODIC)
    person = ConstituentFactory(member=member_a)
    last_contact(person, TODAY - timedelta(days=50))
    written_long_ago()
    reminders_sweep(today=TODAY)
    assert not Reminder.objects.exists()  # 50 days: not due under a 90-day rule
    periodic.period_days = 30
    rule_save(rule=periodic, by=staff)
    reminders_sweep(today=TODAY)
    assert Reminder.objects.get().constituent == person


def test_a_rule_changed_behind_the_services_back_is_swept_whole(council, member_a, sector):
    """The fingerprint, not the editing path, decides: a rule limited to a sector later."""
    periodic = only_rule(council, TriggerType.PERIODIC)
    periodic.sectors.set([sector])
    person = ConstituentFactory(member=member_a)
    last_contact(person, TODAY - timedelta(days=100))
    written_long_ago()
    reminders_sweep(today=TODAY)
    Reminder.objects.all().delete()
    reminders_sweep(today=TODAY)
    assert not Reminder.objects.exists()
    MustVisitRule.objects.filter(pk=periodic.pk).update(lead_days=15)
    reminders_sweep(today=TODAY)
    assert Reminder.objects.get().constituent == person


def test_a_campaign_whose_start_event_was_lost_is_swept_whole(council, member_a, staff):
    meeting = only_rule(council, TriggerType.CAMPAIGN)
    people = ConstituentFactory.create_batch(2, member=member_a)
    written_long_ago()
    reminders_sweep(today=TODAY)  # the rule is marked; no campaign runs yet
    Campaign.objects.create(council=council, rule=meeting, title="传达全会精神", kind="meeting",
                            started_by=staff, started_on=TODAY, due_on=TODAY + timedelta(days=30))
    assert sum(reminders_sweep(today=TODAY).values()) == 2
    # Read whole once; from then on only what changes: a constituent added to the roster.
    newcomer = ConstituentFactory(member=member_a)
    assert sum(reminders_sweep(today=TODAY).values()) == 1
    assert set(Reminder.objects.values_list("constituent", flat=True)) == {*(p.pk for p in people), newcomer.pk}


def test_a_calendar_window_opening_after_the_last_run_is_swept(council, member_a):
    festival = only_rule(council, TriggerType.CALENDAR)
    start = TODAY + timedelta(days=1)
    festival.windows = [{"label": "节日", "start": f"{start:%m-%d}", "end": f"{start:%m-%d}"}]
    festival.save()
    written_long_ago()
    reminders_sweep(today=TODAY)
    assert not Reminder.objects.exists()
    reminders_sweep(today=start)
    assert Reminder.objects.get().member == member_a


def test_a_difficulty_logged_after_the_run_is_picked_up(council, member_a):
    only_rule(council, TriggerType.DIFFICULTY)
    person = ConstituentFactory(member=member_a)
    written_long_ago()
    reminders_sweep(today=TODAY)
    log = log_contact(member_a, [person], TODAY, difficulty=True, difficulty_kind="hardship")
    reminders_sweep(today=TODAY)
    assert Reminder.objects.get().flagged_by == log


def test_a_member_serving_again_gets_the_reminders_of_their_roster(council, member_a):
    only_rule(council, TriggerType.FIRST_VISIT)
    member_a.status = Member.Status.INACTIVE
    member_a.save()
    ConstituentFactory(member=member_a)
    written_long_ago()
    reminders_sweep(today=TODAY)
    assert not Reminder.objects.exists()
    member_a.status = Member.Status.ACTIVE
    member_a.save()  # its history row says it changed
    reminders_sweep(today=TODAY)
    assert Reminder.objects.get().member == member_a


def test_a_contact_edited_away_brings_back_the_visit_it_had_answered(council, member_a):
    """The last contact is moved back by an edit: the periodic visit of the earlier contact
    is due now. The contact-log service touches the person's ``updated_at`` for that."""
    only_rule(council, TriggerType.PERIODIC)
    person, neighbour = ConstituentFactory.create_batch(2, member=member_a)
    log_contact(member_a, [person], TODAY - timedelta(days=80))
    recent = log_contact(member_a, [person, neighbour], TODAY - timedelta(days=10))
    written_long_ago()
    reminders_sweep(today=TODAY)
    assert not Reminder.objects.exists()
    contact_log_update(by=member_a.user, log=recent, constituents=[neighbour])
    reminders_sweep(today=TODAY)
    reminder = Reminder.objects.get()
    assert reminder.constituent == person
    assert reminder.period_key == f"since-{TODAY - timedelta(days=80)}"


def test_a_run_for_an_earlier_day_sweeps_whole_and_the_next_catches_up(council, member_a):
    only_rule(council, TriggerType.PERIODIC)
    person = ConstituentFactory(member=member_a)
    last_contact(person, TODAY - timedelta(days=70))
    written_long_ago()
    reminders_sweep(today=TODAY + timedelta(days=2))
    reminders_sweep(today=TODAY)  # before the mark's day: whole, and the mark goes back
    assert not Reminder.objects.exists()
    reminders_sweep(today=TODAY + timedelta(days=10))
    assert Reminder.objects.get().constituent == person


@pytest.mark.postgres
def test_only_the_rule_keeps_a_database_foreign_key():
    """The sweep's INSERT reads member, constituent and the sources from their own rows in
    the same statement; a per-row recheck cost more than the insert (migration 0014).
    ``satisfied_by`` lost its own when the contact logs were partitioned (migration 0021: a
    partitioned log is referenced only through (id, contacted_at))."""
    if connection.vendor != "postgresql":
        pytest.skip("reads PostgreSQL's catalogue")
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT a.attname FROM pg_constraint c
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
               WHERE c.conrelid = 'activities_reminder'::regclass AND c.contype = 'f'"""
        )
        assert sorted(row[0] for row in cursor.fetchall()) == ["rule_id"]


@pytest.mark.postgres
def test_a_next_day_periodic_run_reads_index_ranges(council, member_a):
    """The next day's periodic run: the constituents changed since from (council,
    updated_at), the ones come due since from (council, last contact) — PostgreSQL's own
    choice once it knows most rows are old and due (ANALYZE), scans turned off as tiny
    tables would rather be read whole. The province data shows it on real sizes."""
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN of PostgreSQL")
    only_rule(council, TriggerType.PERIODIC)
    Constituent.objects.bulk_create(
        Constituent(council=council, member=member_a, sector=member_a.sector, name=f"群众{i}",
                    last_contacted_at=at(TODAY - timedelta(days=100 + i % 200)))
        for i in range(2000)
    )
    written_long_ago()
    reminders_sweep(today=TODAY)
    with CaptureQueriesContext(connection) as queries:
        reminders_sweep(today=TODAY + timedelta(days=1))
    [insert] = [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "activities_reminder"')]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE members_constituent")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + insert)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan using constituent_changed_idx" in plan, plan
    assert "Index Scan using constituent_visit_anchor_idx" in plan, plan

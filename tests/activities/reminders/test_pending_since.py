"""Each member's ``pending_since`` — no pending must-visit of theirs was triggered before it;
NULL when none is pending — holds after every kind of write, kept by the triggers on the
must-visit table (SQLite and PostgreSQL); the nightly recount sets it to the earliest again;
and the home page reads the must-visits from that month on, or not at all when none is
pending."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Reminder, TriggerType
from activities.reminders.services.closing import reminder_dismiss
from activities.reminders.services.pending import pending_since_recount
from activities.reminders.services.sweep import reminders_mark_overdue, reminders_sweep
from activities.reminders.services.triggers import reminders_follow_consultation_date
from activities.templatetags.reminders import SECTIONS_SQL, since_clause
from members import home
from members.common.literals import literal
from members.models import Member
from tests.activities.events.event_helpers import ConsultationFactory
from tests.activities.reminders.reminder_helpers import (
    TODAY,
    log_contact,
    only_rule,
    two_councils_swept,
)

pytestmark = pytest.mark.django_db


def earliest() -> dict:
    """Each member's earliest pending trigger day, counted from the must-visits (None: none)."""
    first = dict.fromkeys(Member.objects.values_list("pk", flat=True))
    for member_id, day in Reminder.objects.filter(state__in=["open", "overdue"]).values_list(
        "member_id", "trigger_on"
    ):
        first[member_id] = day if first[member_id] is None else min(first[member_id], day)
    return first


def bounds() -> dict:
    return dict(Member.objects.values_list("pk", "pending_since"))


def assert_bounds_hold():
    """No member has a pending must-visit triggered before their bound."""
    stored = bounds()
    for pk, first in earliest().items():
        if first is not None:
            assert stored[pk] is not None, pk
            assert stored[pk] <= first, (pk, stored[pk], first)


@pytest.fixture
def world(council, other_council, member_a, member_b, other_member):
    """Must-visits of two councils' members, some past due, from the sweep's inserts."""
    return two_councils_swept(council, other_council, member_a, member_b, other_member)


def test_members_without_must_visits_have_no_bound(member_a, member_b):
    assert bounds() == {member_a.pk: None, member_b.pk: None}


def test_the_sweep_sets_each_members_bound_to_their_earliest(world, member_a, member_b, other_member):
    assert Reminder.objects.filter(state="overdue").exists()
    assert bounds() == earliest()
    assert None not in {bounds()[m.pk] for m in (member_a, member_b, other_member)}
    reminders_sweep(today=TODAY + timedelta(days=40))  # later occasions: the bounds stay
    reminders_mark_overdue(today=TODAY + timedelta(days=40))
    assert bounds() == earliest()


def test_closing_and_dismissing_leave_the_bound_and_the_recount_raises_it(world, member_a, staff):
    before = bounds()
    log_contact(member_a, world["a_old"] + world["a_new"], TODAY)  # closes all of member_a's
    leftover = Reminder.objects.filter(member=member_a, state__in=["open", "overdue"])
    for reminder in leftover:
        reminder_dismiss(reminder=reminder, reason="已迁居外地", by=staff)
    assert earliest()[member_a.pk] is None
    assert bounds() == before  # only ever lowered by the triggers: still a valid bound
    assert pending_since_recount() >= 1
    assert bounds() == earliest()
    assert bounds()[member_a.pk] is None
    assert pending_since_recount() == 0  # idempotent


def test_an_earlier_must_visit_reopened_or_added_lowers_the_bound(world, member_a):
    bound = bounds()[member_a.pk]
    done = Reminder.objects.filter(member=member_a).first()
    Reminder.objects.filter(pk=done.pk).update(state="done")
    # Reopened with an earlier trigger day (an update of one row): the bound follows it.
    Reminder.objects.filter(pk=done.pk).update(state="open", trigger_on=bound - timedelta(days=9))
    assert bounds()[member_a.pk] == bound - timedelta(days=9)
    # A later one added (an insert) leaves it.
    Reminder.objects.create(
        council=member_a.council, rule=done.rule, member=member_a, period_key="later",
        trigger_on=TODAY, due_on=TODAY + timedelta(days=3),
    )
    assert bounds()[member_a.pk] == bound - timedelta(days=9)
    assert_bounds_hold()


def test_a_consultations_must_visits_set_the_bound_and_moving_it_keeps_it(council, member_a, member_b):
    only_rule(council, TriggerType.CONSULTATION)
    consultation = ConsultationFactory(council=council, held_on=TODAY + timedelta(days=3),
                                       members=[member_a, member_b])
    reminders_sweep(today=TODAY)
    assert bounds() == earliest()
    assert bounds()[member_a.pk] is not None
    consultation.held_on = TODAY + timedelta(days=20)  # moved: the must-visits updated
    consultation.save(update_fields=["held_on"])
    reminders_follow_consultation_date(consultation=consultation, today=TODAY)
    assert_bounds_hold()


def test_the_recount_puts_a_drifted_bound_right(world, council, member_a, member_b):
    expected = bounds()
    Member.objects.filter(pk=member_a.pk).update(pending_since=TODAY + timedelta(days=400))
    Member.objects.filter(pk=member_b.pk).update(pending_since=None)
    assert pending_since_recount(council=council.pk) == 2
    assert bounds() == expected
    assert pending_since_recount() == 0


def test_rollups_rebuild_puts_the_bounds_right(world, member_a):
    from io import StringIO

    from django.core.management import call_command

    expected = bounds()
    Member.objects.filter(pk=member_a.pk).update(pending_since=None)
    out = StringIO()
    call_command("rollups_rebuild", stdout=out)
    assert "1 members' pending must-visit bounds put right" in out.getvalue()
    assert bounds() == expected


def _sections_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("members:member-home"))
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries if "activities_reminder" in q["sql"]]


def test_the_home_reads_no_must_visits_when_none_is_pending(client_for, member_a):
    client = client_for(member_a)
    assert _sections_queries(client) == []
    body = client.get(reverse("members:member-home")).content.decode()
    assert "近期没有到期的必访，做得好！" in body


def months_back(months: int):
    return home.months_back(TODAY.replace(day=1), months)


@pytest.mark.parametrize(("pending_since", "bound"), [
    (TODAY, months_back(2)),
    (months_back(2), months_back(2)),
    (months_back(2) - timedelta(days=1), months_back(11)),
    (months_back(11), months_back(11)),
    (months_back(11) - timedelta(days=1), None),
])
def test_the_homes_bound_is_the_latest_fixed_one_on_or_before_pending_since(pending_since, bound):
    clause = since_clause(connection, pending_since, TODAY)
    if bound is None:
        assert clause == ""
    else:
        assert f"r.trigger_on >= {literal(connection, bound)}" in clause


def test_the_home_reads_the_must_visits_from_the_bound(world, client_for, member_a):
    client = client_for(member_a)
    overdue = Reminder.objects.filter(member=member_a).filter(
        Q(state="overdue") | Q(state="open", due_on__lt=TODAY)).count()
    assert overdue > 0
    # Older than a year: unbounded.
    assert bounds()[member_a.pk] < months_back(11)
    queries = _sections_queries(client)
    assert len(queries) == 1
    assert "trigger_on" not in queries[0]
    # Every pending one triggered in the last three months: bounded, and still all counted.
    Reminder.objects.filter(member=member_a).update(trigger_on=TODAY - timedelta(days=1))
    pending_since_recount()
    queries = _sections_queries(client)
    assert f"r.trigger_on >= {literal(connection, months_back(2))}" in queries[0]
    body = client.get(reverse("members:member-home")).content.decode()
    assert f'<span class="badge text-bg-danger">{overdue}</span>' in body


@pytest.mark.postgres
def test_the_homes_statement_opens_the_partitions_from_the_bounds_month_alone(member_a):
    """Prepared as the portal prepares it (the values its parameters), the must-visit
    statement's plan reads the partitions of the bound's month and after alone (where it
    read every month's)."""
    import re

    from activities import partitions
    from tests.members.test_member_pages import generic_plan

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's partitions")
    bound = months_back(2)
    partitions.partitions_ensure(first=bound - timedelta(days=100), ahead=1)
    tables = {"reminder": Reminder, "rule": Reminder._meta.get_field("rule").related_model,
              "constituent": Reminder._meta.get_field("constituent").related_model}
    sql = SECTIONS_SQL.format(**{k: f'"{m._meta.db_table}"' for k, m in tables.items()},
                              since=since_clause(connection, TODAY, TODAY))
    day = f"'{TODAY.isoformat()}'::date"
    plan = generic_plan(sql, ["'overdue'", day, day, member_a.pk, "'open'", "'overdue'", day, 10])
    read = set(re.findall(r"activities_reminder_p(\d{6})", plan))
    assert read, plan
    assert min(read) == f"{bound:%Y%m}", plan  # (and the default partition: months not made)

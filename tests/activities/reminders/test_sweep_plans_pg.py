"""What the sweep's statements read of the contact links (PostgreSQL), the tables a cold
sweep spent most of its time in at province size: "never contacted" is the constituent's own
column, not a probe of every month's links; "contacted since" and "a later contact" read the
links' own time (their partition key), not each link's log in every month.

Each statement is captured from a real sweep and explained again, with a year of monthly
partitions made first (a test database has only the current months otherwise)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.models import Campaign
from activities.partitions import partitions_ensure
from activities.reminders.services.sweep import CATCH_UP_DAYS, reminders_sweep
from tests.activities.reminders.reminder_helpers import TODAY, TriggerType, log_contact, only_rule
from tests.factories import ConstituentFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

LOG_PARTITION = re.compile(r"\bactivities_contactlog_p(\d{6})\b")


@pytest.fixture(autouse=True)
def _a_year_of_partitions():
    partitions_ensure(first=TODAY - timedelta(days=400))


def swept_insert_plan() -> str:
    """The EXPLAIN of the sweep's one INSERT (one rule active)."""
    with CaptureQueriesContext(connection) as queries:
        reminders_sweep(today=TODAY)
    [insert] = [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "activities_reminder"')]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + insert)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_first_visits_read_no_contact_link(council, member_a):
    only_rule(council, TriggerType.FIRST_VISIT)
    ConstituentFactory.create_batch(3, member=member_a)
    plan = swept_insert_plan()
    assert "members_constituent" in plan, plan
    assert "activities_contactlog" not in plan, plan


def test_campaign_reads_no_contact_log(council, member_a, staff):
    rule = only_rule(council, TriggerType.CAMPAIGN)
    ConstituentFactory.create_batch(3, member=member_a)
    Campaign.objects.create(council=council, rule=rule, title="传达全会精神", kind="meeting",
                            started_by=staff, started_on=TODAY - timedelta(days=5),
                            due_on=TODAY + timedelta(days=30))
    plan = swept_insert_plan()
    assert "activities_contactlogconstituent" in plan, plan
    assert not LOG_PARTITION.search(plan), plan


def test_difficulty_reads_the_logs_of_its_window_alone(council, member_a):
    rule = only_rule(council, TriggerType.DIFFICULTY)
    person = ConstituentFactory(member=member_a)
    log_contact(member_a, [person], TODAY - timedelta(days=1), difficulty=True,
                difficulty_kind="hardship")
    plan = swept_insert_plan()
    window = TODAY - timedelta(days=rule.within_days + CATCH_UP_DAYS)
    months = set(LOG_PARTITION.findall(plan))
    assert months, plan  # the flagged logs themselves
    assert min(months) >= f"{window:%Y%m}", plan

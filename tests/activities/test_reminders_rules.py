"""Each trigger type creates the right reminders and no others."""

from datetime import timedelta

import pytest

from activities.models import MustVisitRule, Reminder, TriggerType
from activities.reminders import reminders_sweep, rules_install_defaults
from tests.activities.reminder_helpers import TODAY, at, log_contact, only_rule
from tests.factories import ConstituentFactory

pytestmark = pytest.mark.django_db


def test_defaults_are_eight_editable_rules(council):
    rules = rules_install_defaults(council=council)
    assert len(rules) == 8
    assert {r.trigger_type for r in rules} == set(TriggerType.values)
    rules_install_defaults(council=council)
    assert MustVisitRule.objects.filter(council=council).count() == 8


def test_periodic_due_after_last_contact(council, member_a, member_b):
    rule = only_rule(council, TriggerType.PERIODIC)  # 90 days, shown 14 ahead
    stale = ConstituentFactory(member=member_a, name="久未联系")
    soon = ConstituentFactory(member=member_a, name="快到期")
    fresh = ConstituentFactory(member=member_b, name="刚联系")
    log_contact(member_a, [stale], TODAY - timedelta(days=200))
    log_contact(member_a, [soon], TODAY - timedelta(days=80))
    log_contact(member_b, [fresh], TODAY - timedelta(days=10))

    reminders_sweep(today=TODAY)

    got = {r.constituent.name: r for r in Reminder.objects.filter(rule=rule)}
    assert set(got) == {"久未联系", "快到期"}
    assert got["久未联系"].due_on == TODAY - timedelta(days=110)
    assert got["久未联系"].state == Reminder.State.OVERDUE
    assert got["快到期"].due_on == TODAY + timedelta(days=10)
    assert got["快到期"].state == Reminder.State.OPEN
    assert got["快到期"].period_key == f"since-{TODAY - timedelta(days=80)}"

"""A difficulty reminder names the kind of difficulty in words, never by its code."""

from datetime import timedelta

import pytest
from django.urls import reverse

from activities.models import Reminder, TriggerType
from activities.reminders.services.sweep import reminders_sweep
from tests.activities.reminders.reminder_helpers import TODAY, log_contact, only_rule
from tests.factories import ConstituentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def difficulty_reminder(council, member_a):
    only_rule(council, TriggerType.DIFFICULTY)
    sick = ConstituentFactory(member=member_a)
    log_contact(member_a, [sick], TODAY - timedelta(days=1), difficulty=True,
                difficulty_kind="illness")
    reminders_sweep(today=TODAY)
    return Reminder.objects.get()


def test_the_note_is_the_kinds_name(difficulty_reminder):
    assert difficulty_reminder.note == "illness"  # stored as the code
    assert difficulty_reminder.note_label == "疾病"


def test_the_log_form_for_the_reminder_names_the_kind(client_for, member_a, difficulty_reminder):
    client = client_for(member_a.user)
    page = client.get(reverse("activities:contactlog-create"),
                      {"reminder": difficulty_reminder.pk,
                       "constituent": difficulty_reminder.constituent_id}).content.decode()
    line = page.split('data-testid="for-reminder"')[1].split("</p>")[0]
    assert "illness" not in line
    assert "疾病" in line


def test_the_reminder_list_names_the_kind(client_for, staff, difficulty_reminder):
    client = client_for(staff)
    page = client.get(reverse("activities:reminder-list")).content.decode()
    assert "illness" not in page
    assert "疾病" in page

"""A reminder names its source by foreign key (campaign, consultation, proposal replied to,
contact log that flagged a difficulty); migration 0012 gave the reminders made before it
theirs, from the occasion key they were made under."""

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps

from activities.models import Reminder, TriggerType
from activities.reminders.services.campaigns import campaign_start
from activities.reminders.services.rules import rules_install_defaults
from activities.reminders.services.sweep import reminders_sweep
from tests.activities.events.event_helpers import ConsultationFactory
from tests.activities.reminders.reminder_helpers import TODAY, log_contact
from tests.factories import ConstituentFactory

pytestmark = pytest.mark.django_db

SOURCES = ("campaign_id", "consultation_id", "proposal_id", "flagged_by_id")
fill_sources = import_module("activities.migrations.0012_reminder_sources").fill_sources


@pytest.fixture
def every_trigger(council, member_a, staff, django_capture_on_commit_callbacks):
    """Reminders of all eight rules, made by the sweep and the events."""
    from proposals import services as proposal_services
    from proposals.models import State
    from tests.proposals.factories import HandlingUnitFactory, proposal_in, unit_login

    rules = {r.trigger_type: r for r in rules_install_defaults(council=council)}
    person, sick = ConstituentFactory(member=member_a), ConstituentFactory(member=member_a)
    ConstituentFactory(member=member_a)  # never contacted: a first visit, which has no source
    flagged = log_contact(member_a, [sick], TODAY - timedelta(days=1), difficulty=True,
                          difficulty_kind="illness")
    consultation = ConsultationFactory(council=council, members=[member_a],
                                       held_on=TODAY + timedelta(days=5))
    unit = HandlingUnitFactory(council=council)
    unit_login(unit, "unit1")
    proposal = proposal_in(State.ASSIGNED, proposer=member_a, staff=staff, unit=unit)
    log_contact(member_a, [person], TODAY - timedelta(days=2), proposal=proposal)
    with django_capture_on_commit_callbacks(execute=True):
        proposal_services.proposal_reply(proposal=proposal, by=unit.users.first(), category="A",
                                         text="已解决。")
        campaign = campaign_start(council=council, rule=rules[TriggerType.CAMPAIGN],
                                  title="传达全会精神", kind="meeting", by=staff, today=TODAY)
    reminders_sweep(today=TODAY)
    return {"campaign": campaign, "consultation": consultation, "proposal": proposal,
            "flagged_by": flagged}


def _sources():
    return {
        (trigger, *ids)
        for trigger, *ids in Reminder.objects.values_list("rule__trigger_type", *SOURCES)
    }


def test_each_trigger_names_its_source_and_only_its_own(every_trigger):
    by_trigger = {trigger: ids for trigger, *ids in _sources()}
    campaign, consultation, proposal, flagged = (
        every_trigger[name] for name in ("campaign", "consultation", "proposal", "flagged_by")
    )
    assert by_trigger[TriggerType.CAMPAIGN] == [campaign.pk, None, None, None]
    assert by_trigger[TriggerType.CONSULTATION] == [None, consultation.pk, None, None]
    assert by_trigger[TriggerType.PROPOSAL_REPLIED] == [None, None, proposal.pk, None]
    assert by_trigger[TriggerType.DIFFICULTY] == [None, None, None, flagged.pk]
    assert by_trigger[TriggerType.FIRST_VISIT] == [None, None, None, None]


def test_the_migration_gives_reminders_made_before_it_their_source(every_trigger):
    made = _sources()
    Reminder.objects.update(**dict.fromkeys(SOURCES))  # as before migration 0012
    fill_sources(apps, None)
    assert _sources() == made
    fill_sources(apps, None)  # and a second run changes nothing
    assert _sources() == made


def test_a_key_whose_source_is_gone_is_left_without_one(every_trigger):
    consultation = every_trigger["consultation"]
    Reminder.objects.update(consultation=None)
    Reminder.objects.filter(rule__trigger_type=TriggerType.CONSULTATION).update(
        period_key="consultation-999999"
    )
    fill_sources(apps, None)
    assert not Reminder.objects.filter(consultation=consultation).exists()
    assert Reminder.objects.filter(rule__trigger_type=TriggerType.CONSULTATION).exists()


def test_deleting_a_source_keeps_its_reminders(every_trigger):
    consultation = every_trigger["consultation"]
    pk = consultation.pk
    consultation.delete()
    reminder = Reminder.objects.get(rule__trigger_type=TriggerType.CONSULTATION)
    assert reminder.consultation is None
    assert reminder.period_key == f"consultation-{pk}"  # its occasion, as before it had a source

"""Closing rules per trigger type, idempotence, the digest and the escalation."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from activities.models import Reminder, TriggerType
from activities.reminders.services.notices import reminders_digest, reminders_escalate
from activities.reminders.services.rules import rules_install_defaults
from activities.reminders.services.sweep import reminders_sweep
from members.models import Notification
from tests.activities.reminders.reminder_helpers import TODAY, log_contact, only_rule, rule
from tests.factories import ConstituentFactory

pytestmark = pytest.mark.django_db


def test_any_contact_closes_periodic_and_first_visit(council, member_a):
    rules_install_defaults(council=council)
    person = ConstituentFactory(member=member_a)
    person.created_at = person.created_at - timedelta(days=400)
    person.save()
    reminders_sweep(today=TODAY)
    pending = Reminder.objects.filter(constituent=person)
    assert {r.rule.trigger_type for r in pending} == {"periodic", "first_visit"}
    contact = log_contact(member_a, [person], TODAY)
    for reminder in Reminder.objects.filter(constituent=person):
        assert reminder.state == Reminder.State.DONE
        assert reminder.satisfied_by == contact
        assert reminder.on_time is False  # both were overdue


def test_contact_closes_only_that_members_reminders_for_those_people(council, member_a, member_b):
    only_rule(council, TriggerType.FIRST_VISIT)
    mine, other = ConstituentFactory(member=member_a), ConstituentFactory(member=member_a)
    theirs = ConstituentFactory(member=member_b)
    reminders_sweep(today=TODAY)
    log_contact(member_a, [mine], TODAY)
    states = dict(Reminder.objects.values_list("constituent", "state"))
    assert states == {mine.pk: "done", other.pk: "open", theirs.pk: "open"}
    assert Reminder.objects.get(constituent=mine).on_time is True


def test_difficulty_needs_a_later_contact_not_the_flagging_one(council, member_a):
    only_rule(council, TriggerType.DIFFICULTY)
    sick = ConstituentFactory(member=member_a)
    log_contact(member_a, [sick], TODAY - timedelta(days=1), difficulty=True, difficulty_kind="illness")
    reminders_sweep(today=TODAY)
    reminder = Reminder.objects.get()
    assert reminder.state == "open"
    log_contact(member_a, [sick], TODAY)
    reminder.refresh_from_db()
    assert reminder.state == "done"


def test_proposal_feedback_needs_the_log_to_name_the_proposal(council, member_a):
    from proposals.models import Reply
    from tests.proposals.factories import HandlingUnitFactory, ProposalFactory

    only_rule(council, TriggerType.PROPOSAL_REPLIED)
    proposal = ProposalFactory(proposer=member_a)
    source = ConstituentFactory(member=member_a)
    log_contact(member_a, [source], TODAY - timedelta(days=20), proposal=proposal)
    Reply.objects.create(proposal=proposal, unit=HandlingUnitFactory(council=council), round=1,
                         category="A", text="已解决", replied_at=log_contact.__globals__["at"](TODAY - timedelta(days=2)),
                         replied_by=member_a.user)
    reminders_sweep(today=TODAY)
    reminder = Reminder.objects.get()
    log_contact(member_a, [source], TODAY)  # a visit that does not mention the proposal
    reminder.refresh_from_db()
    assert reminder.state == "open"
    log_contact(member_a, [source], TODAY, proposal=proposal)
    reminder.refresh_from_db()
    assert reminder.state == "done"


def test_campaign_needs_a_contact_after_it_started(council, member_a, staff):
    from activities.models import Campaign

    rule_ = only_rule(council, TriggerType.CAMPAIGN)
    person = ConstituentFactory(member=member_a)
    Campaign.objects.create(council=council, rule=rule_, title="传达全会精神", kind="meeting",
                            started_by=staff, started_on=TODAY, due_on=TODAY + timedelta(days=30))
    reminders_sweep(today=TODAY)
    reminder = Reminder.objects.get()
    log_contact(member_a, [person], TODAY - timedelta(days=3))  # logged late, happened before
    reminder.refresh_from_db()
    assert reminder.state == "open"
    log_contact(member_a, [person], TODAY + timedelta(days=1))
    reminder.refresh_from_db()
    assert reminder.state == "done"


def test_calendar_reminder_closed_by_any_contact_in_the_window(council, member_a):
    only_rule(council, TriggerType.CALENDAR)
    person = ConstituentFactory(member=member_a)
    day = TODAY.replace(month=1, day=20)
    reminders_sweep(today=day)
    reminder = Reminder.objects.get()
    log_contact(member_a, [person], day)
    reminder.refresh_from_db()
    assert (reminder.state, reminder.on_time) == ("done", True)


def test_sweep_twice_and_missed_days_make_no_duplicates(council, member_a):
    rules_install_defaults(council=council)
    ConstituentFactory.create_batch(3, member=member_a)
    first = reminders_sweep(today=TODAY)
    assert sum(first.values()) == 3
    assert sum(reminders_sweep(today=TODAY).values()) == 0
    # A week without a sweep: the next one catches up and marks what fell due as overdue.
    later = TODAY + timedelta(days=40)
    reminders_sweep(today=later)
    assert Reminder.objects.filter(rule__trigger_type="first_visit", state="overdue").count() == 3
    assert Reminder.objects.filter(rule__trigger_type="first_visit").count() == 3


def test_a_rerun_after_a_crash_loses_nothing(council, member_a, monkeypatch):
    """The sweep dies after the first rules; running it again creates the rest, once."""
    from activities.reminders.services import sweep as service

    rules_install_defaults(council=council)
    ConstituentFactory.create_batch(2, member=member_a)
    calls = {"n": 0}
    real = service.SWEEPERS[TriggerType.FIRST_VISIT]

    def dying(*args, **kwargs):
        calls["n"] += 1
        real(*args, **kwargs)
        raise RuntimeError("worker lost")

    monkeypatch.setitem(service.SWEEPERS, TriggerType.FIRST_VISIT, dying)
    with pytest.raises(RuntimeError):
        reminders_sweep(today=TODAY)
    assert not Reminder.objects.exists()  # that rule's transaction rolled back
    monkeypatch.setitem(service.SWEEPERS, TriggerType.FIRST_VISIT, real)
    reminders_sweep(today=TODAY)
    reminders_sweep(today=TODAY)
    assert Reminder.objects.count() == 2


def test_digest_once_a_day_listing_today_soon_and_overdue(council, member_a, member_b):
    only_rule(council, TriggerType.FIRST_VISIT)
    ConstituentFactory(member=member_a, name="王大爷")
    reminders_sweep(today=TODAY)
    reminder = Reminder.objects.get()
    day = reminder.due_on - timedelta(days=3)
    assert reminders_digest(today=day) == 1
    assert reminders_digest(today=day) == 1  # the same key: stored once
    [notice] = Notification.objects.filter(user=member_a.user)
    assert notice.key == f"digest:{day}"
    assert "王大爷" in notice.body
    assert len(mail.outbox) == 0 or len(mail.outbox) == 1
    assert not Notification.objects.filter(user=member_b.user).exists()
    reminders_digest(today=day + timedelta(days=1))
    assert Notification.objects.filter(user=member_a.user).count() == 2


def test_digest_sends_one_email_per_member_per_day(council, member_a, django_capture_on_commit_callbacks):
    only_rule(council, TriggerType.FIRST_VISIT)
    ConstituentFactory.create_batch(3, member=member_a)
    reminders_sweep(today=TODAY)
    day = Reminder.objects.first().due_on
    with django_capture_on_commit_callbacks(execute=True):
        reminders_digest(today=day)
        reminders_digest(today=day)
    assert len(mail.outbox) == 1


def test_escalation_tells_council_staff_about_long_overdue(council, other_council, member_a, member_b,
                                                           staff, admin, other_staff, settings):
    settings.ESCALATE_OVERDUE_DAYS = 7
    first = only_rule(council, TriggerType.FIRST_VISIT)
    ConstituentFactory(member=member_a)
    reminders_sweep(today=TODAY)
    due = Reminder.objects.get().due_on
    reminders_sweep(today=due + timedelta(days=3))
    assert reminders_escalate(today=due + timedelta(days=3)) == 0  # overdue, not for long
    reminders_sweep(today=due + timedelta(days=8))
    assert reminders_escalate(today=due + timedelta(days=8)) == 1
    assert reminders_escalate(today=due + timedelta(days=8)) == 1
    notices = Notification.objects.filter(kind="reminder_escalation")
    assert {n.user for n in notices} == {staff, admin}
    assert "张委员" in notices.first().body
    assert "李委员" not in notices.first().body
    first.escalate_after_days = 30
    first.save()
    Notification.objects.all().delete()
    assert reminders_escalate(today=due + timedelta(days=8)) == 0


def test_remind_command_runs_sweep_and_digest(council, member_a, capsys):
    rules_install_defaults(council=council)
    ConstituentFactory(member=member_a)
    call_command("remind", "--date", TODAY.isoformat())
    assert Reminder.objects.filter(rule=rule(council, "first_visit")).count() == 1
    assert "1 reminders created" in capsys.readouterr().out


def test_contact_log_service_closes_and_flags(council, member_a, django_capture_on_commit_callbacks):
    """The real contact-log service: closes the first visit at once; a difficulty flag
    enqueues its follow-up (run on commit)."""
    from activities.contacts.services import contact_log_create
    from tests.activities.reminders.reminder_helpers import at

    rules_install_defaults(council=council)
    person = ConstituentFactory(member=member_a)
    reminders_sweep(today=TODAY)
    first = Reminder.objects.get(constituent=person, rule__trigger_type="first_visit")
    with django_capture_on_commit_callbacks(execute=True):
        contact_log_create(by=member_a.user, member=member_a, constituents=[person],
                           contacted_at=at(TODAY, 0), channel="forum", mode="visit",
                           summary="走访", difficulty=True, difficulty_kind="illness")
    first.refresh_from_db()
    assert first.state == "done"
    follow_up = Reminder.objects.get(constituent=person, rule__trigger_type="difficulty")
    assert (follow_up.state, follow_up.due_on) == ("open", TODAY + timedelta(days=7))

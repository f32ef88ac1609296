"""Celery tasks of the must-visit reminders: thin, they take ids and call a service; every
one is idempotent (the reminder constraints, the notice keys) and acknowledged late, so a
worker killed mid-way leaves the message for the next one and the rerun loses nothing.

Each keeps the name it had as ``activities.tasks.…``: ``liaison/schedule.py``, the rows of
django-celery-beat and messages already queued name the tasks by it."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

from activities.contacts.models import ContactLog
from activities.events.models import Consultation
from activities.reminders.models import Campaign
from activities.reminders.services import notices, sweep
from members.common.locks import council_job_lock
from members.models import Council
from members.tasks import councils_fan_out


def _day(today: str | None) -> date:
    return date.fromisoformat(today) if today else timezone.localdate()


# A council's sweep holds this lock (``council_job_lock``), and so does every event task that
# makes reminders in the council: the two would otherwise insert the same reminders at once
# (a campaign's, a consultation's, a new constituent's first visit: the sweep catches each up
# as well), and two ``INSERT … ON CONFLICT DO NOTHING`` that meet on the same keys in
# different orders wait for each other until PostgreSQL aborts one as a deadlock. An event
# task that arrives during its council's sweep now waits for it (seconds), then finds the
# sweep's reminders there and adds the rest.
SWEEP_LOCK = "reminders_sweep"


# --- The scheduled jobs: a parent enqueues one task per council on the "reminders" queue
# (``CELERY_TASK_ROUTES``) and waits for none. The parent fixes the day: a council's task that
# runs after midnight still does the day it was enqueued for.


@shared_task(name="activities.tasks.reminders_sweep_task", acks_late=True)
def reminders_sweep_task(today: str | None = None) -> int:
    """06:00: one ``reminders_sweep_council_task`` per council. Returns councils enqueued."""
    return councils_fan_out(reminders_sweep_council_task, today=_day(today).isoformat())


@shared_task(name="activities.tasks.reminders_sweep_council_task", acks_late=True)
def reminders_sweep_council_task(*, council_id: int, today: str) -> int:
    """One council's sweep: due reminders created, missed days caught up, overdue marked.
    Idempotent; a second run of the same council at once waits for the first."""
    council = Council.objects.filter(pk=council_id).first()
    if council is None:
        return 0
    with council_job_lock(SWEEP_LOCK, council_id):
        return sum(sweep.reminders_sweep(today=_day(today), council=council).values())


@shared_task(name="activities.tasks.reminders_digest_task", acks_late=True)
def reminders_digest_task(today: str | None = None) -> int:
    """07:00: one ``reminders_digest_council_task`` per council."""
    return councils_fan_out(reminders_digest_council_task, today=_day(today).isoformat())


@shared_task(name="activities.tasks.reminders_digest_council_task", acks_late=True)
def reminders_digest_council_task(*, council_id: int, today: str) -> int:
    """One council's members' digests (once a day each: the notice key)."""
    council = Council.objects.filter(pk=council_id).first()
    return notices.reminders_digest(today=_day(today), council=council) if council else 0


@shared_task(name="activities.tasks.reminders_escalate_task", acks_late=True)
def reminders_escalate_task(today: str | None = None) -> int:
    """Monday 08:00: one ``reminders_escalate_council_task`` per council."""
    return councils_fan_out(reminders_escalate_council_task, today=_day(today).isoformat())


@shared_task(name="activities.tasks.reminders_escalate_council_task", acks_late=True)
def reminders_escalate_council_task(*, council_id: int, today: str) -> int:
    """One council's escalation to its staff (once a week each: the notice key)."""
    council = Council.objects.filter(pk=council_id).first()
    return notices.reminders_escalate(today=_day(today), council=council) if council else 0


# --- Events, enqueued on commit by the services that own them (the default queue: a user
# is waiting for what they start).


@shared_task(name="activities.tasks.reminders_new_constituent_task", acks_late=True)
def reminders_new_constituent_task(*, constituent_id: int) -> int:
    from members.models import Constituent

    constituent = Constituent.objects.filter(pk=constituent_id).first()
    if constituent is None:
        return 0
    with council_job_lock(SWEEP_LOCK, constituent.council_id):
        return sweep.reminders_for_new_constituent(constituent=constituent)


@shared_task(name="activities.tasks.reminders_difficulty_task", acks_late=True)
def reminders_difficulty_task(*, contact_log_id: int) -> int:
    contact_log = ContactLog.objects.filter(pk=contact_log_id).first()
    if contact_log is None:
        return 0
    with council_job_lock(SWEEP_LOCK, contact_log.council_id):
        return sweep.reminders_for_difficulty(contact_log=contact_log)


@shared_task(name="activities.tasks.reminders_consultation_task", acks_late=True)
def reminders_consultation_task(*, consultation_id: int) -> int:
    consultation = Consultation.objects.filter(pk=consultation_id).first()
    if consultation is None:
        return 0
    with council_job_lock(SWEEP_LOCK, consultation.council_id):
        return sweep.reminders_for_consultation(consultation=consultation)


@shared_task(name="activities.tasks.reminders_proposal_reply_task", acks_late=True)
def reminders_proposal_reply_task(*, proposal_id: int) -> int:
    from proposals.models import Proposal

    proposal = Proposal.objects.filter(pk=proposal_id).first()
    if proposal is None:
        return 0
    with council_job_lock(SWEEP_LOCK, proposal.council_id):
        return sweep.reminders_for_proposal_reply(proposal=proposal)


@shared_task(name="activities.tasks.reminders_campaign_task", acks_late=True)
def reminders_campaign_task(*, campaign_id: int) -> int:
    campaign = Campaign.objects.prefetch_related("sectors").filter(pk=campaign_id).first()
    if campaign is None:
        return 0
    with council_job_lock(SWEEP_LOCK, campaign.council_id):
        return sweep.reminders_for_campaign(campaign=campaign)

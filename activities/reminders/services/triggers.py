"""What other parts of the portal call when something they own happens: each enqueues the
task that makes the reminders, on commit (if the broker is down, the next sweep makes them),
or, for a consultation moved to another day, moves its reminders in the same transaction."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from activities.contacts.models import ContactLog
from activities.events.models import Consultation
from activities.reminders import tasks
from activities.reminders.models import Reminder
from members.tasks import enqueue_on_commit


def reminders_follow_consultation_date(*, consultation: Consultation, today: date | None = None) -> int:
    """A consultation moved to another day: its open and overdue reminders are due on the
    new day (open again if it is still ahead). Done and dismissed ones keep their history.
    Call inside the transaction that moves it; returns the number of reminders moved."""
    today = today or timezone.localdate()
    state = Reminder.State.OVERDUE if consultation.held_on < today else Reminder.State.OPEN
    return (
        Reminder.objects.pending()
        .filter(consultation=consultation)
        .update(due_on=consultation.held_on, state=state)
    )


def enqueue_for_new_constituent(constituent_id: int) -> None:
    enqueue_on_commit(tasks.reminders_new_constituent_task, constituent_id=constituent_id)


def enqueue_for_difficulty(contact_log: ContactLog) -> None:
    if contact_log.difficulty:
        enqueue_on_commit(tasks.reminders_difficulty_task, contact_log_id=contact_log.pk)


def enqueue_for_consultation(consultation: Consultation) -> None:
    enqueue_on_commit(tasks.reminders_consultation_task, consultation_id=consultation.pk)


def enqueue_for_proposal_reply(proposal_id: int) -> None:
    enqueue_on_commit(tasks.reminders_proposal_reply_task, proposal_id=proposal_id)

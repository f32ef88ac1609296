"""What other parts of the portal call, or raise, when something they own happens: each
enqueues the task that makes the reminders, on commit (if the broker is down, the next sweep
makes them), or, for a consultation moved to another day, moves its reminders in the same
transaction. The events of members and proposals (which may not import activities) reach
the ``on_…`` handlers at the end, connected in ``activities.apps``."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from activities.contacts.models import ContactLog
from activities.events.models import Consultation
from activities.reminders import tasks
from activities.reminders.models import Reminder
from activities.reminders.services.rules import rules_install_defaults
from members.models import Constituent, Council
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


# --- Events raised below activities (connected in ``activities.apps``) --------------------


def on_council_added(*, council: Council) -> None:
    """``members.events.council_added``: a new council starts with the eight default
    must-visit rules, in the transaction that adds it (as migration 0004 gave the first)."""
    rules_install_defaults(council=council)


def on_constituent_added(*, constituent: Constituent) -> None:
    """``members.events.constituent_added``: its first-visit reminder, made by a task after
    commit. Bulk imports raise no event: the daily sweep, set-based, makes theirs."""
    enqueue_for_new_constituent(constituent.pk)


def on_proposal_replied(sender, proposal_id: int, **kwargs) -> None:
    """``proposals.signals.proposal_replied`` (sent on commit by ``proposal_reply``)."""
    enqueue_for_proposal_reply(proposal_id)

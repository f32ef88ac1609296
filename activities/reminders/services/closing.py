"""When a reminder is done — ``reminders_close_for_contact`` (called by the contact-log
service in the same transaction) decides per trigger type:

==================  ===========================================================  ==========
trigger             a contact log closes it when …                                 level
==================  ===========================================================  ==========
periodic            it reaches the constituent (any contact, any date)            constituent
first_visit         it reaches the constituent (any contact)                      constituent
campaign            it reaches the constituent on/after the campaign started      constituent
difficulty          it reaches the constituent on/after the flagged contact,      constituent
                    and is not the flagging contact itself
proposal_replied    it reaches the constituent on/after the reply AND names the   constituent
                    proposal (``ContactLog.proposal``) — feedback is about it
calendar            the member logs any contact on/after the window opened        member
consultation        the member logs any contact on/after it was scheduled         member
==================  ===========================================================  ==========

A contact after the due date still closes the reminder (done late, ``on_time`` False).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.contacts.models import ContactLog, ContactLogConstituent
from activities.reminders.models import Reminder, TriggerType
from members.models import User


def reminders_close_for_contact(contact_log: ContactLog) -> int:
    """Close the open and overdue reminders ``contact_log`` satisfies (rules per trigger
    type in the module docstring). Call inside the contact-log transaction, after its
    constituents are set. Returns the number closed."""
    T = TriggerType
    day = timezone.localdate(contact_log.contacted_at)
    reached = ContactLogConstituent.objects.filter(contact_log=contact_log).values("constituent_id")
    on_or_after = Q(trigger_on__lte=day)
    per_constituent = Q(rule__trigger_type__in=[T.PERIODIC, T.FIRST_VISIT]) | (
        Q(rule__trigger_type=T.CAMPAIGN) & on_or_after
    ) | (
        Q(rule__trigger_type=T.DIFFICULTY) & on_or_after
        & ~Q(flagged_by=contact_log)
    )
    if contact_log.proposal_id:
        per_constituent |= Q(
            rule__trigger_type=T.PROPOSAL_REPLIED, proposal_id=contact_log.proposal_id
        ) & on_or_after
    member_level = Q(
        constituent__isnull=True, rule__trigger_type__in=[T.CALENDAR, T.CONSULTATION]
    ) & on_or_after
    return (
        Reminder.objects.filter(member_id=contact_log.member_id)
        .pending()
        .filter((Q(constituent_id__in=reached) & per_constituent) | member_level)
        .update(
            state=Reminder.State.DONE,
            satisfied_by=contact_log,
            done_at=contact_log.contacted_at,
            on_time=Case(When(due_on__gte=day, then=Value(True)), default=Value(False)),
        )
    )


def reminder_dismiss(*, reminder: Reminder, reason: str, by: User) -> Reminder:
    """Set a reminder aside (the person moved away, died, asked not to be visited …)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the reminder is dismissed."))
    if reminder.state not in (Reminder.State.OPEN, Reminder.State.OVERDUE):
        raise ValidationError(_("Only open or overdue reminders can be dismissed."))
    with transaction.atomic():
        reminder.state = Reminder.State.DISMISSED
        reminder.dismissed_reason = reason[:200]
        reminder.save(update_fields=["state", "dismissed_reason"])
    return reminder

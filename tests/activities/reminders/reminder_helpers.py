"""Shared helpers for the reminder tests."""

from datetime import date, datetime, time

from django.utils import timezone

from activities.models import MustVisitRule, Reminder, TriggerType
from activities.reminders.services.closing import reminders_close_for_contact
from activities.reminders.services.rules import rules_install_defaults
from tests.factories import ContactLogFactory

# Today: constituents' created_at is real time (auto_now_add), so tests run on the real day.
TODAY = timezone.localdate()


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def rule(council, trigger: str) -> MustVisitRule:
    return MustVisitRule.objects.filter(council=council, trigger_type=trigger).order_by("order").first()


def only_rule(council, trigger: str) -> MustVisitRule:
    """Install the defaults and keep only the first rule of ``trigger`` active."""
    rules_install_defaults(council=council)
    MustVisitRule.objects.filter(council=council).exclude(pk=rule(council, trigger).pk).update(active=False)
    return rule(council, trigger)


def log_contact(member, constituents, day: date, **kwargs):
    """A contact log as the contact-log service leaves it: last contact kept, reminders closed."""
    contact = ContactLogFactory(member=member, constituents=constituents, contacted_at=at(day), **kwargs)
    for person in constituents:
        if person.last_contacted_at is None or person.last_contacted_at < contact.contacted_at:
            person.last_contacted_at = contact.contacted_at
            person.save(update_fields=["last_contacted_at"])
    reminders_close_for_contact(contact)
    return contact


def keys(**filters) -> set:
    return set(Reminder.objects.filter(**filters).values_list("member__name", "constituent__name", "period_key"))


__all__ = ["TODAY", "TriggerType", "at", "keys", "log_contact", "only_rule", "rule"]

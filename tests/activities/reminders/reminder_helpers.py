"""Shared helpers for the reminder tests."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from activities.models import MustVisitRule, Reminder, TriggerType
from activities.reminders.services.closing import reminders_close_for_contact
from activities.reminders.services.rules import rules_install_defaults
from activities.reminders.services.sweep import reminders_sweep
from tests.factories import ConstituentFactory, ContactLogFactory

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


def aged(member, days: int, n: int = 1):
    """``n`` constituents of ``member``'s, added ``days`` ago."""
    people = ConstituentFactory.create_batch(n, member=member)
    for person in people:
        person.created_at -= timedelta(days=days)
        person.save(update_fields=["created_at"])
    return people


def two_councils_swept(council, other_council, member_a, member_b, other_member) -> dict:
    """Must-visits of two councils' members, some past due: the default rules, constituents
    added long ago and lately, and the sweep's inserts and overdue mark."""
    rules_install_defaults(council=council)
    rules_install_defaults(council=other_council)
    people = {
        "a_old": aged(member_a, 400, 3),
        "a_new": aged(member_a, 2, 2),
        "b_old": aged(member_b, 200, 2),
        "other": aged(other_member, 400, 2),
    }
    reminders_sweep(today=TODAY)
    return people


__all__ = ["TODAY", "TriggerType", "aged", "at", "keys", "log_contact", "only_rule", "rule",
           "two_councils_swept"]

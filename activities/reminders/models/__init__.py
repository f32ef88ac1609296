"""Rules and campaigns (``rules``) and the reminders they make (``reminders``); every model
importable from here."""

from activities.reminders.models.reminders import Reminder
from activities.reminders.models.rules import Campaign, MustVisitRule, TriggerType

__all__ = ["Campaign", "MustVisitRule", "Reminder", "TriggerType"]

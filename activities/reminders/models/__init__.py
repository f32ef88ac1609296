"""Rules and campaigns (``rules``), the reminders they make (``reminders``) and how far the
sweep has looked for each rule (``marks``); every model importable from here."""

from activities.reminders.models.marks import SweepMark
from activities.reminders.models.reminders import Reminder
from activities.reminders.models.rules import Campaign, MustVisitRule, TriggerType

__all__ = ["Campaign", "MustVisitRule", "Reminder", "SweepMark", "TriggerType"]

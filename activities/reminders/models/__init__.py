"""Rules and campaigns (``rules``), the reminders they make (``reminders``), how far the
sweep has looked for each rule (``marks``) and the dashboards' figures of the reminders
(``tally``); every model importable from here."""

from activities.reminders.models.marks import SweepMark
from activities.reminders.models.reminders import Reminder
from activities.reminders.models.rules import Campaign, MustVisitRule, TriggerType
from activities.reminders.models.tally import ReminderTally

__all__ = ["Campaign", "MustVisitRule", "Reminder", "ReminderTally", "SweepMark", "TriggerType"]

"""Every model of the app, where Django (and the other apps) look for them. Each is defined
in its part: ``activities.contacts``, ``activities.events``, ``activities.reminders``."""

from activities.contacts.models import (
    Channel,
    ContactDay,
    ContactDayMark,
    ContactLog,
    ContactLogConstituent,
    ContactLogKey,
    ContactLogPhoto,
    ContactTally,
)
from activities.events.models import (
    Activity,
    ActivityKind,
    ActivityPhoto,
    ActivitySeries,
    Attendance,
    Consultation,
    ConsultationPhoto,
    Problem,
)
from activities.reminders.models import (
    Campaign,
    MustVisitRule,
    Reminder,
    ReminderTally,
    TriggerType,
)
from activities.tags.models import ContactLogTag, LinkTag

__all__ = [
    "Activity",
    "ActivityKind",
    "ActivityPhoto",
    "ActivitySeries",
    "Attendance",
    "Campaign",
    "Channel",
    "Consultation",
    "ConsultationPhoto",
    "ContactDay",
    "ContactDayMark",
    "ContactLog",
    "ContactLogConstituent",
    "ContactLogKey",
    "ContactLogPhoto",
    "ContactLogTag",
    "ContactTally",
    "LinkTag",
    "MustVisitRule",
    "Problem",
    "Reminder",
    "ReminderTally",
    "TriggerType",
]

"""What members do. One module per topic; everything is importable from ``activities.models``."""

from activities.models.contacts import (  # noqa: F401
    Channel,
    ContactLog,
    ContactLogConstituent,
    ContactLogPhoto,
)
from activities.models.events import (  # noqa: F401
    Activity,
    ActivityKind,
    ActivityPhoto,
    ActivitySeries,
    Attendance,
    Consultation,
    ConsultationPhoto,
    Problem,
)
from activities.models.reminders import (  # noqa: F401
    Campaign,
    MustVisitRule,
    Reminder,
    TriggerType,
)
from activities.models.rollups import ContactDay  # noqa: F401

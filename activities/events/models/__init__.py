"""Activities and consultations, one module each; every model importable from here."""

from activities.events.models.activities import (
    Activity,
    ActivityKind,
    ActivityPhoto,
    ActivitySeries,
    Attendance,
)
from activities.events.models.consultations import Consultation, ConsultationPhoto, Problem

__all__ = [
    "Activity",
    "ActivityKind",
    "ActivityPhoto",
    "ActivitySeries",
    "Attendance",
    "Consultation",
    "ConsultationPhoto",
    "Problem",
]

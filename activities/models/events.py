"""The path migrations 0002 and 0010 name the activity and consultation photos' upload
functions by."""

from activities.events.models.activities import activity_photo_path
from activities.events.models.consultations import consultation_photo_path

__all__ = ["activity_photo_path", "consultation_photo_path"]

"""The path migration 0003 names the calendar windows' validator by."""

from activities.reminders.models.rules import validate_windows

__all__ = ["validate_windows"]

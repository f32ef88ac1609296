"""The app's Django admin: each part registers its own models."""

from activities.contacts import admin as contacts_admin
from activities.events import admin as events_admin

__all__ = ["contacts_admin", "events_admin"]

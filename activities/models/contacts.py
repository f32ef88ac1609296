"""The path migrations 0001 and 0010 name the contact photos' upload function by."""

from activities.contacts.models import contact_photo_path

__all__ = ["contact_photo_path"]

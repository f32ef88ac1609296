"""What the parts' Django admins share: a record's photos, inline."""

from django.contrib import admin


class PhotoInline(admin.TabularInline):
    """The photos of a record (``model``: a ``Photo`` of that record), file and thumbnail."""

    extra = 0
    fields = ["image", "thumbnail"]

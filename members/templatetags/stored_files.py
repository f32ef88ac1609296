"""``{{ photo.image|file_url }}``: an uploaded file's address on the portal, which checks who
asks (``members.common.storage.file_url``), whatever storage keeps the file."""

from django import template

from members.common import storage

register = template.Library()


@register.filter
def file_url(field_file) -> str:
    return storage.file_url(field_file.name) if field_file else ""

"""Form pieces every part of ``activities`` uses: several photos from one file input, the
browser's date and date-time inputs, and crispy-forms' helper for forms rendered inside a
page's own ``<form>``."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several files from one ``<input type=file multiple>``; each is checked by the service
    (``activities.common.photos.validate_photo``), which decodes the content."""

    def __init__(self, *args, **kwargs):
        # No ``capture``: on Android it opens the camera only, and members often attach
        # photos taken earlier from the gallery.
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleImageField, self).clean(f, initial) for f in files]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def form_helper() -> FormHelper:
    """Crispy fields without a ``<form>`` tag: the template writes its own."""
    helper = FormHelper()
    helper.form_tag = False
    return helper

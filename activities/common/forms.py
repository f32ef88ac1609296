"""Form pieces every part of ``activities`` uses: several photos from one file input, the
browser's date and date-time inputs, and crispy-forms' helper for forms rendered inside a
page's own ``<form>``."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.forms import BaseModelFormSet


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


class CouncilListFormSet(BaseModelFormSet):
    """A council's own editable list (activity kinds, 四联四助 tags): the rows are the
    council's, a new row becomes the council's, names stay unique within the list, and a row
    posted with the id of another council's row is refused — Django's formset would find no
    row to change and skip it silently. Subclasses name the ``model`` and the two messages."""

    model = None
    duplicate_message = ""
    foreign_message = ""

    def __init__(self, *args, council, **kwargs):
        self.council = council
        kwargs.setdefault("queryset", self.model.objects.filter(council=council))
        super().__init__(*args, **kwargs)

    def save_new(self, form, commit=True):
        form.instance.council = self.council
        return super().save_new(form, commit=commit)

    def clean(self):
        super().clean()
        if any(form.instance.pk is None for form in self.initial_forms):
            raise forms.ValidationError(self.foreign_message)
        names = [
            f.cleaned_data["name"].strip()
            for f in self.forms
            if f.cleaned_data.get("name") and not self._should_delete_form(f)
        ]
        if len(names) != len(set(names)):
            raise forms.ValidationError(self.duplicate_message)

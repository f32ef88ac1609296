"""Forms of the "四联四助" tags: the council's list (staff), and the field with which a
contact log or an activity names its tags."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.forms import BaseModelFormSet, modelformset_factory
from django.utils.translation import gettext_lazy as _

from activities.tags.models import LinkTag


def tags_field(**kwargs) -> forms.ModelMultipleChoiceField:
    """A few checkboxes; the choices are set by ``offer_tags`` (the council's own)."""
    return forms.ModelMultipleChoiceField(
        label=_("Link and help (四联四助)"),
        queryset=LinkTag.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"invalid_choice": _("Choose link-and-help tags of this council.")},
        help_text=_("Tick what the work served; none is fine too."),
        **kwargs,
    )


def offer_tags(field: forms.ModelMultipleChoiceField, *, council_id: int, kept=()) -> None:
    """The council's tags in use, and any ``kept`` (already named, since retired)."""
    kept_ids = [getattr(t, "pk", t) for t in kept]
    field.queryset = LinkTag.objects.filter(council_id=council_id).filter(
        Q(active=True) | Q(pk__in=kept_ids)
    )


class BaseLinkTagFormSet(BaseModelFormSet):
    """The council's list of tags: names stay unique within the council. A tag is retired
    (taken out of use), not deleted: logs and activities keep naming it."""

    def __init__(self, *args, council, **kwargs):
        self.council = council
        kwargs.setdefault("queryset", LinkTag.objects.filter(council=council))
        super().__init__(*args, **kwargs)

    def save_new(self, form, commit=True):
        form.instance.council = self.council
        return super().save_new(form, commit=commit)

    def clean(self):
        super().clean()
        # A row posted with the id of a tag outside the council's list (another council's)
        # finds no tag to change: refused, rather than silently skipped.
        if any(form.instance.pk is None for form in self.initial_forms):
            raise forms.ValidationError(_("Choose link-and-help tags of this council."))
        names = [
            f.cleaned_data["name"].strip()
            for f in self.forms
            if f.cleaned_data.get("name") and not self._should_delete_form(f)
        ]
        if len(names) != len(set(names)):
            raise forms.ValidationError(_("Each tag needs a different name."))


LinkTagFormSet = modelformset_factory(
    LinkTag, formset=BaseLinkTagFormSet, fields=["name", "kind", "description", "order", "active"],
    extra=2,
)

"""Forms of the "四联四助" tags: the council's list (staff), and the field with which a
contact log or an activity names its tags."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.forms import modelformset_factory
from django.utils.translation import gettext_lazy as _

from activities.common.forms import CouncilListFormSet
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


class BaseLinkTagFormSet(CouncilListFormSet):
    """The council's list of tags. A tag is retired (taken out of use), not deleted: logs and
    activities keep naming it."""

    model = LinkTag
    duplicate_message = _("Each tag needs a different name.")
    foreign_message = _("Choose link-and-help tags of this council.")


LinkTagFormSet = modelformset_factory(
    LinkTag, formset=BaseLinkTagFormSet, fields=["name", "kind", "description", "order", "active"],
    extra=2,
)

"""Forms of the members app. Forms validate and clean; the services in ``members.services``
write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import Constituent
from members.phones import normalize_phone


class ConstituentForm(forms.ModelForm):
    """A person on a member's roster. The council, sector and keeping member are not asked:
    they come from the roster (see ``constituent_create``)."""

    class Meta:
        model = Constituent
        fields = ["name", "phone", "unit", "occupation", "community", "tags", "notes",
                  "consent_note"]
        widgets = {
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "phone": _("A mobile number or a landline with its area code."),
            "tags": _("Comma separated, e.g. enterprise owner, retired teacher."),
        }

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data.get("phone"))

    def _post_clean(self):
        # The service checks the model (and the one-phone-per-roster rule) with the keeping
        # member set; the form has no member yet, so it only cleans the fields.
        pass

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class RosterSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=50,
        widget=forms.TextInput(
            attrs={"placeholder": _("Name, work unit or community"), "type": "search"}
        ),
    )

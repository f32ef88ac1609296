"""The report forms: they validate and clean; ``opinions.services`` writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from activities.models import ContactLog
from opinions import services


class ReportForm(forms.Form):
    """A member's report, or the office's edit of it (``version``: the copy edited)."""

    title = forms.CharField(label=_("Title"), max_length=services.MAX_TITLE)
    body = forms.CharField(
        label=_("Report"), max_length=services.MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What people raised, the situation behind it, and your suggestion."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class SubmitForm(ReportForm):
    contact_log = forms.ModelChoiceField(
        label=_("From the contact"), queryset=ContactLog.objects.none(), required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["version"]
        if member is not None:
            self.fields["contact_log"].queryset = ContactLog.objects.filter(member=member)


def prefill(log: ContactLog) -> dict:
    """A new report from a contact's opinions: the first line as the title, all as the text."""
    text = (log.opinions or log.summary).strip()
    first = text.splitlines()[0] if text else ""
    return {"title": first[: services.MAX_TITLE], "body": text, "contact_log": log.pk}


class VersionForm(forms.Form):
    """Forward or adopt: only the copy the decision was taken on."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class NotUseForm(VersionForm):
    reason = forms.CharField(
        label=_("Reason for not using it"), max_length=services.MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InstructionForm(forms.Form):
    leader = forms.CharField(label=_("Leader"), max_length=50,
                             help_text=_("Who gave the instruction, e.g. 市委副书记 李某某."))
    text = forms.CharField(label=_("Instruction"), max_length=services.MAX_BODY,
                           widget=forms.Textarea(attrs={"rows": 3}))
    given_on = forms.DateField(label=_("Date of the instruction"),
                               widget=forms.DateInput(attrs={"type": "date"}))

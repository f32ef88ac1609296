"""Forms of the must-visit pages: the rule editor, the campaign launcher, dismissing."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from activities.common.forms import form_helper
from activities.reminders.models import Campaign, MustVisitRule, TriggerType
from activities.reminders.models.rules import validate_windows
from members.models import Sector


class RuleForm(forms.ModelForm):
    """A rule; calendar windows are typed one a line: ``春节 01-15 02-15``."""

    windows_text = forms.CharField(
        label=_("Calendar windows"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One window a line: name, start MM-DD, end MM-DD — e.g. 中秋 09-10 09-25."),
    )

    class Meta:
        model = MustVisitRule
        fields = [
            "name", "description", "trigger_type", "period_days", "lead_days", "within_days",
            "escalate_after_days", "sectors", "active", "order",
        ]
        widgets = {"sectors": forms.CheckboxSelectMultiple}

    def __init__(self, *args, council, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.council = council
        self.fields["sectors"].queryset = Sector.objects.filter(council=council)
        self.fields["sectors"].required = False
        if self.instance.windows:
            self.initial["windows_text"] = "\n".join(
                f"{w['label']} {w['start']} {w['end']}" for w in self.instance.windows
            )
        self.helper = form_helper()

    def clean_windows_text(self):
        windows = []
        for line in self.cleaned_data["windows_text"].splitlines():
            parts = line.split()
            if not parts:
                continue
            if len(parts) < 3:
                raise ValidationError(_("Write each window as: name start end, e.g. 中秋 09-10 09-25."))
            windows.append({"label": " ".join(parts[:-2]), "start": parts[-2], "end": parts[-1]})
        validate_windows(windows)
        return windows

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = MustVisitRule.objects.filter(council=self.instance.council, name=name)
        if clash.exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("A rule with this name already exists."))
        return name

    def _post_clean(self):
        self.instance.windows = self.cleaned_data.get("windows_text", self.instance.windows)
        super()._post_clean()

    def _update_errors(self, errors):
        # The model speaks of ``windows``; the form shows them as ``windows_text``.
        if hasattr(errors, "error_dict") and "windows" in errors.error_dict:
            errors.error_dict["windows_text"] = errors.error_dict.pop("windows")
        super()._update_errors(errors)


class CampaignForm(forms.Form):
    rule = forms.ModelChoiceField(label=_("Rule"), queryset=MustVisitRule.objects.none())
    title = forms.CharField(label=_("Title"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Campaign.Kind.choices)
    sectors = forms.ModelMultipleChoiceField(
        label=_("Sectors"), queryset=Sector.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("None chosen: all sectors."),
    )
    due_in_days = forms.IntegerField(label=_("Due in days"), min_value=1, max_value=365, initial=30)

    def __init__(self, *args, council, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = MustVisitRule.objects.filter(
            council=council, trigger_type=TriggerType.CAMPAIGN, active=True
        )
        self.fields["sectors"].queryset = Sector.objects.filter(council=council)
        self.helper = form_helper()


class DismissForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=200)

"""Forms of the dashboards, duty points and reports."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from liaison.dashboard.scope import Params
from liaison.models import DutyScheme
from members.common.widgets import QuickSelect


def _date_field(label):
    return forms.DateField(label=label, required=False,
                           widget=forms.DateInput(attrs={"type": "date"}))


class PeriodForm(forms.Form):
    """A period given as ``from`` / ``to`` (both optional, both inclusive)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"] = _date_field(_("From"))
        self.fields["to"] = _date_field(_("To"))

    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            raise ValidationError(_("The period must end on or after the day it starts."))
        return data

    def period(self) -> tuple:
        if not self.is_valid():
            return None, None
        return self.cleaned_data.get("from"), self.cleaned_data.get("to")


class DashboardFilterForm(PeriodForm):
    """The dashboard's filters. Choices come from ``figures.reference`` (one query for all),
    so a session, sector or committee outside the user's reach is refused as invalid."""

    def __init__(self, *args, reference: dict, council_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        self.fields["session"] = forms.TypedChoiceField(
            label=_("Session"), required=False, coerce=int, empty_value=None, widget=QuickSelect,
            choices=[("", _("Current session"))]
            + [(str(s["id"]), s["name"]) for s in reference["session"]],
        )
        self.fields["sector"] = forms.TypedChoiceField(
            label=_("Sector"), required=False, coerce=int, empty_value=None, widget=QuickSelect,
            choices=every + [(str(s["id"]), s["name"]) for s in reference["sector"]],
        )
        self.fields["committee"] = forms.TypedChoiceField(
            label=_("Special committee"), required=False, coerce=int, empty_value=None,
            widget=QuickSelect,
            choices=every + [(str(c["id"]), c["name"]) for c in reference["committee"]],
        )
        if council_id:
            self.fields["council"] = forms.IntegerField(
                required=False, widget=forms.HiddenInput, initial=council_id
            )

    # The filters' columns, in order (``liaison/includes/_dashboard_filter.html``).
    COLUMNS = (
        ("from", "col-6 col-md-2"), ("to", "col-6 col-md-2"), ("session", "col-12 col-md-2"),
        ("sector", "col-6 col-md-2"), ("committee", "col-6 col-md-2"),
    )

    def columns(self) -> list[dict]:
        """Each filter with its column, label and widget, written with Bootstrap's classes as
        the crispy forms elsewhere are. The dashboard is the page leaders open most; its
        filters laid out by crispy-forms cost a fifth of rendering the page."""
        columns = []
        for name, width in self.COLUMNS:
            field = self[name]
            kind = "select form-select" if name in ("session", "sector", "committee") else "dateinput form-control"
            attrs = {"class": kind}
            if field.errors:
                attrs.update({"class": f"{kind} is-invalid", "aria-invalid": "true",
                              "aria-describedby": f"{field.auto_id}_error"})
            columns.append({"field": field, "width": width, "widget": field.as_widget(attrs=attrs)})
        return columns

    def params(self) -> Params:
        """The valid filters; an invalid one is dropped (and its error shown)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        period_ok = not self.has_error("__all__") and not self.has_error("from") and not self.has_error("to")
        return Params(
            date_from=data.get("from") if period_ok else None,
            date_to=data.get("to") if period_ok else None,
            session_id=data.get("session"),
            sector_id=data.get("sector"),
            committee_id=data.get("committee"),
        )


class DutyPeriodForm(PeriodForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_class = "d-print-none mb-3"
        self.helper.layout = Layout(
            Row(
                Column("from", css_class="col-6 col-md-3"),
                Column("to", css_class="col-6 col-md-3"),
                Column(Submit("apply", _("Apply"), css_class="btn-portal mt-md-4 w-100"),
                       css_class="col-12 col-md-2"),
            )
        )


class DutySchemeForm(forms.ModelForm):
    class Meta:
        model = DutyScheme
        fields = [
            "contact_points", "contact_cap", "visit_points", "visit_cap",
            "filed_points", "filed_cap", "cosigned_points", "cosigned_cap",
            "activity_points", "activity_cap", "consultation_points", "consultation_cap",
            "report_points", "report_cap", "adopted_points", "adopted_cap",
            "instructed_points", "instructed_cap",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        rows = []
        for key, _label in DutyScheme.ITEMS:
            rows.append(Row(Column(f"{key}_points", css_class="col-6"),
                            Column(f"{key}_cap", css_class="col-6")))
        self.helper.layout = Layout(*rows)
        for key, _label in DutyScheme.ITEMS:
            self.fields[f"{key}_cap"].help_text = _("Empty: no cap.")


class ReportForm(PeriodForm):
    """The report's period (both ends required) and, for a city or province, the council."""

    def __init__(self, *args, councils=(), council=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"].required = True
        self.fields["to"].required = True
        columns = [Column("from", css_class="col-6 col-md-3"), Column("to", css_class="col-6 col-md-3")]
        if len(councils) > 1:
            self.fields["council"] = forms.ChoiceField(
                label=_("Council"), required=False, initial=council.pk if council else None,
                choices=[(str(c.pk), c.name) for c in councils],
            )
            columns.append(Column("council", css_class="col-12 col-md-3"))
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Row(
                *columns,
                Column(Submit("show", _("Show report"), css_class="btn-portal mt-md-4 w-100"),
                       css_class="col-12 col-md-3"),
            )
        )

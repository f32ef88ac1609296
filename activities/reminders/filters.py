"""The drill-down filters of the staff reminder list and the compliance page."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from activities.reminders.models import MustVisitRule, Reminder
from members import permissions
from members.common.widgets import LookupSelect, QuickSelect
from members.filters import council_subtree_q
from members.models import Committee, Council, Member, Sector


class ReminderFilterForm(forms.Form):
    """Drill-down filters of the staff reminder list and the compliance page (all optional).
    The dashboard links here with its period (due dates, both inclusive), sector, committee
    and roll-up council, and with "came due" / "on time" for its must-visit figures."""

    CAME_DUE = "due"
    _TRUE_FALSE = [("", "---------"), ("true", _("Yes")), ("false", _("No"))]

    state = forms.ChoiceField(label=_("State"), required=False, choices=[
        ("", _("All states")), *Reminder.State.choices,
        (CAME_DUE, _("Came due (done or overdue)")),
    ])
    on_time = forms.TypedChoiceField(label=_("Done on time"), required=False,
                                     choices=_TRUE_FALSE, coerce=lambda v: v == "true",
                                     empty_value=None)
    rule = forms.ModelChoiceField(label=_("Rule"), required=False, queryset=MustVisitRule.objects.none(),
                                  widget=QuickSelect)
    sector = forms.ModelChoiceField(label=_("Sector"), required=False, queryset=Sector.objects.none(),
                                    widget=QuickSelect)
    committee = forms.ModelChoiceField(label=_("Special committee"), required=False,
                                       queryset=Committee.objects.none(), widget=QuickSelect)
    member = forms.ModelChoiceField(label=_("Member"), required=False, queryset=Member.objects.none(),
                                    widget=LookupSelect("members:member-lookup"))
    period_after = forms.DateField(label=_("Due from"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    period_before = forms.DateField(label=_("Due until"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))
    # A council and its subtree (a city or province user drilling into one of its councils).
    council = forms.ModelChoiceField(label=_("Council"), required=False,
                                     queryset=Council.objects.none(), widget=QuickSelect)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = MustVisitRule.objects.visible_to(user)
        # council_q directly: Sector/Committee.objects.visible_to filter on their own pk.
        self.fields["sector"].queryset = Sector.objects.filter(permissions.council_q(user))
        self.fields["committee"].queryset = Committee.objects.filter(permissions.council_q(user))
        # Validates the chosen id; the widget renders only that member (a search picker).
        self.fields["member"].queryset = Member.objects.visible_to(user).only("pk", "name")
        if permissions.is_superuser(user) or (
            user.council_id is not None and user.council.level != Council.Level.DISTRICT
        ):
            self.fields["council"].queryset = Council.objects.filter(
                permissions.council_q(user, field="pk")
            )
        else:
            del self.fields["council"]  # a district's users reach one council: nothing to pick
        for field in self.fields.values():
            if isinstance(field.widget, forms.DateInput):
                field.widget.attrs["class"] = "form-control form-control-sm js-autosubmit"
            else:
                field.widget.attrs["class"] = "form-select form-select-sm js-autosubmit"

    def apply(self, queryset, *, without: str = ""):
        """The filters applied (but the one named ``without``); an invalid filter lists
        nothing rather than everything (the view says which filter was refused)."""
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data.get("state") == self.CAME_DUE:
            queryset = queryset.filter(state__in=[Reminder.State.DONE, Reminder.State.OVERDUE])
        elif data.get("state"):
            queryset = queryset.filter(state=data["state"])
        if data.get("on_time") is not None:
            # On time means done by the due date; "not on time" is everything else.
            on_time = Q(state=Reminder.State.DONE, on_time=True)
            queryset = queryset.filter(on_time if data["on_time"] else ~on_time)
        if data.get("council"):
            queryset = queryset.filter(council_subtree_q(data["council"].pk))
        for name, lookup in [("rule", "rule"), ("sector", "member__sector"),
                             ("committee", "member__committee"), ("member", "member"),
                             ("period_after", "due_on__gte"), ("period_before", "due_on__lte")]:
            if data.get(name) and name != without:
                queryset = queryset.filter(**{lookup: data[name]})
        return queryset

    def refused(self) -> str:
        """The labels of the filters that were not valid, for a message ("" if none)."""
        if not self.is_bound or self.is_valid():
            return ""
        return "、".join(str(self.fields[name].label) for name in self.errors if name in self.fields)

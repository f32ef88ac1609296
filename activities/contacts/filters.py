"""Filters of the staff contact-log list (django-filter)."""

from __future__ import annotations

import re
from datetime import datetime, time

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.contacts.models import Channel, ContactLog
from members.filters import council_filter, period_filter
from members.models import Committee, Member, Platform, Sector

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def month_range(value: str):
    """'2024-09' → the first instants of that month and the next, in local time; None if bad."""
    match = _MONTH.match(value.strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        return None
    tz = timezone.get_current_timezone()
    start = datetime.combine(datetime(year, month, 1), time.min, tzinfo=tz)
    end_year, end_month = (year + 1, 1) if month == 12 else (year, month + 1)
    end = datetime.combine(datetime(end_year, end_month, 1), time.min, tzinfo=tz)
    return start, end


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month"})

    def clean(self, value):
        value = super().clean(value)
        if value and month_range(value) is None:
            raise forms.ValidationError(_("Enter a month as YYYY-MM, e.g. 2024-09."))
        return value


class MonthFilter(django_filters.CharFilter):
    field_class = MonthField


def _members(request):
    return Member.objects.visible_to(request.user).only("pk", "name").order_by("name", "pk")


class ContactLogFilter(django_filters.FilterSet):
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices)
    month = MonthFilter(label=_("Month"), method="filter_month")
    member = django_filters.ModelChoiceFilter(label=_("Member"), queryset=_members)
    difficulty = django_filters.BooleanFilter(
        label=_("In difficulty"),
        widget=forms.Select(choices=[("", "---------"), ("true", _("Yes")), ("false", _("No"))]),
    )
    difficulty_kind = django_filters.ChoiceFilter(
        label=_("Kind of difficulty"), choices=ContactLog.Difficulty.choices
    )
    # Filters the dashboard links with: its period, the member's sector and committee, council.
    period = period_filter("contacted_at")
    sector = django_filters.ModelChoiceFilter(
        label=_("Sector"), field_name="member__sector",
        queryset=lambda request: Sector.objects.visible_to(request.user),
    )
    committee = django_filters.ModelChoiceFilter(
        label=_("Special committee"), field_name="member__committee",
        queryset=lambda request: Committee.objects.visible_to(request.user),
    )
    council = council_filter()
    platform = django_filters.ModelChoiceFilter(
        label=_("Platform"),
        queryset=lambda request: Platform.objects.visible_to(request.user),
    )

    class Meta:
        model = ContactLog
        fields = ["channel", "month", "member", "difficulty", "difficulty_kind"]

    def filter_month(self, queryset, name, value):
        start, end = month_range(value)
        return queryset.filter(contacted_at__gte=start, contacted_at__lt=end)

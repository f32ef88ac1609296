"""The month filter of the contact-log, activity and consultation lists: ``?month=2024-09``
(an ``<input type=month>``), the rows of that local calendar month. A malformed month is
refused on the form in the user's language (the list is then not narrowed by month)."""

from __future__ import annotations

import re
from datetime import datetime, time

import django_filters
from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
    """The rows whose ``field_name`` (a date or a date-time) falls in the month."""

    field_class = MonthField

    def filter(self, qs, value):
        if not value:
            return qs
        start, end = month_range(value)
        if not isinstance(qs.model._meta.get_field(self.field_name), models.DateTimeField):
            start, end = start.date(), end.date()  # a DateField (a consultation's day)
        return qs.filter(**{f"{self.field_name}__gte": start, f"{self.field_name}__lt": end})


"""The report list's filters: also the list behind each report figure of the dashboard."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from members.filters import council_filter, period_filter
from opinions.models import Report

YES = (("true", _("Yes")),)


class ReportFilter(django_filters.FilterSet):
    """``period``: when the report was submitted (as the dashboard counts); ``queue``: awaiting
    the user's own council; ``forwarded``: went up at least once; ``instructed``: has a
    leader's instruction; ``sector`` / ``committee``: the author's."""

    state = django_filters.ChoiceFilter(label=_("State"), choices=Report.State.choices,
                                        empty_label=_("All"))
    queue = django_filters.ChoiceFilter(label=_("Awaiting our decision"), choices=YES,
                                        method="filter_queue")
    forwarded = django_filters.ChoiceFilter(label=_("Forwarded"), choices=YES,
                                            method="filter_forwarded")
    instructed = django_filters.ChoiceFilter(label=_("With an instruction"), choices=YES,
                                             method="filter_instructed")
    sector = django_filters.NumberFilter(field_name="member__sector_id", min_value=1,
                                         widget=forms.HiddenInput)
    committee = django_filters.NumberFilter(field_name="member__committee_id", min_value=1,
                                            widget=forms.HiddenInput)
    period = period_filter("submitted_at")
    council = council_filter()

    class Meta:
        model = Report
        fields = []

    def filter_queue(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value and user is not None and user.council_id:
            return queryset.queue_of(user.council_id)
        return queryset

    def filter_forwarded(self, queryset, name, value):
        return queryset.filter(times_forwarded__gt=0) if value else queryset

    def filter_instructed(self, queryset, name, value):
        return queryset.filter(instructed_at__isnull=False) if value else queryset

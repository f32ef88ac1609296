"""Filters of the activities and consultations lists (django-filter). Choices come from the
user's own council."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from activities.common.filters import MonthFilter
from activities.contacts.models import Channel
from activities.events.models import Activity, ActivityKind, ActivitySeries, Consultation, Problem
from activities.tags.models import LinkTag
from members.filters import CouncilSubtreeFilter, council_filter, council_subtree_q, period_filter
from members.models import Committee, Platform, Sector


def _council_choices(model):
    def queryset(request):
        if request is None:
            return model.objects.none()
        return model.objects.visible_to(request.user)

    return queryset


class ActivityFilter(django_filters.FilterSet):
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices)
    kind = django_filters.ModelChoiceFilter(label=_("Kind"), queryset=_council_choices(ActivityKind))
    platform = django_filters.ModelChoiceFilter(
        label=_("Platform"), queryset=_council_choices(Platform)
    )
    sector = django_filters.ModelChoiceFilter(
        label=_("Sector"), field_name="sectors", queryset=_council_choices(Sector), distinct=True
    )
    series = django_filters.ModelChoiceFilter(
        label=_("Series"), queryset=_council_choices(ActivitySeries)
    )
    state = django_filters.ChoiceFilter(label=_("State"), choices=Activity.State.choices)
    tag = django_filters.ModelChoiceFilter(
        label=_("Link and help"), field_name="tags", queryset=_council_choices(LinkTag)
    )
    month = MonthFilter(label=_("Month"), field_name="starts_at")
    cross_sector = django_filters.BooleanFilter(
        label=_("Cross-sector only"), method="filter_cross_sector",
        widget=forms.CheckboxInput,
    )
    # Filters the dashboard links with: its period, committee, platform kind and council.
    period = period_filter("starts_at")
    committee = django_filters.ModelChoiceFilter(
        label=_("Special committee"), queryset=_council_choices(Committee)
    )
    platform_kind = django_filters.ChoiceFilter(
        label=_("Platform kind"), field_name="platform__kind", choices=Platform.Kind.choices
    )
    council = council_filter()
    # The dashboard's roll-up: its councils' tags of one name (hidden, as the council).
    tag_name = django_filters.CharFilter(field_name="tags__name", widget=forms.HiddenInput)
    # … and its councils' activity kinds of one name.
    kind_name = django_filters.CharFilter(field_name="kind__name", widget=forms.HiddenInput)

    class Meta:
        model = Activity
        fields = []

    def filter_cross_sector(self, qs, name, value):
        return qs.cross_sector() if value else qs


class ConsultationFilter(django_filters.FilterSet):
    platform = django_filters.ModelChoiceFilter(
        label=_("Platform"), queryset=_council_choices(Platform)
    )
    month = MonthFilter(label=_("Month"), field_name="held_on")
    topic = django_filters.CharFilter(label=_("Topic"), lookup_expr="icontains")
    period = period_filter("held_on")
    council = council_filter()

    class Meta:
        model = Consultation
        fields = []


class ConsultationCouncilFilter(CouncilSubtreeFilter):
    """The dashboard's drill-down for rows reached through their consultation."""

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        return qs.filter(council_subtree_q(value, field="consultation__council"))


class ProblemFilter(django_filters.FilterSet):
    """The problems list. ``period`` is when the consultation was held, as the dashboard's
    "problems raised / solved" count them; ``resolved`` is when a problem was resolved."""

    state = django_filters.ChoiceFilter(label=_("State"), choices=Problem.State.choices)
    platform = django_filters.ModelChoiceFilter(
        label=_("Platform"), field_name="consultation__platform",
        queryset=_council_choices(Platform),
    )
    # Sectors of the consultation's platform.
    sector = django_filters.ModelChoiceFilter(
        label=_("Sector"), field_name="consultation__platform__sectors",
        queryset=_council_choices(Sector), distinct=True,
    )
    period = django_filters.DateFromToRangeFilter(
        label=_("Consultation held"), field_name="consultation__held_on",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    resolved = django_filters.DateFromToRangeFilter(
        label=_("Resolved between"), field_name="resolved_on",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    council = ConsultationCouncilFilter(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Problem
        fields = []

"""Filters of the proposal register (提案汇总, django-filter). Choices come from the user's
own council; the export reads the same filter so it writes exactly what the page lists."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.common.widgets import QuickSelect
from members.filters import council_filter
from members.models import Committee, Sector
from proposals.models import (
    Assignment,
    Category,
    HandlingUnit,
    Proposal,
    Rating,
    Reply,
    Session,
    State,
)

RATED = "rated"
POSITIVE = "positive"
POSITIVE_VALUES = [Rating.Value.SATISFIED, Rating.Value.BASICALLY]


def _sessions(request):
    return Session.objects.visible_to(request.user)


def _categories(request):
    return Category.objects.visible_to(request.user)


def _units(request):
    return HandlingUnit.objects.visible_to(request.user)


class RegisterFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="filter_search",
        widget=forms.TextInput(attrs={"placeholder": _("Number, title or proposer")}),
    )
    session = django_filters.ModelChoiceFilter(label=_("Session"), queryset=_sessions,
                                               widget=QuickSelect)
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=[c for c in State.choices if c[0] != State.DRAFT]
    )
    category = django_filters.ModelChoiceFilter(label=_("Category"), queryset=_categories,
                                                widget=QuickSelect)
    unit = django_filters.ModelChoiceFilter(
        label=_("Handling unit"), queryset=_units, method="filter_unit", widget=QuickSelect
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue"), method="filter_overdue",
        widget=forms.Select(choices=[("", "---------"), ("true", _("Yes")), ("false", _("No"))]),
    )
    reply_category = django_filters.ChoiceFilter(
        label=_("Reply category"), choices=Reply.Category.choices, method="filter_reply_category"
    )

    # Filters the dashboard links with: the proposer's sector or committee (a member's, or
    # the collective proposer itself), filed (立案, numbered) and the council.
    sector = django_filters.ModelChoiceFilter(
        label=_("Sector"), method="filter_sector",
        queryset=lambda request: Sector.objects.in_reach_of(request.user), widget=QuickSelect,
    )
    committee = django_filters.ModelChoiceFilter(
        label=_("Special committee"), method="filter_committee",
        queryset=lambda request: Committee.objects.in_reach_of(request.user), widget=QuickSelect,
    )
    filed = django_filters.BooleanFilter(
        label=_("Filed"), field_name="number", lookup_expr="isnull", exclude=True,
        widget=forms.Select(choices=[("", "---------"), ("true", _("Yes")), ("false", _("No"))]),
    )
    council = council_filter()
    # The dashboard's default: with no session chosen, the current session of each council.
    current_session = django_filters.BooleanFilter(
        label=_("Current session"), field_name="session__is_current",
        widget=forms.Select(choices=[("", "---------"), ("true", _("Yes")), ("false", _("No"))]),
    )
    rating = django_filters.ChoiceFilter(
        label=_("Rating"), method="filter_rating",
        choices=[*Rating.Value.choices, (POSITIVE, _("Satisfied or basically satisfied")),
                 (RATED, _("Rated"))],
    )

    class Meta:
        model = Proposal
        fields = ["q", "session", "state", "category", "unit", "overdue", "reply_category"]

    def filter_sector(self, queryset, name, value):
        return queryset.filter(Q(proposer__sector=value) | Q(proposer_sector=value))

    def filter_committee(self, queryset, name, value):
        return queryset.filter(Q(proposer__committee=value) | Q(proposer_committee=value))

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_unit(self, queryset, name, value):
        active = Assignment.objects.filter(
            proposal=OuterRef("pk"), unit=value, state__in=Assignment.HANDLED
        )
        return queryset.filter(Exists(active))

    def filter_overdue(self, queryset, name, value):
        today = timezone.localdate()
        overdue = queryset.overdue(today)
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))

    def filter_reply_category(self, queryset, name, value):
        return queryset.with_reply_category(value)

    def filter_rating(self, queryset, name, value):
        # The rating each proposal counts with, kept on it (``proposals.outcome``).
        if value == RATED:
            return queryset.exclude(counted_rating="")
        if value == POSITIVE:
            return queryset.filter(counted_rating__in=POSITIVE_VALUES)
        return queryset.filter(counted_rating=value)

"""Filters of the staff contact-log list (django-filter)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from activities.common.filters import MonthFilter
from activities.contacts.models import Channel, ContactLog
from activities.tags.models import LinkTag
from members.common.widgets import QuickSelect
from members.filters import council_filter, member_filter, period_filter
from members.models import Committee, Platform, Sector


class ContactLogFilter(django_filters.FilterSet):
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices)
    month = MonthFilter(label=_("Month"), field_name="contacted_at")
    member = member_filter(_("Member"))
    difficulty = django_filters.BooleanFilter(
        label=_("In difficulty"),
        widget=forms.Select(choices=[("", "---------"), ("true", _("Yes")), ("false", _("No"))]),
    )
    difficulty_kind = django_filters.ChoiceFilter(
        label=_("Kind of difficulty"), choices=ContactLog.Difficulty.choices
    )
    tag = django_filters.ModelChoiceFilter(
        label=_("Link and help"), field_name="tags",
        queryset=lambda request: LinkTag.objects.visible_to(request.user), widget=QuickSelect,
    )
    # Filters the dashboard links with: its period, the member's sector and committee, council.
    period = period_filter("contacted_at")
    sector = django_filters.ModelChoiceFilter(
        label=_("Sector"), field_name="member__sector",
        queryset=lambda request: Sector.objects.visible_to(request.user), widget=QuickSelect,
    )
    committee = django_filters.ModelChoiceFilter(
        label=_("Special committee"), field_name="member__committee",
        queryset=lambda request: Committee.objects.visible_to(request.user), widget=QuickSelect,
    )
    council = council_filter()
    # The dashboard's roll-up: its councils' tags of one name (hidden, as the council).
    tag_name = django_filters.CharFilter(field_name="tags__name", widget=forms.HiddenInput)
    platform = django_filters.ModelChoiceFilter(
        label=_("Platform"),
        queryset=lambda request: Platform.objects.visible_to(request.user), widget=QuickSelect,
    )

    class Meta:
        model = ContactLog
        fields = ["channel", "month", "member", "difficulty", "difficulty_kind"]


"""Filters of the staff lists (django-filter). Choices come from the user's own council."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members import permissions
from members.models import Committee, Constituent, Member, Platform, Sector


def _sectors(request):
    return Sector.objects.visible_to(request.user)


def _committees(request):
    return Committee.objects.visible_to(request.user)


def _members(request):
    return Member.objects.visible_to(request.user).only("pk", "name").order_by("name", "pk")


# Rows of a council and the councils under it; one definition, in members.permissions.
council_subtree_q = permissions.subtree_q


class CouncilSubtreeFilter(django_filters.NumberFilter):
    """Drill-down from the dashboard's roll-up: a council and its subtree (hidden). The list's
    queryset is already limited to the user's reach, so a council outside it lists nothing."""

    field_class = forms.IntegerField

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        return qs.filter(council_subtree_q(value))


def council_filter():
    return CouncilSubtreeFilter(widget=forms.HiddenInput, min_value=1)


def period_filter(field_name: str):
    """``period_after`` / ``period_before`` (both inclusive): the dashboard's period."""
    return django_filters.DateFromToRangeFilter(
        label=_("Period"), field_name=field_name,
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )


class SearchFilterMixin:
    """A free-text ``q`` over ``search_fields``: every word must match one of them."""

    search_fields: tuple[str, ...] = ()

    def search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(self.word_q(word))
        return queryset

    def word_q(self, word: str) -> Q:
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": word})
        return condition


class MemberFilter(SearchFilterMixin, django_filters.FilterSet):
    class Problem:
        NO_ZONE = "no_zone"
        NO_CONSTITUENTS = "no_constituents"
        ANY = "any"

    search_fields = ("name", "unit", "phone")

    q = django_filters.CharFilter(label=_("Search"), method="search")
    sector = django_filters.ModelChoiceFilter(label=_("Sector"), queryset=_sectors)
    committee = django_filters.ModelChoiceFilter(label=_("Special committee"), queryset=_committees)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Member.Status.choices)
    problem = django_filters.ChoiceFilter(
        label=_("Coverage problem"),
        method="filter_problem",
        choices=[
            (Problem.ANY, _("Any coverage problem")),
            (Problem.NO_ZONE, _("No responsibility zone")),
            (Problem.NO_CONSTITUENTS, _("No constituents")),
        ],
    )
    council = council_filter()

    class Meta:
        model = Member
        fields = ["q", "sector", "committee", "status", "problem"]

    def filter_problem(self, queryset, name, value):
        # The list is annotated with constituent_count (active constituents only).
        queryset = queryset.filter(status=Member.Status.ACTIVE)
        if value == self.Problem.NO_ZONE:
            return queryset.filter(zone="")
        if value == self.Problem.NO_CONSTITUENTS:
            return queryset.filter(constituent_count=0)
        return queryset.filter(Q(zone="") | Q(constituent_count=0))


def phone_search_q(user, word: str) -> Q | None:
    """A match on constituents' phone numbers, only among those ``user`` sees whole
    (``permissions.can_see_constituent_phone``: staff all, a member their own): searching
    masked numbers would let a reader rebuild them digit by digit. ``None``: no phone search."""
    if permissions.is_staff(user):
        return Q(phone__icontains=word)
    if permissions.is_member(user):
        return Q(phone__icontains=word, member__user=user)
    return None


class ConstituentFilter(SearchFilterMixin, django_filters.FilterSet):
    search_fields = ("name", "unit")  # and the phone, for those who see it whole

    def word_q(self, word: str) -> Q:
        phone = phone_search_q(self.request.user, word)
        return super().word_q(word) if phone is None else super().word_q(word) | phone

    q = django_filters.CharFilter(label=_("Search"), method="search")
    sector = django_filters.ModelChoiceFilter(label=_("Sector"), queryset=_sectors)
    committee = django_filters.ModelChoiceFilter(
        label=_("Special committee"), field_name="member__committee", queryset=_committees
    )
    member = django_filters.ModelChoiceFilter(label=_("Keeping member"), queryset=_members)
    community = django_filters.CharFilter(label=_("Community"), lookup_expr="icontains")
    active = django_filters.BooleanFilter(
        label=_("Active"),
        widget=forms.Select(choices=[("", "---------"), ("true", _("Yes")), ("false", _("No"))]),
    )

    class Meta:
        model = Constituent
        fields = ["q", "sector", "member", "community", "active"]

    council = council_filter()


class PlatformFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Platform.Kind.choices)
    active = django_filters.BooleanFilter(
        label=_("Active"),
        widget=forms.Select(choices=[("", "---------"), ("true", _("Yes")), ("false", _("No"))]),
    )

    class Meta:
        model = Platform
        fields = ["kind", "active"]

    council = council_filter()

"""Filters of the staff lists (django-filter). Choices come from the user's own council."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members import permissions
from members.common import search
from members.common.widgets import LookupSelect, QuickSelect
from members.models import AuditEntry, Committee, Constituent, Member, Platform, Sector
from members.models.audit import Action, Result
from members.models.constituent import phone_search_q


def _sectors(request):
    return Sector.objects.visible_to(request.user)


def _committees(request):
    return Committee.objects.visible_to(request.user)


def _members(request):
    # Validates the chosen id (any member in reach); the page renders only the chosen one.
    return Member.objects.visible_to(request.user).only("pk", "name")


def member_filter(label, **kwargs):
    """A member picked by name or phone (search-as-you-type), among those in reach."""
    return django_filters.ModelChoiceFilter(
        label=label, queryset=_members, widget=LookupSelect("members:member-lookup"), **kwargs
    )


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
    """A free-text ``q`` over ``search_fields``: every word must match one of them (from three
    characters on anywhere, a shorter word at the start: ``members.common.search``)."""

    search_fields: tuple[str, ...] = ()

    def search(self, queryset, name, value):
        for word in search.words(value):
            queryset = queryset.filter(self.word_q(word))
        return queryset

    def word_q(self, word: str) -> Q:
        return search.word_q(word, self.search_fields)


class MemberFilter(SearchFilterMixin, django_filters.FilterSet):
    class Problem:
        NO_ZONE = "no_zone"
        NO_CONSTITUENTS = "no_constituents"
        ANY = "any"

    search_fields = ("name", "unit", "phone")

    q = django_filters.CharFilter(label=_("Search"), method="search")
    sector = django_filters.ModelChoiceFilter(label=_("Sector"), queryset=_sectors, widget=QuickSelect)
    committee = django_filters.ModelChoiceFilter(label=_("Special committee"), queryset=_committees, widget=QuickSelect)
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
        # "No constituents": no active one, by the member's own counter (as the dashboard's
        # "两个1" figures count), not by counting rosters.
        queryset = queryset.filter(status=Member.Status.ACTIVE)
        if value == self.Problem.NO_ZONE:
            return queryset.filter(zone="")
        if value == self.Problem.NO_CONSTITUENTS:
            return queryset.filter(active_constituents=0)
        return queryset.filter(Q(zone="") | Q(active_constituents=0))


class ConstituentFilter(SearchFilterMixin, django_filters.FilterSet):
    search_fields = ("name", "unit")  # or the phone, for those who see it whole

    def word_q(self, word: str) -> Q:
        # A phone-shaped word (a whole number, or four digits) searches the phone alone: OR-ing
        # its hash lookup with a trigram match of the same digits lets PostgreSQL walk the
        # whole roster in page order instead of reading the few rows the hash index finds.
        phone = phone_search_q(self.request.user, word)
        return super().word_q(word) if phone is None else phone

    q = django_filters.CharFilter(label=_("Search"), method="search")
    sector = django_filters.ModelChoiceFilter(label=_("Sector"), queryset=_sectors, widget=QuickSelect)
    committee = django_filters.ModelChoiceFilter(
        label=_("Special committee"), field_name="member__committee", queryset=_committees,
        widget=QuickSelect,
    )
    member = member_filter(_("Keeping member"))
    community = django_filters.CharFilter(label=_("Community"), method="filter_community")
    active = django_filters.BooleanFilter(
        label=_("Active"),
        widget=forms.Select(choices=[("", "---------"), ("true", _("Yes")), ("false", _("No"))]),
    )

    class Meta:
        model = Constituent
        fields = ["q", "sector", "member", "community", "active"]

    def filter_community(self, queryset, name, value):
        for word in search.words(value):
            queryset = queryset.filter(search.word_q(word, ("community",)))
        return queryset

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


def _audit_councils(request):
    from members.models import Council

    return Council.objects.filter(permissions.duty_reach_q(request.user, "pk")).only("pk", "name")


class AuditFilter(django_filters.FilterSet):
    """The audit admin's filters: who (a login name), what, when, which council (of those
    they look after), with what result."""

    user = django_filters.CharFilter(label=_("Login name"), method="filter_user")
    action = django_filters.ChoiceFilter(label=_("Action"), choices=Action.choices)
    period = django_filters.DateFromToRangeFilter(
        label=_("Period"), field_name="time",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    council = django_filters.ModelChoiceFilter(label=_("Council"), queryset=_audit_councils, widget=QuickSelect)
    result = django_filters.ChoiceFilter(label=_("Result"), choices=Result.choices)

    class Meta:
        model = AuditEntry
        fields = ["user", "action", "period", "council", "result"]

    def filter_user(self, queryset, name, value):
        """A login's entries by its id (the user-and-time index); a name no login has (a
        failed attempt, a removed account) by the name the entries kept."""
        from members.models import User

        value = value.strip()
        if not value:
            return queryset
        user_id = User.objects.filter(username=value).values_list("pk", flat=True).first()
        return queryset.filter(user_id=user_id) if user_id else queryset.filter(username=value)

"""The triage queue's filters: also the list behind each QR figure of the dashboard."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from liaison.intake.models import Submission
from members.filters import council_filter, period_filter
from members.models import Platform


def _platforms(request):
    if request is None:
        return Platform.objects.none()
    return Platform.objects.visible_to(request.user)


class SubmissionFilter(django_filters.FilterSet):
    """``period`` is when the message arrived (as the dashboard counts arrivals);
    ``outcome``: what an assigned message became (``Submission.objects.solved()`` …)."""

    OUTCOMES = (
        ("proposal", _("Became a proposal")),
        ("solved", _("Difficulty visited")),
    )

    state = django_filters.ChoiceFilter(label=_("State"), choices=Submission.State.choices,
                                        empty_label=_("All"))
    category = django_filters.ChoiceFilter(label=_("Category"),
                                           choices=Submission.Category.choices)
    platform = django_filters.ModelChoiceFilter(label=_("Platform"), queryset=_platforms)
    outcome = django_filters.ChoiceFilter(label=_("Outcome"), choices=OUTCOMES,
                                          method="filter_outcome")
    period = period_filter("submitted_at")
    council = council_filter()

    class Meta:
        model = Submission
        fields = []

    def filter_outcome(self, queryset, name, value):
        if value == "proposal":
            return queryset.became_proposal()
        if value == "solved":
            return queryset.solved()
        return queryset

"""Handling-unit pages (desktop): the proposals assigned to my unit, the reply, sending back."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members import permissions
from members.pagination import page_of
from proposals import services
from proposals.forms import ReplyForm, SendBackForm
from proposals.models import Proposal, State
from proposals.models.proposal import DUE_SOON_DAYS
from proposals.rules import Actor
from proposals.views.common import Action, action_view, unit_assignments_prefetch

__all__ = ["proposal_reply", "proposal_send_back", "unit_list"]

unit_required = permissions.role_required(permissions.is_unit)


@unit_required
def unit_list(request):
    """My unit's proposals: those being handled first, the nearest deadline first."""
    today = timezone.localdate()
    proposals = (
        Proposal.objects.visible_to(request.user)
        .for_list()
        .prefetch_related(unit_assignments_prefetch(request.user))
        .annotate(
            handling=Case(
                When(state=State.ASSIGNED, then=Value(0)), default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("handling", "deadline", "id")
    )
    page = page_of(proposals, request)
    soon = today + timedelta(days=DUE_SOON_DAYS)
    for proposal in page:
        mine = proposal.my_assignments[0] if proposal.my_assignments else None
        proposal.my_assignment = mine
        handling = proposal.state == State.ASSIGNED and mine is not None
        proposal.is_late = handling and mine.deadline < today
        proposal.is_due_soon = handling and today <= mine.deadline <= soon
    return render(request, "proposals/unit_list.html", {"page": page, "today": today})


proposal_reply = action_view(Action(
    name="reply",
    title=gettext_lazy("Reply to the proposal"),
    actors=frozenset({Actor.LEAD_UNIT}),
    form_class=ReplyForm,
    run=lambda request, p, data: services.proposal_reply(
        proposal=p, by=request.user, category=data["category"], text=data["text"],
        attachment=data.get("attachment"), expected_version=data["version"],
    ),
    success=lambda result: _("Reply sent. The proposer will rate it."),
    button=gettext_lazy("Send reply"),
    multipart=True,
))

proposal_send_back = action_view(Action(
    name="send_back",
    title=gettext_lazy("Send back as wrongly assigned"),
    actors=frozenset({Actor.UNIT}),
    form_class=SendBackForm,
    run=lambda request, p, data: services.assignment_send_back(
        proposal=p, by=request.user, reason=data["reason"], expected_version=data["version"]
    ),
    success=lambda result: _("Sent back to the council staff."),
    button=gettext_lazy("Send back"),
    danger=True,
    next_url=lambda request, p: reverse("proposals:unit-list"),
))

"""What the member, staff and unit pages share: the scoped lookup, the action page and the
reading of the timeline a viewer may see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from members import permissions
from members.common.forms import service_errors
from proposals import rules, services
from proposals.models import Assignment, Proposal, State
from proposals.rules import Actor

# What each timeline action is called on the page (``ProposalEvent.action``).
EVENT_LABELS = {
    "create": _("Draft created"),
    "update": _("Draft edited"),
    "attach": _("File attached"),
    "submit": _("Submitted"),
    "invite": _("Co-signers invited"),
    "cosign_confirm": _("Co-signing confirmed"),
    "cosign_decline": _("Co-signing declined"),
    "start_review": _("Review started"),
    "file": _("Filed"),
    "reject": _("Not filed"),
    "return": _("Returned for revision"),
    "merge": _("Merged"),
    "merge_lead": _("Took in a merged proposal"),
    "unmerge": _("Merge undone, the lead was not filed"),
    "note": _("Internal note"),
    "assign": _("Assigned"),
    "set_deadline": _("Deadline changed"),
    "send_back": _("Sent back by a unit"),
    "reply": _("Replied"),
    "rate": _("Rated"),
    "close": _("Proposal closed"),
}


def visible_proposal(user, pk: int) -> Proposal:
    """The proposal if ``user`` may see it, else 404."""
    queryset = Proposal.objects.visible_to(user).for_list().select_related("council")
    return get_object_or_404(queryset, pk=pk)


def draft_create(user, form) -> Proposal:
    """The draft a proposal form describes, with its file if one was chosen: both or
    neither (a refused file keeps no draft)."""
    with transaction.atomic():
        proposal = services.proposal_create(by=user, **form.fields_for_service())
        upload = form.cleaned_data.get("attachment")
        if upload:
            services.attachment_add(proposal=proposal, by=user, file=upload)
    return proposal


def detail_parts(proposal: Proposal, user, *, private: bool, participant: bool) -> dict:
    """Co-signers, attachments, assignments, replies, ratings and timeline of one proposal,
    as much of them as ``user`` may see (a fixed number of queries)."""
    parts: dict = {
        "cosigners": list(proposal.cosigners.select_related("member__sector")),
        "attachments": list(proposal.attachments.all()),
        "assignments": list(proposal.assignments.select_related("unit")),
        "replies": list(proposal.replies.select_related("unit")),
    }
    ratings = list(proposal.ratings.select_related("member"))
    member = permissions.member_of(user)
    for rating in ratings:
        # A rating's comment is personal: staff and the rater read it, nobody else.
        rating.shown_comment = rating.comment if private or rating.rated_by_id == user.pk else ""
    parts["ratings"] = ratings
    if private or participant:
        events = proposal.events.select_related("actor")
        if not private:
            events = events.filter(internal=False)
        events = list(events)
        states = dict(State.choices)
        for event in events:
            event.action_label = EVENT_LABELS.get(event.action, event.action)
            event.from_state_label = states.get(event.from_state, "")
            event.to_state_label = states.get(event.to_state, "")
            # A rating's note may repeat the rater's comment: only they and staff read it.
            event.shown_note = event.note
            if not private and event.action == "rate" and event.actor_id != user.pk:
                event.shown_note = ""
        parts["events"] = events
    else:
        parts["events"] = None
    parts["my_cosign"] = next(
        (c for c in parts["cosigners"] if member is not None and c.member_id == member.pk), None
    )
    return parts


@dataclass
class Action:
    """One thing a user does to a proposal: who may try it, the form, the service call.

    The view checks the *role* (403 otherwise); the *state* is the service's to check, so a
    stale page (another staff acted first) gets the service's message, not a 403.
    """

    name: str
    title: str
    actors: frozenset[Actor]
    run: Callable  # run(request, proposal, cleaned_data) -> the service's result
    success: Callable  # success(result) -> the message shown after it worked
    form_class: type | None = None
    form_kwargs: Callable = field(default=lambda request, proposal: {})
    button: str = ""
    danger: bool = False
    multipart: bool = False
    # Where to go after it worked (default: the proposal; a unit that sent it back no
    # longer sees it).
    next_url: Callable = field(default=lambda request, proposal: proposal.get_absolute_url())


def action_view(action: Action):
    @login_required
    def view(request, pk: int):
        proposal = visible_proposal(request.user, pk)
        permissions.require(bool(rules.actors(request.user, proposal) & action.actors))
        kwargs = action.form_kwargs(request, proposal)
        if request.method == "POST":
            form = action.form_class(request.POST, request.FILES, **kwargs)
            if form.is_valid():
                with service_errors(request=request) as call:
                    result = action.run(request, proposal, form.cleaned_data)
                if not call.ok:
                    # Refused (wrong state, stale page, bad input): nothing was written.
                    return redirect(proposal.get_absolute_url())
                messages.success(request, action.success(result))
                return redirect(action.next_url(request, proposal))
        else:
            kwargs.setdefault("initial", {}).setdefault("version", proposal.version)
            form = action.form_class(**kwargs)
        context = {"proposal": proposal, "form": form, "action": action}
        return render(request, "proposals/proposal_action.html", context)

    view.__name__ = f"{action.name}_view"
    return view


def unit_assignments_prefetch(user) -> Prefetch:
    """The assignments of ``user``'s units (handling or done), as ``my_assignments``."""
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.filter(unit__users=user, state__in=Assignment.HANDLED)
        .select_related("unit"),
        to_attr="my_assignments",
    )


"""Staff pages (desktop): the queues, the register and its Excel export, the actions on a
proposal. Leaders read the queues and the register; only staff act."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members import permissions
from members.common.forms import service_errors
from members.common.replica import lag_tolerant_view
from members.pagination import page_of, query_without_page
from proposals import exports, services
from proposals import register as register_reads
from proposals.filters import RegisterFilter
from proposals.forms import (
    AssignForm,
    DeadlineForm,
    MergeForm,
    NoteForm,
    RejectForm,
    ReturnForm,
    StaffProposalForm,
    VersionForm,
)
from proposals.models import Proposal, State
from proposals.models.proposal import DUE_SOON_DAYS
from proposals.rules import Actor
from proposals.views.common import Action, action_view, draft_create

__all__ = [
    "QUEUES",
    "proposal_assign",
    "proposal_deadline",
    "proposal_file",
    "proposal_merge",
    "proposal_note",
    "proposal_reject",
    "proposal_return",
    "proposal_review",
    "register",
    "register_export",
    "staff_proposal_create",
    "staff_queues",
]

# (key, label, queryset method, its arguments need today)
QUEUES = [
    ("review", gettext_lazy("To review"), "to_review", False),
    ("assign", gettext_lazy("To assign"), "to_assign", False),
    ("due_soon", gettext_lazy("Due soon"), "due_soon", True),
    ("overdue", gettext_lazy("Overdue, no reply"), "overdue", True),
    ("rating", gettext_lazy("Awaiting rating"), "awaiting_rating", False),
    ("unsatisfied", gettext_lazy("Unsatisfied"), "unsatisfied", False),
]


def _queue(queryset, key: str, today):
    for name, _label, method, needs_today in QUEUES:
        if name == key:
            return getattr(queryset, method)(today) if needs_today else getattr(queryset, method)()
    return None


@permissions.council_reader_required
def staff_queues(request):
    """The six work queues with their counts, and the rows of the one chosen."""
    today = timezone.localdate()
    base = Proposal.objects.visible_to(request.user)
    key = request.GET.get("queue") or "review"
    rows = _queue(base, key, today)
    if rows is None:
        key, rows = "review", base.to_review()
    queues = [
        {"key": name, "label": label, "count": _queue(base, name, today).count()}
        for name, label, _method, _today in QUEUES
    ]
    rows = rows.for_list().order_by(
        "deadline" if key in ("due_soon", "overdue") else "submitted_at", "id"
    )
    context = {
        "queues": queues,
        "active": key,
        "page": page_of(rows, request),
        "query": query_without_page(request),
        "today": today,
        "due_soon_until": today + timedelta(days=DUE_SOON_DAYS),
    }
    return render(request, "proposals/staff_queues.html", context)


def _register_filter(request) -> tuple[RegisterFilter, object]:
    """The register's filter and its rows: none at all when a filter value is not valid
    (e.g. another council's session), rather than every row unfiltered."""
    base = Proposal.objects.visible_to(request.user).exclude(state=State.DRAFT)
    filterset = RegisterFilter(request.GET, queryset=base, request=request)
    return filterset, (filterset.qs if filterset.is_valid() else base.none())


def _narrowed(filterset) -> bool:
    return not filterset.is_valid() or any(
        value not in (None, "") for value in filterset.form.cleaned_data.values()
    )


@permissions.council_reader_required
@lag_tolerant_view
def register(request):
    """提案汇总: every proposal handed in, filtered and searched; the figures above the
    table (collected / filed / closed) are of the filtered rows."""
    today = timezone.localdate()
    filterset, rows = _register_filter(request)
    # Counted per session (unfiltered, from the tally of the user's reach: a row per
    # session, state and outcome, kept in each write's transaction), so the page's ids are
    # read from its session's index (proposals.register) instead of sorting the reach.
    # A narrowed list of few rows is read once, its figures and page sorted from that read.
    per_session, page = register_reads.listing(
        request.user, rows, rows.for_register_page(), request, narrowed=_narrowed(filterset)
    )
    context = {
        "filter": filterset,
        "page": page,
        "figures": register_reads.totals(per_session),
        "query": query_without_page(request),
        "today": today,
        "due_soon_until": today + timedelta(days=DUE_SOON_DAYS),
    }
    return render(request, "proposals/proposal_register.html", context)


@permissions.council_reader_required
@lag_tolerant_view
def register_export(request):
    """The filtered register as an Excel workbook (提案汇总表)."""
    _filterset, rows = _register_filter(request)
    rows = rows.with_register_columns().order_by("session", "number", "id")
    return exports.register_response(rows)


@permissions.staff_required
def staff_proposal_create(request):
    """录入提案: staff enter a proposal for a member of their council or for a collective
    proposer (a sector, party group or committee), and submit it at once — or keep it as a
    draft, e.g. to invite co-signers first."""
    form = StaffProposalForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        with service_errors(form) as call, transaction.atomic():
            proposal = draft_create(request.user, form)
            if submit:
                proposal = services.proposal_submit(proposal=proposal, by=request.user)
        if call.ok:
            messages.success(
                request,
                _("Proposal entered and submitted: it is in the review queue.") if submit
                else _("Draft saved. Invite co-signers or submit it."),
            )
            return redirect(proposal.get_absolute_url())
    return render(request, "proposals/proposal_staff_form.html", {"form": form})


def _staff_action(name, title, form_class, run, success, *, kwargs=None, button="", danger=False):
    return action_view(Action(
        name=name, title=title, actors=frozenset({Actor.STAFF}), form_class=form_class,
        form_kwargs=kwargs or (lambda request, p: {}), run=run, success=success,
        button=button or title, danger=danger,
    ))


proposal_review = _staff_action(
    "start_review", gettext_lazy("Start the review"), VersionForm,
    lambda request, p, data: services.proposal_start_review(
        proposal=p, by=request.user, expected_version=data["version"]
    ),
    lambda result: _("The proposal is under review."),
)

proposal_file = _staff_action(
    "file", gettext_lazy("File the proposal"), VersionForm,
    lambda request, p, data: services.proposal_file(
        proposal=p, by=request.user, expected_version=data["version"]
    ),
    lambda result: _("Filed as %(number)s.") % {"number": result.display_number},
)

proposal_reject = _staff_action(
    "reject", gettext_lazy("Do not file"), RejectForm,
    lambda request, p, data: services.proposal_reject(
        proposal=p, by=request.user, reason=data["reason"], to_opinion=data["to_opinion"],
        expected_version=data["version"],
    ),
    lambda result: _("The proposal was not filed."),
    danger=True,
)

proposal_return = _staff_action(
    "return", gettext_lazy("Return for revision"), ReturnForm,
    lambda request, p, data: services.proposal_return(
        proposal=p, by=request.user, reason=data["reason"], expected_version=data["version"]
    ),
    lambda result: _("The proposal was returned to its proposer."),
)

proposal_assign = _staff_action(
    "assign", gettext_lazy("Assign to handling units"), AssignForm,
    lambda request, p, data: services.proposal_assign(
        proposal=p, by=request.user, lead_unit=data["lead_unit"], co_units=data["co_units"],
        deadline=data["deadline"], expected_version=data["version"],
    ),
    lambda result: _("Assigned. The units were told."),
    kwargs=lambda request, p: {"user": request.user, "proposal": p},
)

proposal_deadline = _staff_action(
    "set_deadline", gettext_lazy("Change the deadline"), DeadlineForm,
    lambda request, p, data: services.proposal_set_deadline(
        proposal=p, by=request.user, deadline=data["deadline"], expected_version=data["version"]
    ),
    lambda result: _("The deadline was changed."),
)

proposal_merge = _staff_action(
    "merge", gettext_lazy("Merge into another proposal"), MergeForm,
    lambda request, p, data: services.proposal_merge(
        proposal=p, by=request.user, into=data["lead"], expected_version=data["version"]
    ),
    lambda result: _("Merged into %(lead)s.") % {"lead": result.merged_into},
    kwargs=lambda request, p: {"proposal": p, "user": request.user},
    danger=True,
)

proposal_note = _staff_action(
    "note", gettext_lazy("Internal note"), NoteForm,
    lambda request, p, data: services.proposal_note(
        proposal=p, by=request.user, internal_note=data["internal_note"],
        expected_version=data["version"],
    ),
    lambda result: _("Note saved."),
    kwargs=lambda request, p: {"initial": {"internal_note": p.internal_note, "version": p.version}},
    button=gettext_lazy("Save note"),
)

"""Consultations and their problems (staff change, leaders read; a member reads the sessions
they took part in): the list with filters and Excel export, create/edit with photos, the
problems board and list, linking a problem or a session to the proposal it became; and a
platform's record of activities and consultations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities.events import exports
from activities.events.filters import ConsultationFilter, ProblemFilter
from activities.events.forms import (
    ConsultationForm,
    ProblemForm,
    ProblemStateForm,
    ProposalLinkForm,
)
from activities.events.models import Activity, Consultation, Problem
from activities.events.services import consultations as services
from members import permissions
from members.common.forms import service_errors
from members.common.replica import lag_tolerant_view
from members.models import Platform
from members.pagination import page_of, query_without_page

PAGE_SIZE = 30


def _safe_next(request, *, fallback: str) -> str:
    """The ``next`` the form posted back to, if it stays on this site; else ``fallback``
    (an open redirect would let a link to the portal send staff anywhere)."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# --- consultations ------------------------------------------------------------------------


def _filtered_consultations(request):
    base = Consultation.objects.visible_to(request.user).for_list().order_by("-held_on", "-id")
    return ConsultationFilter(request.GET, queryset=base, request=request)


@permissions.council_reader_required
@lag_tolerant_view
def consultation_list(request):
    filterset = _filtered_consultations(request)
    page = page_of(filterset.qs, request, PAGE_SIZE)
    totals = Problem.objects.filter(consultation__in=filterset.qs.values("pk")).aggregate(
        raised=Count("pk"), resolved=Count("pk", filter=Q(state=Problem.State.RESOLVED))
    )
    return render(request, "activities/consultation_list.html", {
        "filter": filterset, "page": page, "query": query_without_page(request),
        "totals": totals,
    })


@permissions.council_reader_required
@lag_tolerant_view
def consultation_export(request):
    return exports.consultations_workbook(_filtered_consultations(request).qs)


@login_required
def consultation_detail(request, pk: int):
    consultation = get_object_or_404(
        Consultation.objects.visible_to(request.user).select_related("platform"), pk=pk
    )
    context = {
        "consultation": consultation,
        "problems": consultation.problems.all(),
        "members": consultation.members.select_related("sector"),
        "photos": consultation.photos.all(),
    }
    if permissions.is_staff(request.user):
        context["problem_form"] = ProblemForm()
    return render(request, "activities/consultation_detail.html", context)


def _consultation_form_page(request, consultation=None):
    council = consultation.council if consultation else request.user.council
    form = ConsultationForm(
        request.POST or None, request.FILES or None, instance=consultation, council=council
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {name: data[name] for name in services.CONSULTATION_FIELDS}
        with service_errors(form) as call:
            if consultation is None:
                saved = services.consultation_create(
                    council=council, by=request.user, members=data["members"],
                    sectors=data["sectors"], photos=data["photos"], **fields,
                )
            else:
                saved = services.consultation_update(
                    consultation=consultation, by=request.user, members=data["members"],
                    sectors=data["sectors"], photos=data["photos"],
                    remove_photo_ids=[p.pk for p in data.get("remove_photos", [])], **fields,
                )
        if call.ok:
            messages.success(request, _("The consultation was saved."))
            return redirect(saved)
    return render(request, "activities/consultation_form.html", {
        "form": form, "consultation": consultation,
    })


@permissions.staff_required
def consultation_create(request):
    if request.user.council_id is None:
        raise PermissionDenied
    return _consultation_form_page(request)


@permissions.staff_required
def consultation_edit(request, pk: int):
    consultation = get_object_or_404(Consultation.objects.visible_to(request.user), pk=pk)
    return _consultation_form_page(request, consultation)


@permissions.staff_required
@require_POST
def problem_create(request, pk: int):
    consultation = get_object_or_404(Consultation.objects.visible_to(request.user), pk=pk)
    form = ProblemForm(request.POST)
    if form.is_valid():
        with service_errors(request=request) as call:
            services.problem_create(consultation=consultation, by=request.user, **form.cleaned_data)
        if call.ok:
            messages.success(request, _("The problem was recorded."))
    else:
        messages.error(request, _("Describe the problem."))
    return redirect(consultation)


@permissions.staff_required
@require_POST
def consultation_link_proposal(request, pk: int):
    consultation = get_object_or_404(Consultation.objects.visible_to(request.user), pk=pk)
    form = ProposalLinkForm(request.POST, user=request.user, council_id=consultation.council_id)
    if form.is_valid():
        services.consultation_to_proposal(
            consultation=consultation, proposal=form.cleaned_data["proposal"], by=request.user
        )
        messages.success(request, _("The consultation is linked to the proposal."))
    else:
        messages.error(request, _("Choose a proposal of this council."))
    return redirect(consultation)


# --- problems -----------------------------------------------------------------------------


@permissions.council_reader_required
def problem_board(request):
    problems = (
        Problem.objects.visible_to(request.user)
        .select_related("consultation__platform")
        .order_by("-consultation__held_on", "id")
    )
    platform_id = request.GET.get("platform")
    if platform_id and platform_id.isdigit():
        problems = problems.filter(consultation__platform_id=platform_id)
    columns = {}
    # Resolved and not-solvable columns show the latest only: they grow without end.
    counts = dict(problems.order_by().values_list("state").annotate(n=Count("pk")))
    for state in Problem.State.values:
        rows = problems.filter(state=state)
        if state in (Problem.State.RESOLVED, Problem.State.NOT_SOLVABLE):
            rows = rows.order_by("-resolved_on", "-id")[:50]
        columns[state] = list(rows)
    return render(request, "activities/problem_board.html", {
        "columns": [
            (value, label, columns[value], counts.get(value, 0))
            for value, label in Problem.State.choices
        ],
        "platforms": Platform.objects.visible_to(request.user).only("pk", "name"),
        "platform_id": platform_id,
        "can_change": permissions.is_staff(request.user),
    })


@permissions.council_reader_required
@lag_tolerant_view
def problem_list(request):
    """Every problem, filtered by state, when its consultation was held or when it was
    resolved, platform, sector and council: the list behind the dashboard's problem figures."""
    base = (
        Problem.objects.visible_to(request.user)
        .select_related("consultation__platform")
        .order_by("-consultation__held_on", "-consultation_id", "id")
    )
    filterset = ProblemFilter(request.GET, queryset=base, request=request)
    page = page_of(filterset.qs, request, PAGE_SIZE)
    by_state = dict(
        filterset.qs.order_by().values_list("state").annotate(n=Count("pk", distinct=True))
    )
    return render(request, "activities/problem_list.html", {
        "filter": filterset, "page": page, "query": query_without_page(request),
        "states": [(value, label, by_state.get(value, 0)) for value, label in Problem.State.choices],
    })


@permissions.staff_required
@require_POST
def problem_set_state(request, pk: int):
    problem = get_object_or_404(
        Problem.objects.visible_to(request.user).select_related("consultation"), pk=pk
    )
    form = ProblemStateForm(request.POST)
    if form.is_valid():
        with service_errors(request=request) as call:
            services.problem_set_state(problem=problem, by=request.user, **form.cleaned_data)
        if call.ok:
            messages.success(request, _("The problem's state was changed."))
    else:
        for message in ValidationError(list(form.errors.values())).messages:
            messages.error(request, message)
    return redirect(_safe_next(request, fallback=reverse("activities:problem-board")))


@permissions.staff_required
@require_POST
def problem_link_proposal(request, pk: int):
    problem = get_object_or_404(
        Problem.objects.visible_to(request.user).select_related("consultation"), pk=pk
    )
    form = ProposalLinkForm(request.POST, user=request.user, council_id=problem.consultation.council_id)
    if form.is_valid():
        services.problem_to_proposal(problem=problem, proposal=form.cleaned_data["proposal"], by=request.user)
        messages.success(request, _("The problem is linked to the proposal."))
    else:
        messages.error(request, _("Choose a proposal of this council."))
    return redirect(problem.consultation)


# --- a platform's record, shown on the platform page --------------------------------------


@login_required
def platform_events(request, pk: int):
    """The platform's activities, consultations, members and constituents reached: a section
    the platform page (members app) loads, since members must not import activities."""
    platform = get_object_or_404(Platform.objects.visible_to(request.user), pk=pk)
    activities = Activity.objects.visible_to(request.user).filter(platform=platform)
    consultations = Consultation.objects.visible_to(request.user).filter(platform=platform)
    totals = activities.aggregate(
        activities=Count("pk"),
        held=Count("pk", filter=Q(state=Activity.State.HELD)),
        reached=Sum("constituents_reached", filter=Q(state=Activity.State.HELD)),
    )
    totals.update(consultations.aggregate(
        consultations=Count("pk"), consultation_reached=Sum("constituents_count"),
    ))
    totals.update(Problem.objects.filter(consultation__in=consultations).aggregate(
        problems_resolved=Count("pk", filter=Q(state=Problem.State.RESOLVED)),
    ))
    totals["members"] = platform.members.count()
    totals["constituents_reached"] = (totals["reached"] or 0) + (totals["consultation_reached"] or 0)
    # The platform page fetches the section; its fallback link (no script, a failed fetch)
    # opens it as a page of its own.
    fetched = request.headers.get("X-Requested-With") == "fetch"
    template = "activities/includes/_platform_events.html" if fetched else "activities/platform_events.html"
    response = render(request, template, {
        "platform": platform,
        "totals": totals,
        "activities": activities.for_list().order_by("-starts_at", "-id")[:20],
        "consultations": consultations.select_related("platform").order_by("-held_on", "-id")[:20],
        "can_read_council": permissions.can_read_council(request.user),
    })
    patch_vary_headers(response, ["X-Requested-With"])
    return response

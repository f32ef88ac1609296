"""Activities, attendance, consultations and problems.

Staff (desktop): lists with filters and Excel export, a month calendar, create/edit with
photos, attendance marking, consultations with their problems, the problems board.
Members (phone first): upcoming activities of their platforms and sectors to sign up for,
and the activities they attended. Leaders read what staff read.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities import exports
from activities import services_events as services
from activities.filters_events import ActivityFilter, ConsultationFilter, ProblemFilter
from activities.forms_events import (
    ActivityForm,
    ActivityKindFormSet,
    AttendanceForm,
    ConsultationForm,
    ProblemForm,
    ProblemStateForm,
    ProposalLinkForm,
)
from activities.models import Activity, Attendance, Consultation, Problem
from members import permissions
from members.models import Platform
from members.pagination import page_of, query_without_page

PAGE_SIZE = 30


def _messages_from(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _safe_next(request, *, fallback: str) -> str:
    """The ``next`` the form posted back to, if it stays on this site; else ``fallback``
    (an open redirect would let a link to the portal send staff anywhere)."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _apply_errors(form, error: ValidationError) -> None:
    """Put a service's errors on the form's fields (or on the form when not a field)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- activities: staff and leaders ------------------------------------------------------


def _filtered_activities(request):
    base = (
        Activity.objects.visible_to(request.user).for_list().with_attendance_counts()
        .order_by("-starts_at", "-id")
    )
    return ActivityFilter(request.GET, queryset=base, request=request)


@permissions.council_reader_required
def activity_list(request):
    filterset = _filtered_activities(request)
    page = page_of(filterset.qs, request, PAGE_SIZE)
    return render(request, "activities/activity_list.html", {
        "filter": filterset, "page": page, "query": query_without_page(request),
    })


@permissions.council_reader_required
def activity_export(request):
    return exports.activities_workbook(_filtered_activities(request).qs)


def _month_from(request) -> date:
    try:
        year, month = (int(p) for p in request.GET.get("month", "").split("-", 1))
        return date(year, month, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


@permissions.council_reader_required
def activity_calendar(request):
    first = _month_from(request)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    activities = (
        Activity.objects.visible_to(request.user)
        .select_related("kind", "platform")
        .filter(starts_at__date__gte=weeks[0][0], starts_at__date__lte=weeks[-1][-1])
        .order_by("starts_at", "id")
    )
    by_day: dict[date, list[Activity]] = {}
    for activity in activities:
        by_day.setdefault(timezone.localdate(activity.starts_at), []).append(activity)
    previous = (first.replace(day=1) - timedelta(days=1)).replace(day=1)
    following = (first.replace(day=28) + timedelta(days=7)).replace(day=1)
    return render(request, "activities/activity_calendar.html", {
        "month": first,
        "weeks": [[(day, by_day.get(day, [])) for day in week] for week in weeks],
        "previous": previous,
        "following": following,
        "today": timezone.localdate(),
    })


def _save_activity(request, form, activity=None):
    data = form.cleaned_data
    council = activity.council if activity else request.user.council
    series = data["series"]
    if data.get("new_series"):
        series = services.activity_series_get_or_create(council=council, name=data["new_series"].strip())
    fields = {name: data[name] for name in services.ACTIVITY_FIELDS if name != "series"}
    if activity is None:
        return services.activity_create(
            council=council, by=request.user, series=series, sectors=data["sectors"],
            photos=data["photos"], **fields,
        )
    return services.activity_update(
        activity=activity, by=request.user, series=series, sectors=data["sectors"],
        constituents=data["constituents"], photos=data["photos"],
        remove_photo_ids=[p.pk for p in data.get("remove_photos", [])], **fields,
    )


def _activity_form_page(request, activity=None):
    council = activity.council if activity else request.user.council
    services.activity_kinds_ensure(council=council)
    form = ActivityForm(
        request.POST or None, request.FILES or None, instance=activity, council=council
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save_activity(request, form, activity)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The activity was saved."))
            return redirect(saved)
    return render(request, "activities/activity_form.html", {"form": form, "activity": activity})


@permissions.staff_required
def activity_create(request):
    if request.user.council_id is None:
        raise PermissionDenied
    return _activity_form_page(request)


@permissions.staff_required
def activity_edit(request, pk: int):
    # A form posted to a copy of the instance: the lookup's object stays as it was on error.
    activity = get_object_or_404(Activity.objects.visible_to(request.user), pk=pk)
    return _activity_form_page(request, activity)


@login_required
def activity_detail(request, pk: int):
    activity = get_object_or_404(
        Activity.objects.visible_to(request.user).for_list().with_attendance_counts()
        .annotate(named_count=Count("constituents", distinct=True)),
        pk=pk,
    )
    context = {"activity": activity, "photos": activity.photos.all()}
    if permissions.can_read_council(request.user) and activity.named_count:
        # Names for staff and leaders, who read the council's constituents; members a count.
        context["named_constituents"] = activity.constituents.only("name").order_by("name", "pk")
    if permissions.is_staff(request.user):
        attendances = list(activity.attendances.select_related("member__sector"))
        context["attendances"] = attendances
        context["attendance_form"] = AttendanceForm(
            activity=activity, initial={"attended": [a.member_id for a in attendances if a.attended]}
        )
        context["can_mark"] = activity.has_started() and activity.state != Activity.State.CANCELLED
    member = permissions.member_of(request.user) if permissions.is_member(request.user) else None
    if member is not None:
        context["my_attendance"] = Attendance.objects.filter(activity=activity, member=member).first()
        context["can_sign_up"] = (
            activity.is_upcoming()
            and Activity.objects.filter(pk=activity.pk).open_to(member).exists()
        )
    return render(request, "activities/activity_detail.html", context)


@permissions.staff_required
@require_POST
def activity_attendance(request, pk: int):
    activity = get_object_or_404(Activity.objects.visible_to(request.user), pk=pk)
    form = AttendanceForm(request.POST, activity=activity)
    if form.is_valid():
        try:
            count = services.activity_mark_attendance(
                activity=activity, by=request.user, attended=form.cleaned_data["attended"]
            )
        except ValidationError as error:
            _messages_from(request, error)
        else:
            messages.success(request, _("Attendance saved: %(n)d present.") % {"n": count})
    else:
        messages.error(request, _("Choose the members present from the list."))
    return redirect(activity)


@permissions.staff_required
def activity_kinds(request):
    council = request.user.council
    if council is None:
        raise PermissionDenied
    services.activity_kinds_ensure(council=council)
    formset = ActivityKindFormSet(request.POST or None, council=council)
    if request.method == "POST" and formset.is_valid():
        formset.save()
        messages.success(request, _("The list of kinds was saved."))
        return redirect("activities:activity-kinds")
    return render(request, "activities/activity_kinds.html", {"formset": formset})


# --- activities: members ------------------------------------------------------------------


@permissions.member_required
def activity_upcoming(request):
    member = request.user.member
    activities = (
        Activity.objects.visible_to(request.user)
        .upcoming()
        .open_to(member)
        .for_list()
        .with_sign_up_of(member)
        .order_by("starts_at", "id")
    )
    page = page_of(activities, request, PAGE_SIZE)
    return render(request, "activities/activity_upcoming.html", {"page": page})


@permissions.member_required
def activity_mine(request):
    member = request.user.member
    activities = (
        Activity.objects.visible_to(request.user)
        .filter(attendances__member=member, attendances__attended=True)
        .select_related("kind", "platform")
        .order_by("-starts_at", "-id")
    )
    page = page_of(activities, request, PAGE_SIZE)
    return render(request, "activities/activity_mine.html", {"page": page})


@permissions.member_required
@require_POST
def activity_sign_up(request, pk: int):
    activity = get_object_or_404(Activity.objects.visible_to(request.user), pk=pk)
    try:
        services.activity_sign_up(activity=activity, member=request.user.member)
    except ValidationError as error:
        _messages_from(request, error)
    else:
        messages.success(request, _("You signed up for %(title)s.") % {"title": activity.title})
    return redirect(activity)


@permissions.member_required
@require_POST
def activity_sign_up_cancel(request, pk: int):
    activity = get_object_or_404(Activity.objects.visible_to(request.user), pk=pk)
    try:
        services.activity_sign_up_cancel(activity=activity, member=request.user.member)
    except ValidationError as error:
        _messages_from(request, error)
    else:
        messages.success(request, _("Your sign-up was withdrawn."))
    return redirect(activity)


# --- consultations ------------------------------------------------------------------------


def _filtered_consultations(request):
    base = Consultation.objects.visible_to(request.user).for_list().order_by("-held_on", "-id")
    return ConsultationFilter(request.GET, queryset=base, request=request)


@permissions.council_reader_required
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
        try:
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
        except ValidationError as error:
            _apply_errors(form, error)
        else:
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
        try:
            services.problem_create(consultation=consultation, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _messages_from(request, error)
        else:
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
        try:
            services.problem_set_state(problem=problem, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _messages_from(request, error)
        else:
            messages.success(request, _("The problem's state was changed."))
    else:
        _messages_from(request, ValidationError(list(form.errors.values())))
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
    return render(request, "activities/includes/_platform_events.html", {
        "platform": platform,
        "totals": totals,
        "activities": activities.for_list().order_by("-starts_at", "-id")[:20],
        "consultations": consultations.select_related("platform").order_by("-held_on", "-id")[:20],
        "can_read_council": permissions.can_read_council(request.user),
    })

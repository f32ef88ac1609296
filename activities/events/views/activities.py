"""Activities. Staff (desktop): the list with filters and Excel export, a month calendar,
create/edit with photos, attendance marking, the council's kinds. Members (phone first):
upcoming activities of their platforms and sectors to sign up for, and the activities they
attended. Leaders read what staff read."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from activities.common.filters import month_range
from activities.events import exports
from activities.events.filters import ActivityFilter
from activities.events.forms import (
    ActivityForm,
    ActivityKindFormSet,
    AttendanceForm,
    constituent_choices,
)
from activities.events.models import Activity, Attendance
from activities.events.services import activities as services
from members import permissions
from members.common.forms import service_errors
from members.common.lookups import lookup_response
from members.common.replica import lag_tolerant_view
from members.pagination import page_of, query_without_page

PAGE_SIZE = 30

# --- activities: staff and leaders ------------------------------------------------------


def _filtered_activities(request):
    base = (
        Activity.objects.visible_to(request.user).for_list().with_attendance_counts()
        .order_by("-starts_at", "-id")
    )
    return ActivityFilter(request.GET, queryset=base, request=request)


@permissions.council_reader_required
@lag_tolerant_view
def activity_list(request):
    filterset = _filtered_activities(request)
    page = page_of(filterset.qs, request, PAGE_SIZE)
    return render(request, "activities/activity_list.html", {
        "filter": filterset, "page": page, "query": query_without_page(request),
    })


@permissions.council_reader_required
@lag_tolerant_view
def activity_export(request):
    return exports.activities_workbook(_filtered_activities(request).qs)


def _month_from(request) -> date:
    """The first day of ``?month=YYYY-MM``; this month when it is missing or malformed."""
    bounds = month_range(request.GET.get("month", ""))
    return bounds[0].date() if bounds else timezone.localdate().replace(day=1)


@permissions.council_reader_required
@lag_tolerant_view
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
            photos=data["photos"], tags=data["tags"], **fields,
        )
    return services.activity_update(
        activity=activity, by=request.user, series=series, sectors=data["sectors"],
        constituents=data["constituents"], photos=data["photos"], tags=data["tags"],
        remove_photo_ids=[p.pk for p in data.get("remove_photos", [])], **fields,
    )


def _activity_form_page(request, activity=None):
    council = activity.council if activity else request.user.council
    services.activity_kinds_ensure(council=council)
    form = ActivityForm(
        request.POST or None, request.FILES or None, instance=activity, council=council
    )
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as call:
            saved = _save_activity(request, form, activity)
        if call.ok:
            messages.success(request, _("The activity was saved."))
            return redirect(saved)
    return render(request, "activities/activity_form.html", {"form": form, "activity": activity})


@permissions.staff_required
def activity_create(request):
    if request.user.council_id is None:
        raise PermissionDenied
    return _activity_form_page(request)


@require_GET
@permissions.staff_required
def activity_constituent_lookup(request):
    """The activity form's picker of named constituents: the first of the
    constituents the activity may name (``constituent_choices``) whose name or phone matches
    ``?q=``, the activity looked up in the staff user's reach."""
    text = request.GET.get("q", "").strip()
    raw = request.GET.get("activity", "")
    if not text or not raw.isdigit():
        return lookup_response([])
    activity = get_object_or_404(Activity.objects.visible_to(request.user), pk=int(raw))
    rows = (
        constituent_choices(activity).lookup(text, request.user)
        .order_by("name", "pk").values("pk", "name", "member__name")
    )
    return lookup_response(rows, ("member__name",))


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
        with service_errors(request=request) as call:
            count = services.activity_mark_attendance(
                activity=activity, by=request.user, attended=form.cleaned_data["attended"]
            )
        if call.ok:
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
    with service_errors(request=request) as call:
        services.activity_sign_up(activity=activity, member=request.user.member)
    if call.ok:
        messages.success(request, _("You signed up for %(title)s.") % {"title": activity.title})
    return redirect(activity)


@permissions.member_required
@require_POST
def activity_sign_up_cancel(request, pk: int):
    activity = get_object_or_404(Activity.objects.visible_to(request.user), pk=pk)
    with service_errors(request=request) as call:
        services.activity_sign_up_cancel(activity=activity, member=request.user.member)
    if call.ok:
        messages.success(request, _("Your sign-up was withdrawn."))
    return redirect(activity)

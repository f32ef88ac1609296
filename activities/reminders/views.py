"""Must-visit reminders ("8个必访").

Members (phone first): their reminders, dismissing one with a reason. The member home shows
today's, due-soon and overdue ones through ``{% my_reminders %}``.
Staff (desktop): compliance per member, sector, committee and rule with drill-down to the
reminders; the rule editor; the campaign launcher with a preview count. Leaders read.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities.reminders import exports
from activities.reminders.filters import ReminderFilterForm
from activities.reminders.forms import CampaignForm, DismissForm, RuleForm
from activities.reminders.models import Campaign, MustVisitRule, Reminder
from activities.reminders.services import campaigns, closing, rules
from members import permissions
from members.common.forms import service_errors
from members.common.replica import lag_tolerant_view
from members.models import Member
from members.pagination import PerMember, page_of, query_without_page

PAGE_SIZE = 30

COMPLIANCE_GROUPS = {
    # ?by= → (the value grouped on, its label column, heading, drill-down filter)
    "member": ("member_id", "member__name", "member"),
    "sector": ("member__sector_id", "member__sector__name", "sector"),
    "committee": ("member__committee_id", "member__committee__name", "committee"),
    "rule": ("rule_id", "rule__name", "rule"),
}


def _say_refused(request, form) -> None:
    refused = form.refused()
    if refused:
        messages.error(request, _("These filters are not valid and list nothing: %(names)s.")
                       % {"names": refused})


# --- members and staff --------------------------------------------------------------------


def _reads_reminders(user) -> bool:
    return permissions.can_read_council(user) or permissions.is_member(user)


@permissions.role_required(_reads_reminders)
def reminder_list(request):
    """A member's pending reminders; for staff and leaders, the council's, filtered (the
    compliance page's drill-down)."""
    reminders = Reminder.objects.visible_to(request.user).for_list()
    is_reader = permissions.can_read_council(request.user)
    form = per_member = None
    if is_reader:
        form = ReminderFilterForm(request.GET, user=request.user)
        sector = form.cleaned_data.get("sector") if form.is_valid() else None
        if sector is not None:
            # A sector's reminders are read member by member (``page_of``).
            per_member = PerMember(members=Member.objects.filter(sector=sector),
                                   rows=form.apply(reminders, without="sector"))
        reminders = form.apply(reminders).select_related("member__sector")
        _say_refused(request, form)
    else:
        reminders = reminders.pending()
    # A province's reminders run to hundreds of thousands: staff pages count up to the cap
    # and read the page's ids by the list's index first (a member's own are a few dozen).
    # A sector's page reads its ids with their trigger_on (from the rows, read anyway), so
    # that only the months they are in are probed for them.
    page = page_of(reminders, request, PAGE_SIZE, capped=is_reader, per_member=per_member,
                   span="trigger_on" if per_member else None)
    return render(request, "activities/reminder_list.html", {
        "page": page, "form": form, "query": query_without_page(request),
        "today": timezone.localdate(), "dismiss_form": DismissForm(),
    })


@permissions.role_required(_reads_reminders)
@require_POST
def reminder_dismiss(request, pk: int):
    reminder = get_object_or_404(Reminder.objects.visible_to(request.user), pk=pk)
    own = permissions.is_member(request.user) and reminder.member.user_id == request.user.pk
    permissions.require(own or permissions.is_staff(request.user))
    form = DismissForm(request.POST)
    with service_errors(request=request) as call:
        if not form.is_valid():
            raise ValidationError(_("Say why the reminder is dismissed."))
        closing.reminder_dismiss(reminder=reminder, reason=form.cleaned_data["reason"],
                                 by=request.user)
    if call.ok:
        messages.success(request, _("Reminder dismissed."))
    return redirect("activities:reminder-list")


# --- staff: compliance --------------------------------------------------------------------


def _compliance_groups():
    return [("member", _("Member")), ("sector", _("Sector")),
            ("committee", _("Special committee")), ("rule", _("Rule"))]


@permissions.council_reader_required
@lag_tolerant_view
def compliance(request):
    """On-time rate and overdue count per member, sector, committee or rule (one aggregate);
    with ``?format=xlsx`` the same table as a workbook."""
    by = request.GET.get("by", "member")
    if by not in COMPLIANCE_GROUPS:
        by = "member"
    key, label, param = COMPLIANCE_GROUPS[by]
    # The dashboard links here with its period, sector, committee and council.
    form = ReminderFilterForm(request.GET, user=request.user)
    _say_refused(request, form)
    rows = list(
        form.apply(Reminder.objects.visible_to(request.user))
        .exclude(state=Reminder.State.DISMISSED)
        .compliance(key)
        .values(key, label, "total", "done", "on_time_count", "overdue_count", "open_count")
        .order_by(label, key)
    )
    for row in rows:
        row["id"], row["label"] = row[key], row[label]
        came_due = row["done"] + row["overdue_count"]
        row["rate"] = round(100 * row["on_time_count"] / came_due) if came_due else None
    totals = {name: sum(r[name] for r in rows)
              for name in ("total", "done", "on_time_count", "overdue_count", "open_count")}
    came_due = totals["done"] + totals["overdue_count"]
    totals["rate"] = round(100 * totals["on_time_count"] / came_due) if came_due else None
    if request.GET.get("format") == "xlsx":
        return exports.compliance_workbook(rows, totals, dict(_compliance_groups())[by])
    filters = request.GET.copy()
    filters.pop("by", None)
    filters.pop(param, None)  # each row's drill-down sets its own
    export = request.GET.copy()  # every filter the table was made with, drill-down ones too
    export["by"], export["format"] = by, "xlsx"
    return render(request, "activities/compliance.html", {
        "rows": rows, "by": by, "param": param, "totals": totals,
        "filter_query": filters.urlencode(), "export_query": export.urlencode(),
        "groups": _compliance_groups(),
    })


# --- staff: rules -------------------------------------------------------------------------


@permissions.council_reader_required
def rule_list(request):
    rules = MustVisitRule.objects.visible_to(request.user).select_related("council").prefetch_related("sectors")
    return render(request, "activities/rule_list.html", {"rules": rules})


def _rule_form(request, rule: MustVisitRule | None):
    council = rule.council if rule else request.user.council
    form = RuleForm(request.POST or None, instance=rule, council=council)
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as call:
            rules.rule_save(rule=form.instance, sectors=form.cleaned_data["sectors"], by=request.user)
        if call.ok:
            messages.success(request, _("Rule saved."))
            return redirect("activities:rule-list")
    return render(request, "activities/rule_form.html", {"form": form, "rule": rule})


@permissions.staff_required
def rule_create(request):
    permissions.require(request.user.council_id is not None)
    return _rule_form(request, None)


@permissions.staff_required
def rule_edit(request, pk: int):
    rule = get_object_or_404(MustVisitRule.objects.visible_to(request.user), pk=pk)
    return _rule_form(request, rule)


@require_POST
@permissions.staff_required
def rule_toggle(request, pk: int):
    rule = get_object_or_404(MustVisitRule.objects.visible_to(request.user), pk=pk)
    rule.active = not rule.active
    rules.rule_save(rule=rule, by=request.user)
    messages.success(request, _("Rule enabled.") if rule.active else _("Rule disabled."))
    return redirect("activities:rule-list")


# --- staff: campaigns ---------------------------------------------------------------------


@permissions.council_reader_required
def campaign_list(request):
    campaigns = (
        Campaign.objects.visible_to(request.user)
        .select_related("rule", "started_by")
        .prefetch_related("sectors")
        .with_progress()
    )
    page = page_of(campaigns, request, PAGE_SIZE)
    return render(request, "activities/campaign_list.html", {"page": page})


@permissions.staff_required
def campaign_create(request):
    """Two steps: "preview" shows how many reminders the campaign will create; "start"
    (the confirm button of the preview) starts it."""
    council = request.user.council
    permissions.require(council is not None)
    form = CampaignForm(request.POST or None, council=council)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        starting = "start" in request.POST
        with service_errors(form) as call:
            if starting:
                campaigns.campaign_start(
                    council=council, rule=data["rule"], title=data["title"], kind=data["kind"],
                    sectors=data["sectors"], due_in_days=data["due_in_days"], by=request.user,
                )
            else:
                preview = campaigns.campaign_preview(
                    council=council, rule=data["rule"], sectors=data["sectors"]
                )
        if call.ok and starting:
            messages.success(request, _("Campaign started: reminders are being sent to members."))
            return redirect("activities:campaign-list")
    return render(request, "activities/campaign_form.html", {"form": form, "preview": preview})

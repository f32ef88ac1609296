"""Pages of the public-opinion reports: the member's own and the form to write one, the
councils' list (and queue), and a report's page with its journey up the council tree and the
office's decisions. Every lookup goes through ``Report.objects.visible_to``: a report outside
the user's reach is a 404; one they see but may not decide on is a 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities.models import ContactLog
from members import permissions
from members.common.forms import service_errors
from members.pagination import page_of, query_without_page
from opinions import services
from opinions.filters import ReportFilter
from opinions.forms import InstructionForm, NotUseForm, ReportForm, SubmitForm, VersionForm, prefill
from opinions.models import Instruction, Report, ReportRouting

PAGE_SIZE = 50


@permissions.council_reader_required
def report_list(request):
    """The reports in the user's reach, newest first; ``?queue=true`` those awaiting the
    user's own council. The list behind the dashboard's report figures."""
    base = Report.objects.visible_to(request.user).for_list()
    filterset = ReportFilter(request.GET, queryset=base, request=request)
    page = page_of(filterset.qs, request, PAGE_SIZE)
    council_id = request.user.council_id
    counts = Report.objects.visible_to(request.user).aggregate(
        queue=Count("pk", filter=Q(state=Report.State.PENDING, current_council_id=council_id)),
        adopted=Count("pk", filter=Q(state=Report.State.ADOPTED)),
    )
    return render(request, "opinions/report_list.html", {
        "filter": filterset, "page": page, "query": query_without_page(request), "counts": counts,
    })


@permissions.member_required
def my_reports(request):
    member = permissions.member_of(request.user)
    reports = Report.objects.visible_to(request.user).filter(member=member).for_list()
    page = page_of(reports, request, PAGE_SIZE)
    # The member's latest contacts that recorded opinions: a report can start from one.
    opinion_logs = (
        ContactLog.objects.filter(member=member).exclude(opinions="")
        .order_by("-contacted_at").only("pk", "contacted_at", "opinions")[:5]
    )
    return render(request, "opinions/report_mine.html",
                  {"page": page, "opinion_logs": opinion_logs})


@permissions.member_required
def report_new(request):
    """Write a report; ``?contact_log=<id>`` (one of the member's own contacts) prefills it
    with that contact's opinions."""
    member = permissions.member_of(request.user)
    if request.method == "POST":
        form = SubmitForm(request.POST, member=member)
        if form.is_valid():
            data = form.cleaned_data
            with service_errors(form) as call:
                report = services.report_submit(
                    member=member, by=request.user, title=data["title"], body=data["body"],
                    contact_log=data["contact_log"],
                )
            if call.ok:
                messages.success(request, _("Report submitted to your council's office."))
                return redirect(report)
        return render(request, "opinions/report_form.html", {"form": form}, status=400)
    initial = {}
    log_id = request.GET.get("contact_log", "")
    if log_id:
        log = get_object_or_404(ContactLog.objects.filter(member=member),
                                pk=log_id if log_id.isdigit() else 0)
        initial = prefill(log)
    return render(request, "opinions/report_form.html",
                  {"form": SubmitForm(initial=initial, member=member)})


def _report(request, pk: int) -> Report:
    routings = ReportRouting.objects.select_related("council", "decided_by").prefetch_related(
        Prefetch("instructions", queryset=Instruction.objects.order_by("given_on", "pk"))
    )
    return get_object_or_404(
        Report.objects.visible_to(request.user)
        .select_related("member__user", "member__sector", "council", "current_council__parent")
        .prefetch_related(Prefetch("routings", queryset=routings)),
        pk=pk,
    )


@login_required
def report_detail(request, pk: int, forms: dict | None = None):
    report = _report(request, pk)
    user = request.user
    context = {"report": report, "routings": list(report.routings.all())}
    forms = forms or {}
    if services.may(user, "edit", report):
        version = {"version": report.version}
        context.update({
            "edit_form": forms.get("edit") or ReportForm(
                initial={"title": report.title, "body": report.body, **version}),
            "version_form": VersionForm(initial=version),
            "not_use_form": forms.get("not_use") or NotUseForm(initial=version),
            "can_forward": report.current_council.parent_id is not None,
        })
    if services.may(user, "instruct", report):
        context["instruction_form"] = forms.get("instruct") or InstructionForm()
    # Forward and adopt are bare buttons: their refusal (a stale page) is shown above them.
    context["decision_errors"] = [
        error for key in ("forward", "adopt") if key in forms
        for errors in forms[key].errors.values() for error in errors
    ]
    return render(request, "opinions/report_detail.html", context, status=400 if forms else 200)


def _decide(request, pk: int, form_class, key: str, act, done: str):
    """Scoped lookup → form → service → back to the report, or its page with the errors."""
    report = _report(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        with service_errors(form) as call:
            act(report, form.cleaned_data)
        if call.ok:
            messages.success(request, done)
            return redirect(report)
    return report_detail(request, pk, forms={key: form})


@permissions.staff_required
@require_POST
def report_edit(request, pk: int):
    return _decide(request, pk, ReportForm, "edit", lambda r, d: services.report_edit(
        report=r, by=request.user, title=d["title"], body=d["body"],
        expected_version=d["version"]), _("Saved."))


@permissions.staff_required
@require_POST
def report_forward(request, pk: int):
    return _decide(request, pk, VersionForm, "forward", lambda r, d: services.report_forward(
        report=r, by=request.user, expected_version=d["version"]),
        _("Forwarded to the council above."))


@permissions.staff_required
@require_POST
def report_adopt(request, pk: int):
    return _decide(request, pk, VersionForm, "adopt", lambda r, d: services.report_adopt(
        report=r, by=request.user, expected_version=d["version"]), _("Adopted."))


@permissions.staff_required
@require_POST
def report_not_use(request, pk: int):
    return _decide(request, pk, NotUseForm, "not_use", lambda r, d: services.report_not_use(
        report=r, by=request.user, reason=d["reason"], expected_version=d["version"]),
        _("Marked as not used; the author sees the reason."))


@permissions.staff_required
@require_POST
def instruction_add(request, pk: int):
    return _decide(request, pk, InstructionForm, "instruct",
                   lambda r, d: services.instruction_record(report=r, by=request.user, **d),
                   _("Instruction recorded."))

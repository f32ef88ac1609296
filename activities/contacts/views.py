"""Contact logs. A member logs a contact on their phone and reads their history; staff and
leaders of the council read any log of the council, and staff (desktop) list the council's
logs, filtered, and export them to Excel."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from activities.contacts import exports, services
from activities.contacts.filters import ContactLogFilter
from activities.contacts.forms import ContactLogEditForm, ContactLogForm
from activities.contacts.models import ContactLog, read_reached
from activities.reminders.models import Reminder
from members import permissions
from members.common.forms import service_errors
from members.common.replica import lag_tolerant_view
from members.pagination import page_of, query_without_page

HISTORY_PAGE_SIZE = 20


@permissions.member_required
def contactlog_create(request):
    """One short page: who (from my roster), how and what, photos. ``?constituent=<id>``
    ticks that person in advance (the button on a constituent's page); ``?reminder=<id>``
    (the "记录联系" of a must-visit) ticks its constituent, names the rule on the page and,
    for a proposal feedback or a consultation, links the proposal or the session — so that
    the saved log closes the reminder."""
    member = permissions.member_of(request.user)
    reminder = _reminder(request, member)
    links = _reminder_links(reminder)
    form = ContactLogForm(
        request.POST or None,
        request.FILES or None,
        member=member,
        user=request.user,
        proposal_id=links.get("proposal"),
        initial={"constituents": _preselected(request, reminder), **links},
    )
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as call:
            log = services.contact_log_create(by=request.user, member=member, **form.cleaned_data)
        if call.ok:
            messages.success(request, _logged_message(log))
            return redirect(log)
    return render(
        request, "activities/contactlog_form.html", {"form": form, "reminder": reminder}
    )


# The saved message names at most this many of the must-visits the contact closed.
CLOSED_NAMED = 5


def _logged_message(log: ContactLog) -> str:
    """"Contact logged", and which must-visits it closed (one query)."""
    closed = list(
        Reminder.objects.filter(satisfied_by=log).select_related("rule", "constituent")
        .order_by("due_on", "id")[:CLOSED_NAMED + 1]
    )
    if not closed:
        return _("Contact logged.")
    names = [
        _("%(rule)s (%(person)s)") % {"rule": r.rule.name, "person": r.constituent.name}
        if r.constituent else r.rule.name
        for r in closed[:CLOSED_NAMED]
    ]
    if len(closed) > CLOSED_NAMED:
        names.append("…")
    return _("Contact logged. Must-visits done: %(names)s.") % {"names": _(", ").join(names)}


def _reminder(request, member) -> Reminder | None:
    """The must-visit this contact is logged for: the member's own, else 404."""
    raw = request.GET.get("reminder", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    return get_object_or_404(
        Reminder.objects.visible_to(request.user).filter(member=member).select_related("rule"),
        pk=int(raw),
    )


def _reminder_links(reminder: Reminder | None) -> dict[str, int]:
    """The proposal or consultation a reminder is about (its source), for the log to name."""
    if reminder is None:
        return {}
    sources = {"proposal": reminder.proposal_id, "consultation": reminder.consultation_id}
    return {name: pk for name, pk in sources.items() if pk is not None}


def _preselected(request, reminder: Reminder | None) -> list[int]:
    # Only a number is taken; the form's queryset (my roster) decides whether it shows.
    raw = request.GET.get("constituent", "")
    ids = [int(raw)] if raw.isdigit() else []
    if reminder is not None and reminder.constituent_id and reminder.constituent_id not in ids:
        ids.append(reminder.constituent_id)
    return ids


@permissions.member_required
def contactlog_mine(request):
    logs = (ContactLog.objects.visible_to(request.user).select_related("member", "platform")
            .prefetch_related("photos"))
    page = Paginator(logs, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    read_reached(page.object_list)  # from the page's months only
    return render(request, "activities/contactlog_mine.html", {"page": page})


@login_required
def contactlog_detail(request, pk: int):
    log = get_object_or_404(
        ContactLog.objects.visible_to(request.user)
        .for_list()
        .select_related("proposal__session", "consultation")
        .prefetch_related("photos", "tags"),
        pk=pk,
    )
    can_edit = services.contact_log_may_change(request.user, log)
    return render(
        request, "activities/contactlog_detail.html", {"log": log, "can_edit": can_edit}
    )


@login_required
def contactlog_edit(request, pk: int):
    """The log form prefilled: the member edits their own logs, staff any log of the council;
    leaders read only (403), others do not see the log (404)."""
    log = get_object_or_404(
        ContactLog.objects.visible_to(request.user)
        .select_related("member", "platform")
        .prefetch_related("constituents", "photos", "tags"),
        pk=pk,
    )
    permissions.require(services.contact_log_may_change(request.user, log))
    form = ContactLogEditForm(
        request.POST or None, request.FILES or None, log=log, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as call:
            services.contact_log_update(by=request.user, log=log, **form.cleaned_data)
        if call.ok:
            messages.success(request, _("Contact log saved."))
            return redirect(log)
    return render(
        request, "activities/contactlog_form.html", {"form": form, "log": log, "editing": True}
    )


# --- staff: the council's logs ------------------------------------------------------------


def contactlog_rows(user):
    """The council's logs, newest first: the order of the (council, contacted_at) index. The
    constituents reached are read for the page (``read_reached``), not prefetched."""
    return (ContactLog.objects.visible_to(user).select_related("member", "platform")
            .order_by("-contacted_at", "-id"))


@permissions.council_reader_required
@lag_tolerant_view
def contactlog_list(request):
    filterset = ContactLogFilter(request.GET, queryset=contactlog_rows(request.user), request=request)
    # An invalid filter (a crafted member id outside reach) lists nothing; the form says why.
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    # The page's logs read with their time span: only the months they are in are probed.
    page = page_of(rows, request, capped=True, span="contacted_at")
    read_reached(page.object_list)
    return render(
        request,
        "activities/contactlog_list.html",
        {"filter": filterset, "page": page, "query": query_without_page(request)},
    )


@permissions.council_reader_required
@lag_tolerant_view
def contactlog_export(request):
    """The filtered list as Excel, or as CSV (``?format=csv``: streamed, for large exports)."""
    filterset = ContactLogFilter(request.GET, queryset=contactlog_rows(request.user), request=request)
    if request.GET.get("format") == "csv":
        return exports.contactlogs_csv(filterset.qs)
    return exports.contactlogs_workbook(filterset.qs)

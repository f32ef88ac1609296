"""Contact logs. A member logs a contact on their phone and reads their history; staff and
leaders of the council read any log of the council, and staff (desktop) list the council's
logs, filtered, and export them to Excel."""

import uuid
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from activities.contacts import exports, services
from activities.contacts.filters import ContactLogFilter
from activities.contacts.forms import ContactLogEditForm, ContactLogForm, ContactLogSyncForm
from activities.contacts.models import ContactLog, read_reached
from activities.reminders.models import Reminder
from members import permissions
from members.common.forms import service_errors
from members.common.replica import lag_tolerant_view
from members.models import Member
from members.pagination import PerMember, page_of, query_without_page

HISTORY_PAGE_SIZE = 20
# How far back a sector's logs are merged member by member first (``_sector_members``).
RECENT = timedelta(days=31)


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


# --- contacts logged offline on a member's device ------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def contactlog_sync(request):
    """Where a member's device sends the contacts it queued offline (``static/js/pwa-queue.js``),
    one per POST: the log form's fields, the photos (resized on the device), the device's
    ``key`` and the ``owner`` (the login that queued it). JSON answers: 201 stored, 200 stored
    before under this key, 422 refused with the reasons (the device shows them and keeps the
    contact), 401 logged out, 403 another login's contact. It acts as the logged-in member only.
    GET answers who is logged in and a CSRF token: what a service worker, which reads no
    cookie, needs before it sends anything."""
    if not request.user.is_authenticated:
        return JsonResponse({"status": "login"}, status=401)
    permissions.require(permissions.is_member(request.user))
    if request.method == "GET":
        return JsonResponse({"user": request.user.pk, "csrf": get_token(request)})
    if request.POST.get("owner", str(request.user.pk)) != str(request.user.pk):
        return JsonResponse({"status": "wrong_user"}, status=403)
    member = permissions.member_of(request.user)
    # Sent before (its answer lost)? That answer again, before any check: what was stored
    # stands, even if a person ticked has left the roster since.
    key = _uuid(request.POST.get("key", ""))
    stored = key and services.contact_log_stored_for_key(member=member, key=key)
    if stored:
        return _stored(*stored)
    form = ContactLogSyncForm(request.POST, request.FILES, member=member, user=request.user)
    if not form.is_valid():
        return _refused({name: list(errors) for name, errors in form.errors.items()}, form)
    fields = dict(form.cleaned_data)
    key = fields.pop("key")
    try:
        log, created = services.contact_log_create_once(
            key=key, by=request.user, member=member, **fields
        )
    except ValidationError as error:
        has_fields = hasattr(error, "error_dict")
        return _refused(error.message_dict if has_fields else {"__all__": error.messages}, form)
    return _stored(log, created)


def _uuid(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def _stored(log: ContactLog | None, created: bool) -> JsonResponse:
    answer = {"status": "created" if created else "duplicate"}
    if log is not None:
        answer.update(id=log.pk, url=log.get_absolute_url())
    return JsonResponse(answer, status=201 if created else 200)


def _refused(errors: dict[str, list[str]], form: ContactLogSyncForm) -> JsonResponse:
    """422 with each reason as the form would show it, and who of those ticked is no longer on
    the member's roster (the device knows their names)."""
    reasons = [
        {"field": str(form.fields[name].label) if name in form.fields else "", "message": message}
        for name, messages_ in errors.items() for message in messages_
    ]
    gone = []
    if "constituents" in errors:
        posted = {int(pk) for pk in form.data.getlist("constituents") if str(pk).isdigit()}
        on_roster = set(
            form.fields["constituents"].queryset.filter(pk__in=posted).values_list("pk", flat=True)
        )
        gone = sorted(posted - on_roster)
    return JsonResponse(
        {"status": "refused", "reasons": reasons, "refused_constituents": gone}, status=422
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
    page = page_of(rows, request, capped=True, span="contacted_at",
                   per_member=_sector_members(filterset))
    read_reached(page.object_list)
    return render(
        request,
        "activities/contactlog_list.html",
        {"filter": filterset, "page": page, "query": query_without_page(request)},
    )


def _sector_members(filterset) -> PerMember | None:
    """A sector's logs: its members and the logs as filtered but for the sector, for the
    page to be read member by member (``page_of``). The filters as the form validated them
    (nothing is looked up again)."""
    sector = filterset.form.cleaned_data.get("sector") if filterset.is_valid() else None
    if sector is None:
        return None
    rows = filterset.queryset
    for name, value in filterset.form.cleaned_data.items():
        if name != "sector":
            rows = filterset.filters[name].filter(rows, value)
    # A sector's first pages are its last month's logs (a province district's sector: some
    # 900 a month); an older or a smaller sector's are read as without.
    return PerMember(members=Member.objects.filter(sector=sector), rows=rows,
                     since=timezone.now() - RECENT)


@permissions.council_reader_required
@lag_tolerant_view
def contactlog_export(request):
    """The filtered list as Excel, or as CSV (``?format=csv``: streamed, for large exports)."""
    filterset = ContactLogFilter(request.GET, queryset=contactlog_rows(request.user), request=request)
    if request.GET.get("format") == "csv":
        return exports.contactlogs_csv(filterset.qs)
    return exports.contactlogs_workbook(filterset.qs)

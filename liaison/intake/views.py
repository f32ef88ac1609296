"""Pages of the QR intake: the public page a poster's QR code opens (no login), and the
staff's posters, triage queue and blocked numbers (each lookup scoped to the user's reach:
another council's submission, platform or block is a 404)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from liaison.intake import posters, services
from liaison.intake.filters import SubmissionFilter
from liaison.intake.forms import AssignForm, BlockForm, CloseForm, MergeForm, SubmissionForm
from liaison.intake.models import BlockedPhone, IntakeLink, Submission
from members import audit, permissions, phone_crypto
from members.common.client_ip import client_ip
from members.common.forms import service_errors
from members.models import Platform
from members.models.audit import Action
from members.pagination import page_of, query_without_page
from members.phones import normalize_phone
from members.security import ratelimit

PAGE_SIZE = 50
# A form of a few fields: anything bigger is not a person typing.
MAX_BODY_BYTES = 16 * 1024
SENT_SALT = "intake-sent"


# --- the public page ----------------------------------------------------------------------


def _public_link(token: str) -> IntakeLink:
    return get_object_or_404(
        IntakeLink.objects.select_related("platform__council"), token=token, platform__active=True
    )


def _refused(request, link, message: str, status: int):
    return render(request, "liaison/intake/public_refused.html",
                  {"link": link, "platform": link.platform, "message": message}, status=status)


def _phone_allowed(form) -> bool:
    """Counts a submission against its number's limit (a number that is no number is left to
    the service's message)."""
    try:
        phone = normalize_phone(form.cleaned_data.get("phone"))
    except Exception:
        return True
    if not phone:
        return True
    return ratelimit.hit("intake-phone", phone_crypto.digest(phone),
                         limit=settings.INTAKE_RATE_PHONE, window=settings.INTAKE_RATE_WINDOW)


@never_cache
def public_form(request, token: str):
    link = _public_link(token)
    platform = link.platform
    if request.method == "POST":
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
            return _refused(request, link, _("Your message is too long to send."), 413)
        # Every attempt counts, a wrong captcha too: guessing it costs the same limit.
        if not ratelimit.hit("intake-ip", client_ip(request), limit=settings.INTAKE_RATE_IP,
                             window=settings.INTAKE_RATE_WINDOW):
            return _refused(request, link, _(
                "Many messages have been sent from here in a short time. Please try again in "
                "an hour, or tell a member at the platform."), 429)
        form = SubmissionForm(request.POST)
        if form.is_robot:
            # A robot filled the hidden field: it is told what a person is, nothing is kept.
            return redirect(_sent_url(link, ""))
        if form.is_valid():
            if not _phone_allowed(form):
                return _refused(request, link, _(
                    "Several messages have been sent with this phone number today. A member "
                    "will get back to you; please wait before writing again."), 429)
            data = form.cleaned_data
            with service_errors(form) as call:
                submission = services.submission_create(
                    link=link, category=data["category"], name=data["name"],
                    phone=data["phone"], text=data["text"], consent=data["consent"],
                )
            if call.ok:
                return redirect(_sent_url(link, submission.phone))
    else:
        form = SubmissionForm()
    return render(request, "liaison/intake/public_form.html", {
        "form": form, "link": link, "platform": platform, "council": platform.council,
        "retention_days": settings.INTAKE_RETENTION_DAYS,
    })


def _sent_url(link: IntakeLink, phone: str) -> str:
    """The thanks page, carrying the number masked (signed, so it cannot be made to say
    anything else); nothing of the message is kept in the visitor's session."""
    masked = services.masked(phone)
    return f"{reverse('intake:public-sent', args=[link.token])}?r={signing.dumps(masked, salt=SENT_SALT)}"


@never_cache
def public_sent(request, token: str):
    link = _public_link(token)
    try:
        masked = signing.loads(request.GET.get("r", ""), salt=SENT_SALT, max_age=3600)
    except signing.BadSignature:
        masked = ""
    return render(request, "liaison/intake/public_sent.html",
                  {"link": link, "platform": link.platform, "masked_phone": masked})


# --- posters ------------------------------------------------------------------------------


def _platforms(user):
    return Platform.objects.visible_to(user).filter(active=True).select_related("council")


@permissions.council_reader_required
def poster_list(request):
    platforms = _platforms(request.user).order_by("council_id", "kind", "name", "id")
    page = page_of(platforms, request, PAGE_SIZE)
    return render(request, "liaison/intake/poster_list.html", {"page": page})


def _poster(platform: Platform, link: IntakeLink) -> dict:
    url = posters.public_url(link)
    return {"platform": platform, "url": url, "svg": posters.qr_svg(url),
            "retention_days": settings.INTAKE_RETENTION_DAYS}


@permissions.council_reader_required
def poster(request, pk: int):
    platform = get_object_or_404(_platforms(request.user), pk=pk)
    link = services.intake_link_for(platform=platform)
    return render(request, "liaison/intake/poster.html", {"posters": [_poster(platform, link)]})


@permissions.council_reader_required
def poster_all(request):
    """Every active platform's poster, one A4 page each, for printing at once (at most
    ``PAGE_SIZE`` per page of the list)."""
    page = page_of(_platforms(request.user).order_by("council_id", "kind", "name", "id"),
                   request, PAGE_SIZE)
    links = services.intake_links_for(platforms=page)
    return render(request, "liaison/intake/poster.html",
                  {"posters": [_poster(p, links[p.pk]) for p in page], "page": page})


@permissions.staff_required
@require_POST
def poster_renew(request, pk: int):
    platform = get_object_or_404(_platforms(request.user), pk=pk)
    with service_errors(request=request) as call:
        services.intake_link_renew(by=request.user, platform=platform)
    if call.ok:
        messages.success(request, _("The QR code was renewed: print the new poster, the old "
                                    "one no longer works."))
    return redirect("intake:poster", pk=platform.pk)


# --- the triage queue ---------------------------------------------------------------------


def queue_url() -> str:
    return f"{reverse('intake:submission-list')}?state={Submission.State.NEW}"


@permissions.council_reader_required
def submission_list(request):
    """The council's submissions, newest first; by default those awaiting triage. The list
    behind the dashboard's QR figures (``state``, ``outcome``, ``period``, ``council``); the
navbar opens it on those awaiting triage (``QUEUE``)."""
    base = Submission.objects.visible_to(request.user).for_list()
    filterset = SubmissionFilter(request.GET, queryset=base, request=request)
    page = page_of(filterset.qs, request, PAGE_SIZE)
    by_state = dict(
        Submission.objects.visible_to(request.user).order_by()
        .values_list("state").annotate(n=Count("pk"))
    )
    for submission in page:
        submission.shown_phone = services.masked(submission.phone)
    return render(request, "liaison/intake/submission_list.html", {
        "filter": filterset, "page": page, "query": query_without_page(request),
        "states": [(v, label, by_state.get(v, 0)) for v, label in Submission.State.choices],
    })


def _submission(request, pk: int) -> Submission:
    return get_object_or_404(
        Submission.objects.visible_to(request.user).select_related(
            "platform", "member", "constituent", "contact_log", "merged_into", "triaged_by"
        ).prefetch_related(Prefetch("platform__sectors")),
        pk=pk,
    )


@permissions.council_reader_required
def submission_detail(request, pk: int, forms: dict | None = None):
    submission = _submission(request, pk)
    staff = permissions.is_staff(request.user)
    submission.shown_phone = submission.phone if staff else services.masked(submission.phone)
    if staff and submission.phone:
        audit.record(Action.PHONE_VIEWED, request=request, obj=submission)
    context = {"submission": submission, "staff": staff}
    if staff and submission.is_open:
        candidates = list(services.duplicate_candidates(submission, request.user))
        forms = forms or {}
        context.update({
            "assign_form": forms.get("assign") or AssignForm(submission=submission),
            "merge_form": forms.get("merge") or MergeForm(candidates=candidates),
            "close_form": forms.get("close") or CloseForm(),
            "candidates": candidates,
        })
    if staff and submission.phone:
        context["block_form"] = BlockForm()
        context["blocked"] = services.phone_is_blocked(council_id=submission.council_id,
                                                       phone=submission.phone)
    status = 400 if forms else 200
    return render(request, "liaison/intake/submission_detail.html", context, status=status)


def _act(request, pk: int, form_class, key: str, act, done: str, **form_kwargs):
    """Scoped lookup → form → service → back to the queue, or the page with the errors."""
    submission = _submission(request, pk)
    kwargs = {k: v(submission) for k, v in form_kwargs.items()}
    form = form_class(request.POST, **kwargs)
    if form.is_valid():
        with service_errors(form) as call:
            act(submission, form.cleaned_data)
        if call.ok:
            messages.success(request, done)
            return redirect(queue_url())
    return submission_detail(request, pk, forms={key: form})


@permissions.staff_required
@require_POST
def submission_assign(request, pk: int):
    return _act(
        request, pk, AssignForm, "assign",
        lambda s, d: services.submission_assign(
            by=request.user, submission=s, member=d["member"],
            difficulty_kind=d.get("difficulty_kind", "")),
        _("Passed to the member: the person is on their roster."),
        submission=lambda s: s,
    )


@permissions.staff_required
@require_POST
def submission_merge(request, pk: int):
    return _act(
        request, pk, MergeForm, "merge",
        lambda s, d: services.submission_merge(by=request.user, submission=s, into=d["into"]),
        _("Merged as a duplicate."),
        candidates=lambda s: list(services.duplicate_candidates(s, request.user)),
    )


@permissions.staff_required
@require_POST
def submission_close(request, pk: int):
    return _act(
        request, pk, CloseForm, "close",
        lambda s, d: services.submission_close(by=request.user, submission=s, **d),
        _("Closed."),
    )


@permissions.staff_required
@require_POST
def phone_block(request, pk: int):
    submission = _submission(request, pk)
    form = BlockForm(request.POST)
    if form.is_valid():
        with service_errors(request=request) as call:
            services.phone_block(by=request.user, submission=submission,
                                 note=form.cleaned_data["note"])
        if call.ok:
            messages.success(request, _("This number can no longer send messages to the "
                                        "council's QR pages."))
    return redirect(submission)


@permissions.council_reader_required
def blocked_list(request):
    rows = BlockedPhone.objects.visible_to(request.user).select_related("blocked_by")
    page = page_of(rows, request, PAGE_SIZE)
    return render(request, "liaison/intake/blocked_list.html", {"page": page})


@permissions.staff_required
@require_POST
def phone_unblock(request, pk: int):
    blocked = get_object_or_404(BlockedPhone.objects.visible_to(request.user), pk=pk)
    services.phone_unblock(by=request.user, blocked=blocked)
    messages.success(request, _("The number may send messages again."))
    return redirect("intake:blocked-list")

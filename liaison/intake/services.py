"""Writes of the QR intake: a platform's public link, what the public page stores, and the
staff's triage (assign, merge, close), blocking numbers and the retention purge.

Triage reuses the portal's own services: the person becomes a constituent on the member's
roster through ``members.services.constituent_create`` (its first-visit must-visit
follows), and an opinion or a difficulty becomes a contact log through
``activities.contacts.services.contact_log_create`` on the online channel (a difficulty
flagged there makes the difficulty must-visit, as any flagged contact does).
"""

from __future__ import annotations

from datetime import date, timedelta

from captcha.models import CaptchaStore
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.contacts.models import Channel, ContactLog
from activities.contacts.services import contact_log_create
from liaison.intake.models import BlockedPhone, IntakeLink, Submission
from members import permissions, phone_crypto
from members.common import clock
from members.common.figures import figures_changed
from members.models import Constituent, Member, Platform, User
from members.models.constituent import mask_phone
from members.phones import normalize_phone
from members.services import constituent_create, notification_send

# Limits of the public form (characters).
MAX_NAME = 50
MAX_TEXT = 1000
MIN_TEXT = 5


def intake_link_for(*, platform: Platform) -> IntakeLink:
    """The platform's public link, made the first time it is asked for (idempotent)."""
    link, _created = IntakeLink.objects.get_or_create(platform=platform)
    return link


def intake_links_for(*, platforms) -> dict[int, IntakeLink]:
    """The public links of ``platforms`` by platform id, the missing ones made at once: two
    queries and an insert however many posters a page prints."""
    ids = [p.pk for p in platforms]
    have = {link.platform_id: link for link in IntakeLink.objects.filter(platform_id__in=ids)}
    missing = [IntakeLink(platform_id=pk) for pk in ids if pk not in have]
    if missing:
        IntakeLink.objects.bulk_create(missing, ignore_conflicts=True)
        have = {link.platform_id: link for link in IntakeLink.objects.filter(platform_id__in=ids)}
    return have


def intake_link_renew(*, by: User, platform: Platform) -> IntakeLink:
    """A new token for the platform: posters printed before stop working (a poster copied
    where it should not be, a flood through one address)."""
    permissions.require(permissions.is_staff(by))
    with transaction.atomic():
        link = intake_link_for(platform=platform)
        link = IntakeLink.objects.select_for_update().get(pk=link.pk)
        link.token = IntakeLink._meta.get_field("token").default()
        link.save(update_fields=["token"])
    return link


def phone_is_blocked(*, council_id: int, phone: str) -> bool:
    """``phone`` typed any way ``normalize_phone`` reads; no number is blocked by nobody."""
    phone = normalize_phone(phone)
    if not phone:
        return False
    return BlockedPhone.objects.filter(
        council_id=council_id, phone_hash__in=phone_crypto.digests(phone)
    ).exists()


def submission_create(
    *, link: IntakeLink, category: str, name: str = "", phone: str = "", text: str,
    consent: bool,
) -> Submission:
    """Store what a constituent left on the platform's page. No user: the page is public.

    Refused (``ValidationError``, nothing stored): no consent, an unknown category, a text
    too short or too long, a phone that is no number, a "please contact me" without a
    phone, a number the council has blocked, an inactive platform.
    """
    platform = link.platform
    if not platform.active:
        raise ValidationError(_("This platform no longer takes messages."))
    errors = {}
    if not consent:
        errors["consent"] = _("Please agree to how your personal information is used.")
    if category not in Submission.Category.values:
        errors["category"] = _("Choose what your message is about.")
    name = (name or "").strip()
    if len(name) > MAX_NAME:
        errors["name"] = _("A name of at most %(n)d characters.") % {"n": MAX_NAME}
    text = (text or "").strip()
    if len(text) < MIN_TEXT:
        errors["text"] = _("Please write at least %(n)d characters.") % {"n": MIN_TEXT}
    elif len(text) > MAX_TEXT:
        errors["text"] = _("At most %(n)d characters, please.") % {"n": MAX_TEXT}
    try:
        phone = normalize_phone(phone)
    except ValidationError as error:
        errors["phone"] = error.messages[0]
        phone = ""
    if category == Submission.Category.CONTACT and not phone and "phone" not in errors:
        errors["phone"] = _("Leave a phone number so that a member can contact you.")
    if phone and phone_is_blocked(council_id=platform.council_id, phone=phone):
        errors["phone"] = _(
            "Messages from this number are not taken here. Please contact the CPPCC office."
        )
    if errors:
        raise ValidationError(errors)
    now = clock.now()
    with transaction.atomic():
        submission = Submission.objects.create(
            council_id=platform.council_id, platform=platform, category=category, name=name,
            phone=phone, text=text, consented_at=now, submitted_at=now,
        )
        figures_changed(platform.council_id)
    return submission


# --- triage -----------------------------------------------------------------------------


def members_for(submission: Submission):
    """Who a submission may be assigned to: serving members of the platform's council in
    one of its sectors (any sector when the platform names none)."""
    platform = submission.platform
    qs = Member.objects.filter(council_id=platform.council_id, status=Member.Status.ACTIVE)
    sector_ids = [s.pk for s in platform.sectors.all()]
    if sector_ids:
        qs = qs.filter(sector_id__in=sector_ids)
    return qs.order_by("name", "pk")


def _locked_open(by: User, submission: Submission) -> Submission:
    """The submission locked, re-read and still awaiting triage; only staff triage."""
    permissions.require(permissions.is_staff(by))
    stored = Submission.objects.select_for_update().select_related("platform").get(pk=submission.pk)
    if stored.state != Submission.State.NEW:
        raise ValidationError(
            _("This message has been dealt with meanwhile (%(state)s).")
            % {"state": stored.get_state_display()}
        )
    return stored


def _triaged(stored: Submission, by: User, state: str, **fields) -> Submission:
    stored.state = state
    stored.triaged_at = clock.now()
    stored.triaged_by = by
    for name, value in fields.items():
        setattr(stored, name, value)
    stored.save()
    figures_changed(stored.council_id)
    return stored


def _constituent_name(submission: Submission) -> str:
    if submission.name:
        return submission.name
    if submission.phone:
        return str(_("QR visitor (number ending %(tail)s)") % {"tail": submission.phone[-4:]})
    return str(_("QR visitor"))


def _roster_entry(by: User, member: Member, submission: Submission) -> Constituent:
    """The person on the member's roster: the one already there with this number, or a new
    constituent (``constituent_create``: its first-visit must-visit follows)."""
    if submission.phone:
        known = Constituent.objects.filter(member=member).with_phone(submission.phone).first()
        if known is not None:
            return known
    platform = submission.platform
    consent = _("Agreed on the QR page of %(platform)s on %(day)s") % {
        "platform": platform.name,
        "day": timezone.localdate(submission.consented_at).isoformat(),
    }
    return constituent_create(
        by=by, member=member, name=_constituent_name(submission), phone=submission.phone,
        tags=str(_("QR code")), consent_note=str(consent)[:200],
    )


def submission_assign(
    *, by: User, submission: Submission, member: Member, difficulty_kind: str = ""
) -> Submission:
    """Hand a submission to a member of the platform's sector.

    The person becomes the member's constituent. An opinion becomes a contact log (online
    channel, at the platform, the opinion in its opinions); a difficulty a contact log
    flagged with ``difficulty_kind``, which makes the member's difficulty must-visit; a
    request to be contacted the new constituent's first-visit must-visit. The member is
    told in their inbox. All of it in one transaction, or nothing.
    """
    if not members_for(submission).filter(pk=member.pk).exists():
        raise ValidationError(
            {"member": _("Choose a serving member of the platform's sector.")}
        )
    is_difficulty = submission.category == Submission.Category.DIFFICULTY
    if is_difficulty and difficulty_kind not in ContactLog.Difficulty.values:
        raise ValidationError({"difficulty_kind": _("Say what kind of difficulty the person is in.")})
    with transaction.atomic():
        stored = _locked_open(by, submission)
        constituent = _roster_entry(by, member, stored)
        log = None
        if stored.category != Submission.Category.CONTACT:
            label = stored.get_category_display()
            log = contact_log_create(
                by=by, member=member, constituents=[constituent],
                contacted_at=stored.submitted_at, channel=Channel.ONLINE,
                mode=ContactLog.Mode.ONLINE, platform=stored.platform,
                summary=str(_("Left on the QR page (%(category)s): %(text)s")
                            % {"category": label, "text": stored.text}),
                opinions=stored.text if stored.category == Submission.Category.OPINION else "",
                difficulty=is_difficulty,
                difficulty_kind=difficulty_kind if is_difficulty else "",
            )
        stored = _triaged(stored, by, Submission.State.ASSIGNED, member=member,
                          constituent=constituent, contact_log=log)
        if member.user_id:
            notification_send(
                users=[member.user], kind="intake_assigned",
                subject=_("A message from the QR code of %(platform)s was passed to you")
                % {"platform": stored.platform.name},
                body=stored.text, url=constituent.get_absolute_url(),
                key=f"intake-assigned-{stored.pk}",
            )
    return stored


def duplicate_candidates(submission: Submission, user: User):
    """Earlier or later submissions of the same council that this one may duplicate: the
    same number, or the same platform within a fortnight; at most 20, newest first."""
    window = timedelta(days=14)
    same = Submission.objects.visible_to(user).filter(council_id=submission.council_id)
    near = same.filter(
        platform_id=submission.platform_id,
        submitted_at__gte=submission.submitted_at - window,
        submitted_at__lte=submission.submitted_at + window,
    )
    if submission.phone_hash:
        near = near | same.filter(phone_hash=submission.phone_hash)
    return (
        near.exclude(pk=submission.pk).exclude(state=Submission.State.MERGED)
        .select_related("platform").order_by("-submitted_at", "-id")[:20]
    )


def submission_merge(*, by: User, submission: Submission, into: Submission) -> Submission:
    """``submission`` says again what ``into`` says: it follows ``into`` and leaves the
    queue. ``into`` must be of the same council and not merged itself."""
    if into.pk == submission.pk or into.council_id != submission.council_id:
        raise ValidationError({"into": _("Choose another message of the same council.")})
    if into.state == Submission.State.MERGED:
        raise ValidationError({"into": _("That message is itself merged into another.")})
    with transaction.atomic():
        stored = _locked_open(by, submission)
        return _triaged(stored, by, Submission.State.MERGED, merged_into=into)


def submission_close(*, by: User, submission: Submission, reason: str, note: str = "") -> Submission:
    """Close without a member, with a reason (and a note, which "other" needs)."""
    note = (note or "").strip()
    if reason not in Submission.CloseReason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    if reason == Submission.CloseReason.OTHER and not note:
        raise ValidationError({"note": _("Say why in a few words.")})
    with transaction.atomic():
        stored = _locked_open(by, submission)
        return _triaged(stored, by, Submission.State.CLOSED, close_reason=reason,
                        close_note=note[:200])


# --- blocked numbers ------------------------------------------------------------------------


def phone_block(*, by: User, submission: Submission, note: str = "") -> BlockedPhone:
    """No more submissions from this submission's number to its council. Idempotent."""
    permissions.require(permissions.is_staff(by))
    if not submission.phone:
        raise ValidationError(_("This message has no phone number to block."))
    with transaction.atomic():
        existing = BlockedPhone.objects.filter(
            council_id=submission.council_id,
            phone_hash__in=phone_crypto.digests(submission.phone),
        ).first()
        if existing is not None:
            return existing
        return BlockedPhone.objects.create(
            council_id=submission.council_id, phone=submission.phone, blocked_by=by,
            note=(note or "").strip()[:200],
        )


def phone_unblock(*, by: User, blocked: BlockedPhone) -> None:
    permissions.require(permissions.is_staff(by))
    blocked.delete()


# --- outcomes -------------------------------------------------------------------------------


def submission_outcomes_refresh() -> int:
    """Copy onto each assigned submission the proposal its contact log now names (the member
    links the log to a proposal later, through the contact log's service, which knows nothing
    of submissions). One UPDATE of the rows that differ; idempotent. Returns rows changed."""
    named = ContactLog.objects.filter(pk=OuterRef("contact_log_id")).values("proposal_id")[:1]
    with transaction.atomic():
        rows = (
            Submission.objects.filter(state=Submission.State.ASSIGNED, contact_log__isnull=False)
            .annotate(_named=Subquery(named))
            .filter(
                Q(proposal_id__isnull=True, _named__isnull=False)
                | Q(proposal_id__isnull=False, _named__isnull=True)
                | (Q(proposal_id__isnull=False, _named__isnull=False) & ~Q(proposal_id=F("_named")))
            )
        )
        changed = list(rows.values_list("pk", "council_id"))
        if changed:
            Submission.objects.filter(pk__in=[pk for pk, _c in changed]).update(proposal=Subquery(named))
            for council_id in {c for _pk, c in changed}:
                figures_changed(council_id)
    return len(changed)


# --- retention ------------------------------------------------------------------------------


def submissions_purge(*, today: date | None = None) -> int:
    """Erase the name, number and text of submissions triaged more than
    ``INTAKE_RETENTION_DAYS`` ago; the row (platform, category, dates, outcome) stays for the
    figures. Safe to run twice: a purged row is not read again. Returns rows purged.

    Also drops the expired captcha challenges: every view of a public page stores one, and
    nothing else removes them."""
    CaptchaStore.remove_expired()
    today = today or timezone.localdate()
    cutoff = clock.start_of(today - timedelta(days=settings.INTAKE_RETENTION_DAYS))
    purged = 0
    ids = list(Submission.objects.purgeable(cutoff).values_list("pk", flat=True)[:10_000])
    for start in range(0, len(ids), 500):
        with transaction.atomic():
            rows = Submission.objects.select_for_update().filter(
                pk__in=ids[start:start + 500], purged_at__isnull=True
            )
            now = clock.now()
            for row in rows:
                # Through save(): the sealed number's hashes are recomputed (blank).
                row.name, row.phone, row.text, row.close_note = "", "", "", ""
                row.purged_at = now
                row.save(update_fields=["name", "phone", "phone_hash", "phone_tail", "text",
                                        "close_note", "purged_at"])
                purged += 1
    return purged


def masked(phone: str) -> str:
    return mask_phone(phone) if phone else ""

"""Writes for what members do. Views, imports, the demo and tasks call these."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities import reminders, rollups
from activities.models import (
    Channel,
    Consultation,
    ContactLog,
    ContactLogConstituent,
    ContactLogPhoto,
)
from activities.photos import make_thumbnail, validate_photo
from members import permissions
from members.models import Constituent, Council, Member, Platform, User
from proposals.models import Proposal

MAX_CONTACT_PHOTOS = 6
# A phone's clock may run a little ahead of the server's.
FUTURE_TOLERANCE = timedelta(minutes=10)


def contact_log_create(
    *,
    by: User,
    member: Member,
    constituents: Iterable[Constituent | int],
    contacted_at: datetime,
    channel: str,
    mode: str,
    platform: Platform | None = None,
    summary: str,
    opinions: str = "",
    difficulty: bool = False,
    difficulty_kind: str = "",
    photos: Sequence = (),
    proposal: Proposal | None = None,
    consultation: Consultation | None = None,
) -> ContactLog:
    """Record a contact of ``member`` with people on their roster.

    Everything is checked before anything is written: the constituents must all be the
    member's, at most ``MAX_CONTACT_PHOTOS`` photos, each a real image within the size
    limit. ``proposal`` is the proposal the contact reports back on or that an opinion
    became (naming it is what closes a proposal-feedback must-visit); ``consultation`` the
    session an opinion is carried into. Both must be of the member's council and within
    what ``by`` may see. In the same transaction each constituent's ``last_contacted_at`` moves forward
    (never back: an older contact logged late does not hide a newer one).
    Side effects run after the commit (``_on_contact_logged``).
    """
    if not _may_log_for(by, member):
        raise PermissionDenied
    constituent_ids = _own_constituent_ids(member, constituents)
    _check_contact(member, contacted_at, channel, mode, platform, summary, difficulty,
                   difficulty_kind)
    _check_links(by, member, proposal, consultation)
    photos = list(photos)
    _check_photos(photos)

    with transaction.atomic():
        log = ContactLog.objects.create(
            council_id=member.council_id,
            member=member,
            contacted_at=contacted_at,
            channel=channel,
            mode=mode,
            platform=platform,
            summary=summary.strip(),
            opinions=opinions.strip(),
            difficulty=difficulty,
            difficulty_kind=difficulty_kind if difficulty else "",
            proposal=proposal,
            consultation=consultation,
        )
        ContactLogConstituent.objects.bulk_create(
            ContactLogConstituent(contact_log=log, constituent_id=pk) for pk in constituent_ids
        )
        for upload in photos:
            ContactLogPhoto.objects.create(
                contact_log=log, image=upload, thumbnail=make_thumbnail(upload, upload.name)
            )
        _move_last_contacted(constituent_ids, contacted_at)
        rollups.contact_day_add(log, constituents=len(constituent_ids))
        _on_contact_logged(log)
    return log


def _on_contact_logged(log: ContactLog) -> None:
    """Events a new contact log sets off — the hook for other parts of the portal.

    Called inside the transaction; each event is one ``transaction.on_commit`` line that
    enqueues a task by id, so nothing runs unless the log is really stored. For example:

        if log.difficulty:
            transaction.on_commit(partial(tasks.difficulty_flagged.delay, contact_log_id=log.pk))
    """
    # Must-visits: close what this contact satisfies now, in the same transaction (the
    # member's list is right the moment the page reloads); a difficulty flag enqueues its
    # follow-up reminders on commit.
    reminders.reminders_close_for_contact(log)
    reminders.enqueue_for_difficulty(log)


def _may_log_for(user: User, member: Member) -> bool:
    """The member logs their own contacts; staff of the council may log on their behalf."""
    if permissions.is_member(user) and permissions.member_of(user) == member:
        return True
    return permissions.is_staff(user) and (
        Council.objects.filter(permissions.council_q(user, field="pk"), pk=member.council_id).exists()
    )


def _own_constituent_ids(member: Member, constituents) -> list[int]:
    ids = sorted({getattr(c, "pk", c) for c in constituents})
    if not ids:
        raise ValidationError(
            {"constituents": _("Choose at least one person you were in contact with.")}
        )
    own = Constituent.objects.filter(member=member, pk__in=ids).count()
    if own != len(ids):
        raise ValidationError(
            {"constituents": _("You can only log contacts with people on your own roster.")},
            code="not_own_constituent",
        )
    return ids


def _check_contact(member, contacted_at, channel, mode, platform, summary, difficulty,
                   difficulty_kind) -> None:
    errors = {}
    if contacted_at is None:
        errors["contacted_at"] = _("Say when the contact took place.")
    elif contacted_at > timezone.now() + FUTURE_TOLERANCE:
        errors["contacted_at"] = _("The contact cannot be in the future.")
    if channel not in Channel.values:
        errors["channel"] = _("Choose one of the five channels.")
    if mode not in ContactLog.Mode.values:
        errors["mode"] = _("Choose how you were in contact.")
    elif mode == ContactLog.Mode.PLATFORM and platform is None:
        errors["platform"] = _("Choose the platform where you met.")
    if platform is not None and platform.council_id != member.council_id:
        errors["platform"] = _("Choose a platform of your council.")
    if not (summary or "").strip():
        errors["summary"] = _("Write a few words about what was said.")
    if difficulty and difficulty_kind not in ContactLog.Difficulty.values:
        errors["difficulty_kind"] = _("Say what kind of difficulty the person is in.")
    if errors:
        raise ValidationError(errors)


def _check_links(by: User, member: Member, proposal, consultation) -> None:
    """A proposal or consultation named by the log: one ``EXISTS`` each, scoped like a page
    (an id guessed from another council or out of ``by``'s sight is refused, not linked)."""
    errors = {}
    if proposal is not None and not (
        Proposal.objects.visible_to(by)
        .filter(pk=proposal.pk, council_id=member.council_id).exists()
    ):
        errors["proposal"] = _("Choose a proposal of your council that you may see.")
    if consultation is not None and not (
        Consultation.objects.visible_to(by)
        .filter(pk=consultation.pk, council_id=member.council_id).exists()
    ):
        errors["consultation"] = _("Choose a consultation of your council that you took part in.")
    if errors:
        raise ValidationError(errors)


def _check_photos(photos: list) -> None:
    if len(photos) > MAX_CONTACT_PHOTOS:
        raise ValidationError(
            {"photos": _("At most %(n)d photos per contact.") % {"n": MAX_CONTACT_PHOTOS}},
            code="too_many_photos",
        )
    messages = []
    for upload in photos:
        try:
            validate_photo(upload)
        except ValidationError as error:
            messages.extend(error.messages)
    if messages:
        raise ValidationError({"photos": messages}, code="bad_photo")


def _move_last_contacted(constituent_ids: list[int], contacted_at: datetime) -> None:
    """One UPDATE: the later of the stored last contact and this one."""
    when = models.Value(contacted_at, output_field=models.DateTimeField())
    Constituent.objects.filter(pk__in=constituent_ids).update(
        last_contacted_at=Greatest(Coalesce("last_contacted_at", when), when)
    )

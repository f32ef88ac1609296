"""Writes of contact logs: logging a contact and editing it. Views, the demo and tests call
these; everything derived from the logs (last contact, daily counts, must-visits) follows
in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.common.photos import photos_save, validate_photo
from activities.contacts import rollups
from activities.contacts.models import (
    Channel,
    ContactLog,
    ContactLogConstituent,
    ContactLogKey,
    ContactLogPhoto,
)
from activities.events.models import Consultation
from activities.reminders.services import closing, triggers
from activities.tags.models import ContactLogTag
from activities.tags.services import link_tags_checked
from members import permissions
from members.common.figures import figures_changed
from members.models import Constituent, Member, Platform, User
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
    tags: Iterable = (),
) -> ContactLog:
    """Record a contact of ``member`` with people on their roster.

    Everything is checked before anything is written: the constituents must all be the
    member's, at most ``MAX_CONTACT_PHOTOS`` photos, each a real image within the size
    limit. ``proposal`` is the proposal the contact reports back on or that an opinion
    became (naming it is what closes a proposal-feedback must-visit); ``consultation`` the
    session an opinion is carried into. Both must be of the member's council and within
    what ``by`` may see; ``tags`` the "四联四助" tags it served, of the member's council.
    In the same transaction each constituent's ``last_contacted_at`` moves forward
    (never back: an older contact logged late does not hide a newer one).
    Side effects run after the commit (``_on_contact_logged``).
    """
    if not permissions.may_act_for(by, member):
        raise PermissionDenied
    constituent_ids = _own_constituent_ids(member, constituents)
    _check_contact(member, contacted_at, channel, mode, platform, summary, difficulty,
                   difficulty_kind)
    _check_links(by, member, proposal, consultation)
    tag_ids = link_tags_checked(tags, council_id=member.council_id)
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
            ContactLogConstituent(contact_log=log, constituent_id=pk, contacted_at=contacted_at)
            for pk in constituent_ids
        )
        ContactLogTag.objects.bulk_create(
            ContactLogTag(contact_log=log, tag_id=pk, contacted_at=contacted_at) for pk in tag_ids
        )
        photos_save(ContactLogPhoto, photos, contact_log=log)
        _move_last_contacted(constituent_ids, contacted_at)
        rollups.contact_day_add(log, constituents=len(constituent_ids), tags=tag_ids)
        _on_contact_logged(log)
        figures_changed(log.council_id)
    return log


def contact_log_create_once(
    *, key: UUID, by: User, member: Member, **fields
) -> tuple[ContactLog | None, bool]:
    """``contact_log_create`` for a contact a device queued offline under ``key``: the first
    call stores it and answers ``(log, True)``; any later call with the same key, the same
    member — a retry after a lost answer, two tabs flushing at once — stores nothing and
    answers the log stored the first time, ``(log, False)`` (``None`` if deleted since).

    The key is claimed first, in the transaction that stores the log: a second request with the
    key waits on the unique index until the first commits (PostgreSQL), then finds it. A log
    refused by ``contact_log_create`` rolls the claim back, so the key stays free to retry.
    """
    if not permissions.may_act_for(by, member):
        raise PermissionDenied
    stored = contact_log_stored_for_key(member=member, key=key)
    if stored is not None:
        return stored
    try:
        with transaction.atomic():
            claim = ContactLogKey.objects.create(member=member, key=key)
            log = contact_log_create(by=by, member=member, **fields)
            claim.contact_log = log
            claim.save(update_fields=["contact_log"])
    except IntegrityError:
        stored = contact_log_stored_for_key(member=member, key=key)
        if stored is None:
            raise
        return stored
    return log, True


def contact_log_stored_for_key(
    *, member: Member, key: UUID
) -> tuple[ContactLog | None, bool] | None:
    """``(log, False)`` if ``member``'s device already sent the contact ``key`` (the log is
    ``None`` if deleted since), else ``None``."""
    claim = (
        ContactLogKey.objects.filter(member=member, key=key).select_related("contact_log").first()
    )
    return None if claim is None else (claim.contact_log, False)


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
    closing.reminders_close_for_contact(log)
    triggers.enqueue_for_difficulty(log)


# What an edit may change (the member, council and photos' files are not fields of it).
EDITABLE_FIELDS = frozenset({
    "constituents", "contacted_at", "channel", "mode", "platform", "summary", "opinions",
    "difficulty", "difficulty_kind", "proposal", "consultation", "tags",
})


def contact_log_may_change(user: User, log: ContactLog) -> bool:
    """Who may edit a log already within their sight (``ContactLog.objects.visible_to``):
    the member who logged it, or staff of the council. Leaders read only."""
    if permissions.is_staff(user):
        return True
    member = permissions.member_of(user) if permissions.is_member(user) else None
    return member is not None and member.pk == log.member_id


def contact_log_update(
    *, by: User, log: ContactLog, photos: Sequence = (), remove_photos: Iterable = (), **fields
) -> ContactLog:
    """Edit ``log``: any of ``EDITABLE_FIELDS`` (omitted ones keep their value), new
    ``photos`` and ``remove_photos`` (photos of this log, or their ids) — checked like
    ``contact_log_create`` before anything is written.

    In the same transaction everything derived from the logs follows the edit:
    - ``Constituent.last_contacted_at`` of the people removed, added or kept is recomputed
      from their logs (one UPDATE with a subquery): removing someone, or moving the contact
      back in time, can move their last contact back too.
    - The daily count (``ContactDay``): the log's old contribution is taken off its old row
      (emptied rows are deleted) and the new one added, as ``contact_log_create`` adds it.
    - Must-visit reminders: those the edited log now satisfies are closed; those it closed
      stay closed, even if the person or the date that closed them is edited away (the visit
      was reported and the reminder answered; a wrong log is put right by editing the log,
      not by reopening what the member was told is done). A difficulty newly flagged sets off
      its follow-ups; one unflagged does not withdraw them.
    """
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"contact_log_update() cannot change {', '.join(sorted(unknown))}")
    member = log.member
    if not permissions.may_act_for(by, member):
        raise PermissionDenied
    old_ids = set(log.constituents.values_list("pk", flat=True))
    if "constituents" in fields:
        new_ids = _own_constituent_ids(member, fields.pop("constituents"))
    else:
        new_ids = sorted(old_ids)
    tag_ids = (
        link_tags_checked(fields.pop("tags"), council_id=log.council_id)
        if "tags" in fields else None
    )
    values = {name: getattr(log, name) for name in EDITABLE_FIELDS - {"constituents", "tags"}}
    values.update(fields)
    values["summary"] = (values["summary"] or "").strip()
    values["opinions"] = (values["opinions"] or "").strip()
    if not values["difficulty"]:
        values["difficulty_kind"] = ""
    _check_contact(member, values["contacted_at"], values["channel"], values["mode"],
                   values["platform"], values["summary"], values["difficulty"],
                   values["difficulty_kind"])
    # A link kept as it was is not re-checked: who may see it may have changed since.
    _check_links(
        by, member,
        values["proposal"] if _changed(values["proposal"], log.proposal_id) else None,
        values["consultation"] if _changed(values["consultation"], log.consultation_id) else None,
    )
    photos = list(photos)
    removed = _photos_to_remove(log, remove_photos, adding=len(photos))
    _check_photos(photos)

    with transaction.atomic():
        # Locked, and re-read: the rollup takes off what is stored, not what the page saw.
        stored = ContactLog.objects.select_for_update().select_related("member").get(pk=log.pk)
        stored_ids = set(
            ContactLogConstituent.objects.filter(contact_log=stored)
            .values_list("constituent_id", flat=True)
        )
        was_difficulty = stored.difficulty
        stored_tags = list(
            ContactLogTag.objects.filter(contact_log=stored).values_list("tag_id", flat=True)
        )
        for name, value in values.items():
            setattr(log, name, value)
        log.save(update_fields=sorted(values))
        links = ContactLogConstituent.objects.filter(contact_log=log)
        links.exclude(constituent_id__in=new_ids).delete()
        # The links carry the log's time (the partition key on PostgreSQL, where the composite
        # foreign key's ON UPDATE CASCADE has already moved them; on SQLite this does).
        links.exclude(contacted_at=log.contacted_at).update(contacted_at=log.contacted_at)
        ContactLogConstituent.objects.bulk_create(
            ContactLogConstituent(contact_log=log, constituent_id=pk, contacted_at=log.contacted_at)
            for pk in sorted(set(new_ids) - stored_ids)
        )
        _set_tags(log, tag_ids)
        _remove_photos(removed)
        photos_save(ContactLogPhoto, photos, contact_log=log)
        _recompute_last_contacted(old_ids | stored_ids | set(new_ids))
        rollups.contact_day_remove(stored, constituents=len(stored_ids), tags=stored_tags)
        rollups.contact_day_add(log, constituents=len(new_ids),
                                tags=stored_tags if tag_ids is None else tag_ids)
        closing.reminders_close_for_contact(log)
        if log.difficulty and not was_difficulty:
            triggers.enqueue_for_difficulty(log)
        figures_changed(log.council_id)
    return log


def contact_log_delete(*, by: User, log: ContactLog) -> None:
    """Delete a contact log recorded by mistake (who may edit it may delete it). In the same
    transaction its people's last contact is recomputed and the daily count loses it; its
    photos' files go once the deletion is committed. A must-visit it closed stays closed (as
    when the log is edited)."""
    if not contact_log_may_change(by, log) or not permissions.may_act_for(by, log.member):
        raise PermissionDenied
    with transaction.atomic():
        stored = ContactLog.objects.select_for_update().get(pk=log.pk)
        people = set(
            ContactLogConstituent.objects.filter(contact_log=stored)
            .values_list("constituent_id", flat=True)
        )
        tags = list(ContactLogTag.objects.filter(contact_log=stored).values_list("tag_id", flat=True))
        _remove_photos(list(stored.photos.all()))
        stored.delete()
        _recompute_last_contacted(people)
        rollups.contact_day_remove(stored, constituents=len(people), tags=tags)
        figures_changed(stored.council_id)


def _set_tags(log: ContactLog, tag_ids: list[int] | None) -> None:
    """The log's tags become ``tag_ids`` (None: kept), each carrying the log's time."""
    rows = ContactLogTag.objects.filter(contact_log=log)
    if tag_ids is not None:
        rows.exclude(tag_id__in=tag_ids).delete()
        ContactLogTag.objects.bulk_create(
            [ContactLogTag(contact_log=log, tag_id=pk, contacted_at=log.contacted_at)
             for pk in tag_ids],
            ignore_conflicts=True,
        )
    rows.exclude(contacted_at=log.contacted_at).update(contacted_at=log.contacted_at)


def _changed(obj, stored_id) -> bool:
    return getattr(obj, "pk", obj) != stored_id


def _photos_to_remove(log: ContactLog, remove_photos, *, adding: int) -> list[ContactLogPhoto]:
    ids = {getattr(p, "pk", p) for p in remove_photos}
    existing = {p.pk: p for p in log.photos.all()}
    if not ids <= set(existing):
        raise ValidationError(
            {"remove_photos": _("Only photos of this contact can be removed.")},
            code="not_own_photo",
        )
    if len(existing) - len(ids) + adding > MAX_CONTACT_PHOTOS:
        raise ValidationError(
            {"photos": _("At most %(n)d photos per contact.") % {"n": MAX_CONTACT_PHOTOS}},
            code="too_many_photos",
        )
    return [existing[pk] for pk in sorted(ids)]


def _remove_photos(photos: list[ContactLogPhoto]) -> None:
    """Delete the rows now; the files once the edit is committed (a rollback keeps them)."""
    if not photos:
        return
    files = [(f.storage, f.name) for p in photos for f in (p.image, p.thumbnail) if f]
    ContactLogPhoto.objects.filter(pk__in=[p.pk for p in photos]).delete()

    def delete_files():
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(delete_files)


def _recompute_last_contacted(constituent_ids) -> None:
    """One UPDATE: each person's last contact is the latest of their logs (none: NULL).

    ``updated_at`` moves too: an edit or a deletion can move a last contact back, or leave
    someone never contacted, and the must-visit sweep finds such people by ``updated_at``
    (its watermark) to give them the periodic or first visit now due."""
    latest = (
        ContactLogConstituent.objects.filter(constituent_id=OuterRef("pk"))
        .order_by("-contact_log__contacted_at")
        .values("contact_log__contacted_at")[:1]
    )
    Constituent.objects.filter(pk__in=sorted(constituent_ids)).update(
        last_contacted_at=Subquery(latest), updated_at=timezone.now()
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

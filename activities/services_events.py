"""Writes for activities, attendance, consultations and their problems.

Views, the admin and the demo call these. Each runs in one transaction: bad input raises a
``ValidationError`` with a translatable message and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities import reminders
from activities.models import (
    Activity,
    ActivityKind,
    ActivityPhoto,
    ActivitySeries,
    Attendance,
    Channel,
    Consultation,
    ConsultationPhoto,
    Problem,
)
from activities.models.events import DEFAULT_ACTIVITY_KINDS, MAX_PHOTOS
from activities.photos import photos_save, validate_photo
from members import permissions
from members.models import Committee, Constituent, Council, Member, Platform, Sector, User

# --- kinds and series -------------------------------------------------------------------


def activity_kinds_ensure(*, council: Council) -> list[ActivityKind]:
    """Seed the council's editable list of kinds with the defaults the first time it is used;
    later the list is the staff's own (renamed, retired or added kinds stay as they are)."""
    with transaction.atomic():
        kinds = list(ActivityKind.objects.filter(council=council))
        if not kinds:
            ActivityKind.objects.bulk_create(
                [
                    ActivityKind(council=council, name=name, order=i)
                    for i, name in enumerate(DEFAULT_ACTIVITY_KINDS, start=1)
                ],
                ignore_conflicts=True,
            )
            kinds = list(ActivityKind.objects.filter(council=council))
        return kinds


def activity_series_get_or_create(*, council: Council, name: str, description: str = "") -> ActivitySeries:
    series, _created = ActivitySeries.objects.get_or_create(
        council=council, name=name, defaults={"description": description}
    )
    return series


# --- photos -----------------------------------------------------------------------------


def _check_photos(*, existing: int, photos: Sequence) -> None:
    """Every upload an image within the limit, and no more than MAX_PHOTOS in all."""
    if existing + len(photos) > MAX_PHOTOS:
        raise ValidationError(
            _("At most %(limit)d photos: there are %(existing)d already and %(new)d were added.")
            % {"limit": MAX_PHOTOS, "existing": existing, "new": len(photos)}
        )
    for upload in photos:
        validate_photo(upload)


# --- activities -------------------------------------------------------------------------


def _clean_activity(
    *,
    council: Council,
    kind: ActivityKind,
    channel: str,
    starts_at: datetime,
    ends_at: datetime | None,
    platform: Platform | None,
    committee: Committee | None,
    sectors: Iterable[Sector],
    series: ActivitySeries | None,
    state: str,
    constituents: Sequence[Constituent],
) -> None:
    errors = {}
    if kind.council_id != council.pk:
        errors["kind"] = _("Choose a kind of this council.")
    if channel not in Channel.values:
        errors["channel"] = _("Choose one of the five channels.")
    if state not in Activity.State.values:
        errors["state"] = _("Choose a valid state.")
    if ends_at is not None and ends_at < starts_at:
        errors["ends_at"] = _("The end cannot be before the start.")
    for field, obj in (("platform", platform), ("committee", committee), ("series", series)):
        if obj is not None and obj.council_id != council.pk:
            errors[field] = _("Choose one of this council.")
    if any(s.council_id != council.pk for s in sectors):
        errors["sectors"] = _("Choose sectors of this council.")
    if any(c.council_id != council.pk for c in constituents):
        errors["constituents"] = _("Choose constituents of this council.")
    if errors:
        raise ValidationError(errors)


def activity_create(
    *,
    council: Council,
    by: User | None,
    title: str,
    kind: ActivityKind,
    channel: str,
    starts_at: datetime,
    ends_at: datetime | None = None,
    place: str = "",
    platform: Platform | None = None,
    committee: Committee | None = None,
    sectors: Iterable[Sector] = (),
    series: ActivitySeries | None = None,
    state: str = Activity.State.PLANNED,
    constituents_reached: int = 0,
    constituents: Iterable[Constituent] = (),
    summary: str = "",
    photos: Sequence = (),
) -> Activity:
    sectors, constituents = list(sectors), list(constituents)
    _clean_activity(
        council=council, kind=kind, channel=channel, starts_at=starts_at, ends_at=ends_at,
        platform=platform, committee=committee, sectors=sectors, series=series, state=state,
        constituents=constituents,
    )
    # The named constituents are among those reached: the count is never below them.
    constituents_reached = max(constituents_reached, len(constituents))
    _check_photos(existing=0, photos=photos)
    with transaction.atomic():
        activity = Activity.objects.create(
            council=council, title=title, kind=kind, channel=channel, starts_at=starts_at,
            ends_at=ends_at, place=place, platform=platform, committee=committee, series=series,
            state=state, constituents_reached=constituents_reached, summary=summary,
            created_by=by,
        )
        activity.sectors.set(sectors)
        activity.constituents.set(constituents)
        photos_save(ActivityPhoto, photos, activity=activity)
    return activity


ACTIVITY_FIELDS = {
    "title", "kind", "channel", "starts_at", "ends_at", "place", "platform", "committee",
    "series", "state", "constituents_reached", "summary",
}


def activity_update(
    *,
    activity: Activity,
    by: User | None,
    sectors: Iterable[Sector] | None = None,
    constituents: Iterable[Constituent] | None = None,
    photos: Sequence = (),
    remove_photo_ids: Iterable[int] = (),
    **fields,
) -> Activity:
    """Change the given fields (any of ``ACTIVITY_FIELDS``), sectors, constituents and photos."""
    unknown = set(fields) - ACTIVITY_FIELDS
    if unknown:
        raise TypeError(f"unknown activity fields: {sorted(unknown)}")
    values = {name: fields.get(name, getattr(activity, name)) for name in ACTIVITY_FIELDS}
    sectors = list(sectors) if sectors is not None else list(activity.sectors.all())
    constituents = (
        list(constituents) if constituents is not None else list(activity.constituents.all())
    )
    _clean_activity(
        council=activity.council, kind=values["kind"], channel=values["channel"],
        starts_at=values["starts_at"], ends_at=values["ends_at"], platform=values["platform"],
        committee=values["committee"], sectors=sectors, series=values["series"],
        state=values["state"], constituents=constituents,
    )
    # The named constituents are among those reached: the count is never below them.
    values["constituents_reached"] = max(values["constituents_reached"], len(constituents))
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        remove_photo_ids = list(remove_photo_ids)
        removed = activity.photos.filter(pk__in=remove_photo_ids)
        _check_photos(existing=activity.photos.count() - removed.count(), photos=photos)
        for photo in removed:
            photo.delete()
        for name, value in values.items():
            setattr(activity, name, value)
        activity.save()
        activity.sectors.set(sectors)
        activity.constituents.set(constituents)
        photos_save(ActivityPhoto, photos, activity=activity)
    return activity


def activity_sign_up(*, activity: Activity, member: Member, now: datetime | None = None) -> Attendance:
    """报名: a member signs up for an upcoming, planned activity of their platforms or sector.
    Signing up twice changes nothing."""
    now = now or timezone.now()
    if not activity.is_upcoming(now):
        raise ValidationError(_("Only upcoming, planned activities take sign-ups."))
    if not Activity.objects.filter(pk=activity.pk).open_to(member).exists():
        raise ValidationError(
            _("This activity is for other platforms and sectors than yours.")
        )
    with transaction.atomic():
        attendance, _created = Attendance.objects.select_for_update().get_or_create(
            activity=activity, member=member, defaults={"signed_up_at": now}
        )
        if attendance.signed_up_at is None:
            attendance.signed_up_at = now
            attendance.save(update_fields=["signed_up_at"])
    return attendance


def activity_sign_up_cancel(*, activity: Activity, member: Member, now: datetime | None = None) -> None:
    """Withdraw a sign-up before the activity starts."""
    if not activity.is_upcoming(now):
        raise ValidationError(_("The activity has started: the sign-up can no longer be withdrawn."))
    with transaction.atomic():
        Attendance.objects.filter(activity=activity, member=member, attended=False).delete()


def activity_mark_attendance(
    *, activity: Activity, by: User, attended: Iterable[Member], today: date | None = None
) -> int:
    """签到 after the fact: exactly ``attended`` were there (walk-ins included: they need not
    have signed up). Returns how many attended."""
    attended = list(attended)
    if activity.state == Activity.State.CANCELLED:
        raise ValidationError(_("A cancelled activity has no attendance."))
    if not activity.has_started(today):
        raise ValidationError(_("Attendance can be marked from the day of the activity on."))
    if any(m.council_id != activity.council_id for m in attended):
        raise ValidationError(_("Choose members of this council."))
    now = timezone.now()
    ids = {m.pk for m in attended}
    with transaction.atomic():
        rows = {a.member_id: a for a in Attendance.objects.select_for_update().filter(activity=activity)}
        for member_id, row in rows.items():
            was = row.attended
            row.attended = member_id in ids
            if row.attended != was:
                row.attended_marked_at, row.marked_by = now, by
                row.save(update_fields=["attended", "attended_marked_at", "marked_by"])
        Attendance.objects.bulk_create(
            [
                Attendance(activity=activity, member_id=member_id, attended=True,
                           attended_marked_at=now, marked_by=by)
                for member_id in ids - set(rows)
            ]
        )
    return len(ids)


# --- consultations ----------------------------------------------------------------------


def _clean_consultation(
    *, council: Council, platform: Platform | None, members: Sequence[Member],
    sectors: Sequence[Sector] = (),
) -> None:
    errors = {}
    if platform is not None and platform.council_id != council.pk:
        errors["platform"] = _("Choose one of this council.")
    if any(m.council_id != council.pk for m in members):
        errors["members"] = _("Choose members of this council.")
    if any(s.council_id != council.pk for s in sectors):
        errors["sectors"] = _("Choose sectors of this council.")
    if errors:
        raise ValidationError(errors)


def consultation_create(
    *,
    council: Council,
    by: User | None,
    topic: str,
    held_on: date,
    platform: Platform | None = None,
    host: str = "",
    members: Iterable[Member] = (),
    sectors: Iterable[Sector] = (),
    officials_count: int = 0,
    officials_names: str = "",
    constituents_count: int = 0,
    constituents_names: str = "",
    minutes: str = "",
    photos: Sequence = (),
) -> Consultation:
    members, sectors = list(members), list(sectors)
    _clean_consultation(council=council, platform=platform, members=members, sectors=sectors)
    _check_photos(existing=0, photos=photos)
    with transaction.atomic():
        consultation = Consultation.objects.create(
            council=council, topic=topic, held_on=held_on, platform=platform, host=host,
            officials_count=officials_count, officials_names=officials_names,
            constituents_count=constituents_count, constituents_names=constituents_names,
            minutes=minutes, created_by=by,
        )
        consultation.members.set(members)
        consultation.sectors.set(sectors)
        photos_save(ConsultationPhoto, photos, consultation=consultation)
        # Must-visit rule 7 ("before a consultation"): reminders for the participating
        # members and the members of the sectors involved, enqueued on commit (the daily
        # sweep catches up if the broker is down).
        reminders.enqueue_for_consultation(consultation)
    return consultation


CONSULTATION_FIELDS = {
    "topic", "held_on", "platform", "host", "officials_count", "officials_names",
    "constituents_count", "constituents_names", "minutes",
}


def consultation_update(
    *,
    consultation: Consultation,
    by: User | None,
    members: Iterable[Member] | None = None,
    sectors: Iterable[Sector] | None = None,
    photos: Sequence = (),
    remove_photo_ids: Iterable[int] = (),
    **fields,
) -> Consultation:
    unknown = set(fields) - CONSULTATION_FIELDS
    if unknown:
        raise TypeError(f"unknown consultation fields: {sorted(unknown)}")
    members = list(members) if members is not None else list(consultation.members.all())
    sectors = list(sectors) if sectors is not None else list(consultation.sectors.all())
    _clean_consultation(
        council=consultation.council, platform=fields.get("platform", consultation.platform),
        members=members, sectors=sectors,
    )
    with transaction.atomic():
        consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
        removed = consultation.photos.filter(pk__in=list(remove_photo_ids))
        _check_photos(existing=consultation.photos.count() - removed.count(), photos=photos)
        for photo in removed:
            photo.delete()
        moved = "held_on" in fields and fields["held_on"] != consultation.held_on
        for name, value in fields.items():
            setattr(consultation, name, value)
        consultation.save()
        consultation.members.set(members)
        consultation.sectors.set(sectors)
        photos_save(ConsultationPhoto, photos, consultation=consultation)
        if moved:  # the open reminders follow the new date at once, not at the next sweep
            reminders.reminders_follow_consultation_date(consultation=consultation)
        # Members (or sectors) added since get their reminder now (idempotent by period key).
        reminders.enqueue_for_consultation(consultation)
    return consultation


# --- problems ---------------------------------------------------------------------------


def problem_create(
    *,
    consultation: Consultation,
    by: User | None,
    description: str,
    raised_by: str = "",
    responsible_unit: str = "",
) -> Problem:
    if not description.strip():
        raise ValidationError({"description": _("Describe the problem.")})
    with transaction.atomic():
        return Problem.objects.create(
            consultation=consultation, description=description.strip(), raised_by=raised_by,
            responsible_unit=responsible_unit,
        )


def problem_set_state(
    *,
    problem: Problem,
    by: User | None,
    state: str,
    resolution: str = "",
    resolved_on: date | None = None,
) -> Problem:
    """open → in progress → resolved / not solvable. Resolved needs how and when; not
    solvable needs why. Final states do not change again."""
    with transaction.atomic():
        problem = Problem.objects.select_for_update().get(pk=problem.pk)
        if not problem.can_become(state):
            raise ValidationError(
                _("A problem cannot go from “%(old)s” to “%(new)s”.")
                % {"old": problem.get_state_display(), "new": _state_label(state)}
            )
        resolution = resolution.strip()
        if state == Problem.State.RESOLVED:
            errors = {}
            if not resolution:
                errors["resolution"] = _("Say how the problem was resolved.")
            if resolved_on is None:
                errors["resolved_on"] = _("Give the date it was resolved.")
            elif resolved_on > timezone.localdate():
                errors["resolved_on"] = _("The date it was resolved cannot be in the future.")
            elif resolved_on < problem.consultation.held_on:
                errors["resolved_on"] = _("The date it was resolved cannot be before the consultation.")
            if errors:
                raise ValidationError(errors)
        if state == Problem.State.NOT_SOLVABLE and not resolution:
            raise ValidationError({"resolution": _("Say why the problem cannot be solved.")})
        problem.state = state
        if resolution:
            problem.resolution = resolution
        problem.resolved_on = resolved_on if state == Problem.State.RESOLVED else None
        problem.save()
    return problem


def _state_label(state: str) -> str:
    return str(dict(Problem.State.choices).get(state, state))


def _check_proposal(council_id: int, proposal, by: User) -> None:
    from proposals.models import Proposal

    if not Proposal.objects.visible_to(by).filter(pk=proposal.pk, council_id=council_id).exists():
        raise ValidationError(_("Choose a proposal of this council."))


def problem_to_proposal(*, problem: Problem, proposal, by: User) -> Problem:
    """Record that a problem became (or went into) an existing proposal."""
    permissions.require(permissions.is_staff(by))
    _check_proposal(problem.consultation.council_id, proposal, by)
    with transaction.atomic():
        problem.proposal = proposal
        problem.save(update_fields=["proposal", "updated_at"])
    return problem


def consultation_to_proposal(*, consultation: Consultation, proposal, by: User) -> Consultation:
    permissions.require(permissions.is_staff(by))
    _check_proposal(consultation.council_id, proposal, by)
    with transaction.atomic():
        consultation.proposal = proposal
        consultation.save(update_fields=["proposal"])
    return consultation

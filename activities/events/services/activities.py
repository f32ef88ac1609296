"""Writes for activities: the council's kinds and series, activities with their photos,
members' sign-ups and the attendance staff mark."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.common.photos import photos_save
from activities.contacts.models import Channel
from activities.events.models import (
    Activity,
    ActivityKind,
    ActivityPhoto,
    ActivitySeries,
    Attendance,
)
from activities.events.models.activities import DEFAULT_ACTIVITY_KINDS
from activities.events.services.photos import check_photos, photos_change
from activities.tags.services import link_tags_checked
from members.common.figures import figures_changed
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
    tags: Iterable = (),
) -> Activity:
    """``tags``: the "四联四助" tags the activity served, of the council."""
    sectors, constituents = list(sectors), list(constituents)
    _clean_activity(
        council=council, kind=kind, channel=channel, starts_at=starts_at, ends_at=ends_at,
        platform=platform, committee=committee, sectors=sectors, series=series, state=state,
        constituents=constituents,
    )
    tag_ids = link_tags_checked(tags, council_id=council.pk)
    # The named constituents are among those reached: the count is never below them.
    constituents_reached = max(constituents_reached, len(constituents))
    check_photos(existing=0, photos=photos)
    with transaction.atomic():
        activity = Activity.objects.create(
            council=council, title=title, kind=kind, channel=channel, starts_at=starts_at,
            ends_at=ends_at, place=place, platform=platform, committee=committee, series=series,
            state=state, constituents_reached=constituents_reached, summary=summary,
            created_by=by,
        )
        activity.sectors.set(sectors)
        activity.constituents.set(constituents)
        activity.tags.set(tag_ids)
        photos_save(ActivityPhoto, photos, activity=activity)
        figures_changed(council.pk)
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
    tags: Iterable | None = None,
    **fields,
) -> Activity:
    """Change the given fields (any of ``ACTIVITY_FIELDS``), sectors, constituents, photos
    and "四联四助" tags (None: kept)."""
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
    tag_ids = None if tags is None else link_tags_checked(tags, council_id=activity.council_id)
    # The named constituents are among those reached: the count is never below them.
    values["constituents_reached"] = max(values["constituents_reached"], len(constituents))
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        photos_change(activity, ActivityPhoto, add=photos, remove_ids=remove_photo_ids)
        for name, value in values.items():
            setattr(activity, name, value)
        activity.save()
        activity.sectors.set(sectors)
        activity.constituents.set(constituents)
        if tag_ids is not None:
            activity.tags.set(tag_ids)
        figures_changed(activity.council_id)
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

"""Activity services: creation with photos, cross-sector, sign-up and attendance rules."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from activities.events.models.activities import DEFAULT_ACTIVITY_KINDS
from activities.events.services import activities as services
from activities.models import Activity, ActivityKind, ActivityPhoto, Attendance, Channel
from tests.activities.events.event_helpers import (
    ActivityFactory,
    ActivityKindFactory,
    jpeg,
    text_as_jpeg,
)
from tests.factories import MemberFactory, PlatformFactory, SectorFactory

pytestmark = pytest.mark.django_db


def _create(council, staff, **kwargs):
    defaults = {
        "council": council, "by": staff, "title": "助农活动",
        "kind": ActivityKindFactory(council=council), "channel": Channel.RESEARCH,
        "starts_at": timezone.now() + timedelta(days=3),
    }
    return services.activity_create(**(defaults | kwargs))


def test_kinds_are_seeded_once_and_stay_the_staffs_own(council):
    kinds = services.activity_kinds_ensure(council=council)
    assert sorted(k.name for k in kinds) == sorted(DEFAULT_ACTIVITY_KINDS)
    ActivityKind.objects.filter(council=council, name="助农").update(name="助农增收")
    ActivityKind.objects.filter(council=council, name="图片展").update(active=False)
    services.activity_kinds_ensure(council=council)
    names = set(ActivityKind.objects.filter(council=council).values_list("name", flat=True))
    assert "助农增收" in names
    assert "助农" not in names
    assert len(names) == 12


def test_create_with_photos_makes_thumbnails(council, staff, sector, other_sector):
    activity = _create(council, staff, sectors=[sector, other_sector], photos=[jpeg(), jpeg("b.png")])
    photos = list(activity.photos.all())
    assert len(photos) == 2
    assert all(p.thumbnail.name.endswith(".jpg") for p in photos)
    assert all(p.image.name.startswith(f"activities/{activity.pk}/") for p in photos)
    assert activity.is_cross_sector


def test_cross_sector_queryset_counts_sectors(council, staff, sector, other_sector):
    both = _create(council, staff, sectors=[sector, other_sector])
    _create(council, staff, sectors=[sector])
    _create(council, staff)
    assert list(Activity.objects.cross_sector()) == [both]


@pytest.mark.parametrize("bad", ["text", "oversized", "too_many"])
def test_bad_uploads_write_nothing(council, staff, settings, bad):
    photos = {
        "text": [jpeg(), text_as_jpeg()],
        "oversized": [jpeg(size=(800, 800))],
        "too_many": [jpeg(f"p{i}.jpg") for i in range(21)],
    }[bad]
    if bad == "oversized":
        settings.PHOTO_MAX_BYTES = 1024
    with pytest.raises(ValidationError):
        _create(council, staff, photos=photos)
    assert Activity.objects.count() == 0
    assert ActivityPhoto.objects.count() == 0


def test_update_refuses_the_21st_photo(council, staff):
    activity = _create(council, staff, photos=[jpeg(f"p{i}.jpg") for i in range(20)])
    with pytest.raises(ValidationError, match="20"):
        services.activity_update(activity=activity, by=staff, title="改名", photos=[jpeg()])
    activity.refresh_from_db()
    assert activity.title == "助农活动"
    assert activity.photos.count() == 20
    # Removing one makes room for one.
    first = activity.photos.first()
    services.activity_update(activity=activity, by=staff, photos=[jpeg()], remove_photo_ids=[first.pk])
    assert activity.photos.count() == 20
    assert not activity.photos.filter(pk=first.pk).exists()


def test_create_refuses_another_councils_choices(council, other_council, staff):
    foreign = SectorFactory(council=other_council)
    with pytest.raises(ValidationError):
        _create(council, staff, sectors=[foreign])
    with pytest.raises(ValidationError):
        _create(council, staff, kind=ActivityKindFactory(council=other_council))
    assert Activity.objects.count() == 0


def test_end_before_start_is_refused(council, staff):
    start = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationError):
        _create(council, staff, starts_at=start, ends_at=start - timedelta(hours=1))


# --- sign-up -----------------------------------------------------------------------------


def test_member_signs_up_through_their_sector_once(council, member_a, sector):
    activity = ActivityFactory(council=council, sectors=[sector])
    first = services.activity_sign_up(activity=activity, member=member_a)
    again = services.activity_sign_up(activity=activity, member=member_a)
    assert first.pk == again.pk
    assert first.signed_up_at == again.signed_up_at
    assert Attendance.objects.count() == 1


def test_member_signs_up_through_their_platform(council, member_a):
    platform = PlatformFactory(council=council)
    platform.members.add(member_a)
    activity = ActivityFactory(council=council, platform=platform)
    services.activity_sign_up(activity=activity, member=member_a)
    assert Attendance.objects.filter(activity=activity, member=member_a).exists()


def test_sign_up_refused_outside_platforms_and_sectors(council, member_a, other_sector):
    activity = ActivityFactory(council=council, sectors=[other_sector])
    with pytest.raises(ValidationError):
        services.activity_sign_up(activity=activity, member=member_a)
    assert Attendance.objects.count() == 0


@pytest.mark.parametrize(
    ("state", "days"), [("planned", -1), ("held", -1), ("cancelled", 3), ("held", 3)]
)
def test_sign_up_only_for_upcoming_planned(council, member_a, sector, state, days):
    activity = ActivityFactory(
        council=council, sectors=[sector], state=state,
        starts_at=timezone.now() + timedelta(days=days),
    )
    with pytest.raises(ValidationError):
        services.activity_sign_up(activity=activity, member=member_a)
    assert Attendance.objects.count() == 0


def test_withdraw_before_start(council, member_a, sector):
    activity = ActivityFactory(council=council, sectors=[sector])
    services.activity_sign_up(activity=activity, member=member_a)
    services.activity_sign_up_cancel(activity=activity, member=member_a)
    assert Attendance.objects.count() == 0


# --- attendance --------------------------------------------------------------------------


def test_mark_attendance_with_walk_ins_and_corrections(council, staff, member_a, member_b, sector):
    activity = ActivityFactory(council=council, sectors=[sector])
    services.activity_sign_up(activity=activity, member=member_a)
    Activity.objects.filter(pk=activity.pk).update(starts_at=timezone.now() - timedelta(hours=2))
    activity.refresh_from_db()

    assert services.activity_mark_attendance(activity=activity, by=staff, attended=[member_b]) == 1
    rows = {a.member_id: a for a in Attendance.objects.filter(activity=activity)}
    assert rows[member_a.pk].attended is False  # signed up, did not come
    assert rows[member_a.pk].signed_up_at is not None
    assert rows[member_b.pk].attended is True  # a walk-in
    assert rows[member_b.pk].marked_by == staff

    services.activity_mark_attendance(activity=activity, by=staff, attended=[member_a, member_b])
    assert Attendance.objects.filter(activity=activity, attended=True).count() == 2


def test_attendance_not_before_the_day(council, staff, member_a):
    activity = ActivityFactory(council=council, starts_at=timezone.now() + timedelta(days=2))
    with pytest.raises(ValidationError):
        services.activity_mark_attendance(activity=activity, by=staff, attended=[member_a])
    assert Attendance.objects.count() == 0


def test_attendance_not_for_cancelled_or_other_council(council, staff, member_a, other_member):
    past = timezone.now() - timedelta(days=1)
    cancelled = ActivityFactory(council=council, starts_at=past, state=Activity.State.CANCELLED)
    with pytest.raises(ValidationError):
        services.activity_mark_attendance(activity=cancelled, by=staff, attended=[member_a])
    held = ActivityFactory(council=council, starts_at=past, state=Activity.State.HELD)
    with pytest.raises(ValidationError):
        services.activity_mark_attendance(activity=held, by=staff, attended=[other_member])
    assert Attendance.objects.count() == 0


def test_open_to_is_distinct(council, sector):
    member = MemberFactory(council=council, sector=sector)
    platform = PlatformFactory(council=council)
    platform.members.add(member)
    activity = ActivityFactory(council=council, platform=platform, sectors=[sector])
    assert list(Activity.objects.open_to(member)) == [activity]

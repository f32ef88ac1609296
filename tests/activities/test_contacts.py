"""Contact logs: the service (checks before writing, last-contact rollup) and the member's
pages (log form, history, detail) with their permission matrix and query budgets."""

import os
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from activities.models import Channel, ContactLog, ContactLogPhoto
from activities.services import contact_log_create
from members.models import Constituent
from tests.factories import ConstituentFactory, ContactLogFactory, PlatformFactory

pytestmark = pytest.mark.django_db


def png(name="photo.png", size=(40, 30), color=(200, 30, 30)) -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def log_for(member, people, **overrides):
    fields = {
        "by": member.user,
        "member": member,
        "constituents": people,
        "contacted_at": timezone.now() - timedelta(hours=1),
        "channel": Channel.FORUM,
        "mode": ContactLog.Mode.VISIT,
        "summary": "了解企业经营情况",
    }
    fields.update(overrides)
    return contact_log_create(**fields)


def nothing_written():
    assert ContactLog.objects.count() == 0
    assert ContactLogPhoto.objects.count() == 0
    assert not Constituent.objects.filter(last_contacted_at__isnull=False).exists()


# The service -----------------------------------------------------------------------------


def test_log_with_photos_links_people_and_makes_thumbnails(member_a):
    people = ConstituentFactory.create_batch(2, member=member_a)
    log = log_for(member_a, people, photos=[png("a.png"), png("b.png")], opinions="建议")

    assert set(log.constituents.all()) == set(people)
    assert log.council == member_a.council
    photos = list(log.photos.all())
    assert len(photos) == 2
    for photo in photos:
        assert photo.thumbnail.name.endswith(".jpg")
        with Image.open(photo.thumbnail.path) as thumb:
            assert thumb.format == "JPEG"


def test_refuses_another_members_constituent(member_a, member_b):
    mine = ConstituentFactory(member=member_a)
    theirs = ConstituentFactory(member=member_b)
    with pytest.raises(ValidationError) as caught:
        log_for(member_a, [mine, theirs])
    assert "constituents" in caught.value.message_dict
    nothing_written()


def test_refuses_a_log_by_another_member(member_a, member_b):
    mine = ConstituentFactory(member=member_a)
    with pytest.raises(PermissionDenied):
        log_for(member_a, [mine], by=member_b.user)
    nothing_written()


def test_staff_of_another_council_may_not_log(member_a, other_staff, staff):
    mine = ConstituentFactory(member=member_a)
    with pytest.raises(PermissionDenied):
        log_for(member_a, [mine], by=other_staff)
    log = log_for(member_a, [mine], by=staff)  # on the member's behalf
    assert log.member == member_a


def test_refuses_seven_photos(member_a):
    person = ConstituentFactory(member=member_a)
    with pytest.raises(ValidationError) as caught:
        log_for(member_a, [person], photos=[png(f"{n}.png") for n in range(7)])
    assert "photos" in caught.value.message_dict
    nothing_written()


def test_refuses_a_text_file_named_jpg(member_a):
    person = ConstituentFactory(member=member_a)
    fake = SimpleUploadedFile("holiday.jpg", b"not an image at all", content_type="image/jpeg")
    with pytest.raises(ValidationError) as caught:
        log_for(member_a, [person], photos=[png(), fake])
    assert "holiday.jpg" in caught.value.message_dict["photos"][0]
    nothing_written()


def test_refuses_an_oversized_photo(member_a, settings):
    settings.PHOTO_MAX_BYTES = 4 * 1024
    person = ConstituentFactory(member=member_a)
    # Random pixels do not compress: a real image well over the limit.
    noise = Image.frombytes("RGB", (64, 64), os.urandom(64 * 64 * 3))
    out = BytesIO()
    noise.save(out, format="PNG")
    big = SimpleUploadedFile("big.png", out.getvalue(), content_type="image/png")
    assert big.size > settings.PHOTO_MAX_BYTES
    with pytest.raises(ValidationError) as caught:
        log_for(member_a, [person], photos=[big])
    assert "big.png" in caught.value.message_dict["photos"][0]
    nothing_written()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"constituents": []}, "constituents"),
        ({"summary": "   "}, "summary"),
        ({"channel": "gossip"}, "channel"),
        ({"mode": ContactLog.Mode.PLATFORM}, "platform"),
        ({"difficulty": True, "difficulty_kind": ""}, "difficulty_kind"),
        ({"contacted_at": timezone.now() + timedelta(days=2)}, "contacted_at"),
    ],
)
def test_refuses_bad_input(member_a, overrides, field):
    person = ConstituentFactory(member=member_a)
    with pytest.raises(ValidationError) as caught:
        log_for(member_a, [person], **overrides)
    assert field in caught.value.message_dict
    nothing_written()


def test_refuses_a_platform_of_another_council(member_a, other_council):
    person = ConstituentFactory(member=member_a)
    elsewhere = PlatformFactory(council=other_council)
    with pytest.raises(ValidationError):
        log_for(member_a, [person], mode=ContactLog.Mode.PLATFORM, platform=elsewhere)
    nothing_written()


def test_last_contacted_equals_the_latest_log(member_a):
    """The rollup equals the raw aggregate, whatever order the logs arrive in."""
    people = ConstituentFactory.create_batch(3, member=member_a)
    now = timezone.now().replace(microsecond=0)
    log_for(member_a, people[:2], contacted_at=now - timedelta(days=3))
    log_for(member_a, people[1:], contacted_at=now - timedelta(days=1))
    log_for(member_a, people, contacted_at=now - timedelta(days=10))  # an old one, logged late

    raw = dict(
        Constituent.objects.filter(member=member_a)
        .annotate(latest=Max("contact_logs__contacted_at"))
        .values_list("pk", "latest")
    )
    stored = dict(Constituent.objects.filter(member=member_a).values_list("pk", "last_contacted_at"))
    assert stored == raw
    assert stored[people[0].pk] == now - timedelta(days=3)
    assert stored[people[2].pk] == now - timedelta(days=1)


def test_difficulty_kind_is_dropped_without_the_flag(member_a):
    person = ConstituentFactory(member=member_a)
    log = log_for(member_a, [person], difficulty=False, difficulty_kind="illness")
    assert log.difficulty_kind == ""

"""Contact logs: the service (checks before writing, last-contact rollup) and the member's
pages (log form, history, detail) with their permission matrix and query budgets."""

import os
import re
import struct
import zlib
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from activities.contacts.services import contact_log_create
from activities.models import Channel, ContactLog, ContactLogPhoto
from members.models import Constituent
from tests.activities.contacts.contact_helpers import offered_pks
from tests.factories import ConstituentFactory, ContactLogFactory, PlatformFactory

pytestmark = pytest.mark.django_db


def png(name="photo.png", size=(40, 30), color=(200, 30, 30)) -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def bomb(name="bomb.png", size=(20000, 20000)) -> SimpleUploadedFile:
    """A PNG whose header claims ``size`` pixels: a few hundred bytes on the wire, and
    gigabytes once decoded. Only the header is patched, so nothing big is ever made here."""
    out = BytesIO()
    Image.new("1", (8, 8)).save(out, format="PNG")
    data = bytearray(out.getvalue())
    ihdr = data[12:29]  # chunk type "IHDR" + 13 bytes of data
    ihdr[4:12] = struct.pack(">II", *size)
    data[12:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(ihdr)))
    return SimpleUploadedFile(name, bytes(data), content_type="image/png")


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
        assert photo.image.name.startswith(f"contact-logs/{log.pk}/")
        assert photo.thumbnail.name.startswith(f"contact-logs/{log.pk}/thumb-")
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


# The pages -------------------------------------------------------------------------------

PERSONAS = ["anonymous", "member_a", "member_b", "staff", "leader", "other_staff", "other_member",
            "security_admin", "audit_admin"]
# The form and my history are a member's own; a log's page is its member's and the council's.
MATRIX = {
    "activities:contactlog-create": {"member_a": 200, "member_b": 200, "staff": 403,
                                     "leader": 403, "other_staff": 403, "other_member": 200,
                                     "security_admin": 403, "audit_admin": 403},
    "activities:my-contactlogs": {"member_a": 200, "member_b": 200, "staff": 403, "leader": 403,
                                  "other_staff": 403, "other_member": 200,
                                  "security_admin": 403, "audit_admin": 403},
    "activities:contactlog-detail": {"member_a": 200, "member_b": 404, "staff": 200,
                                     "leader": 200, "other_staff": 404, "other_member": 404,
                                     "security_admin": 404, "audit_admin": 404},
}


@pytest.fixture
def log_a(member_a):
    return ContactLogFactory(member=member_a, summary="了解企业经营情况")


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_permission_matrix(request, client_for, log_a, persona, name):
    url = reverse(name, args=[log_a.pk]) if name.endswith("detail") else reverse(name)
    if persona == "anonymous":
        response = request.getfixturevalue("anonymous").get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        response = client_for(request.getfixturevalue(persona)).get(url)
        assert response.status_code == MATRIX[name][persona]


@pytest.mark.parametrize("persona", ["staff", "leader"])
def test_staff_read_a_log_without_actions(request, client_for, log_a, persona):
    html = client_for(request.getfixturevalue(persona)).get(log_a.get_absolute_url()).content
    assert "了解企业经营情况" in html.decode()
    assert reverse("activities:my-contactlogs") not in html.decode()


def form_data(people, **overrides):
    data = {
        "constituents": [p.pk for p in people],
        "contacted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "channel": Channel.RESEARCH,
        "mode": ContactLog.Mode.VISIT,
        "summary": "走访了解用工情况",
        "opinions": "建议简化审批",
    }
    data.update(overrides)
    return data


def test_member_logs_a_contact_with_a_photo(client_for, member_a):
    person = ConstituentFactory(member=member_a)
    response = client_for(member_a).post(
        reverse("activities:contactlog-create"), form_data([person], photos=[png()])
    )
    log = ContactLog.objects.get()
    assert response.status_code == 302
    assert response["Location"] == log.get_absolute_url()
    assert list(log.constituents.all()) == [person]
    assert log.photos.count() == 1
    person.refresh_from_db()
    assert person.last_contacted_at == log.contacted_at


def test_form_prefills_a_constituent_of_my_roster_only(client_for, member_a, member_b):
    mine = ConstituentFactory(member=member_a)
    theirs = ConstituentFactory(member=member_b, name="别人的群众")
    client = client_for(member_a)
    url = reverse("activities:contactlog-create")
    form = client.get(url, {"constituent": mine.pk}).context["form"]
    assert form["constituents"].value() == [mine.pk]
    html = client.get(url, {"constituent": mine.pk}).content.decode()
    assert re.search(rf'<input type="checkbox"[^>]*value="{mine.pk}"[^>]*checked>', html)
    assert html.count('name="constituents"') == 1
    html = client.get(url, {"constituent": theirs.pk}).content.decode()
    assert "别人的群众" not in html
    assert not re.search(r'name="constituents"[^>]*checked', html)
    assert client.get(url, {"constituent": "x"}).status_code == 200


# 400 MP: Pillow raises DecompressionBombError; 100 MP: Pillow only warns; 64 MP: Pillow is
# silent, the portal's own limit refuses it.
BOMB_SIZES = [(20000, 20000), (10000, 10000), (8000, 8000)]


@pytest.mark.parametrize("size", BOMB_SIZES)
def test_refuses_a_decompression_bomb(member_a, size):
    person = ConstituentFactory(member=member_a)
    with pytest.raises(ValidationError) as caught:
        log_for(member_a, [person], photos=[png(), bomb(size=size)])
    assert "bomb.png" in caught.value.message_dict["photos"][0]
    assert "像素过多" in caught.value.message_dict["photos"][0]  # too many pixels, in Chinese
    nothing_written()


@pytest.mark.parametrize("size", BOMB_SIZES)
def test_a_decompression_bomb_posted_to_the_form_is_refused(client_for, member_a, size):
    person = ConstituentFactory(member=member_a)
    response = client_for(member_a).post(
        reverse("activities:contactlog-create"), form_data([person], photos=[bomb(size=size)])
    )
    assert response.status_code == 200
    assert "bomb.png" in response.content.decode()
    assert response.context["form"].errors
    nothing_written()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"summary": ""}, "summary"),
        ({"difficulty": "on", "difficulty_kind": ""}, "difficulty_kind"),
        ({"mode": ContactLog.Mode.PLATFORM}, "platform"),
        ({"contacted_at": "昨天"}, "contacted_at"),
    ],
)
def test_bad_form_input_writes_nothing(client_for, member_a, overrides, field):
    person = ConstituentFactory(member=member_a)
    response = client_for(member_a).post(
        reverse("activities:contactlog-create"), form_data([person], **overrides)
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    nothing_written()


def test_posting_another_members_constituent_writes_nothing(client_for, member_a, member_b):
    theirs = ConstituentFactory(member=member_b)
    response = client_for(member_a).post(
        reverse("activities:contactlog-create"), form_data([theirs])
    )
    assert response.status_code == 200
    assert response.context["form"].errors["constituents"]
    nothing_written()


def test_seven_photos_and_a_fake_image_are_refused_by_the_form(client_for, member_a):
    person = ConstituentFactory(member=member_a)
    client = client_for(member_a)
    url = reverse("activities:contactlog-create")
    response = client.post(url, form_data([person], photos=[png(f"{n}.png") for n in range(7)]))
    assert response.context["form"].errors["photos"]
    fake = SimpleUploadedFile("x.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = client.post(url, form_data([person], photos=[fake]))
    assert "x.jpg" in str(response.context["form"].errors["photos"])
    nothing_written()


def test_history_shows_only_mine_with_thumbnails(client_for, member_a, member_b):
    person = ConstituentFactory(member=member_a)
    log_for(member_a, [person], summary="我的联系", photos=[png()])
    ContactLogFactory(member=member_b, summary="别人的联系")
    html = client_for(member_a).get(reverse("activities:my-contactlogs")).content.decode()
    assert "我的联系" in html
    assert "别人的联系" not in html
    assert "thumb-" in html  # the thumbnail's file name


@pytest.mark.parametrize("size", [2, 25])
def test_history_query_budget(client_for, member_a, django_assert_max_num_queries, size):
    for _ in range(size):
        ContactLogFactory(member=member_a, constituents=ConstituentFactory.create_batch(2, member=member_a))
    client = client_for(member_a)
    # session, user (with the member), count, page of logs (+member, platform), their
    # constituents, their photos
    with django_assert_max_num_queries(6):
        response = client.get(reverse("activities:my-contactlogs"))
    assert len(response.context["page"]) == min(size, 20)


@pytest.mark.parametrize("photos", [1, 6])
def test_detail_query_budget(client_for, member_a, staff, django_assert_max_num_queries, photos):
    people = ConstituentFactory.create_batch(photos, member=member_a)
    log = log_for(member_a, people, photos=[png(f"{n}.png") for n in range(photos)])
    for user in (member_a, staff):
        client = client_for(user)
        # session, user, (member), log (+member, platform), constituents, photos
        with django_assert_max_num_queries(7):
            response = client.get(log.get_absolute_url())
        assert response.content.decode().count('class="thumb"') == photos


@pytest.mark.parametrize("size", [2, 20])
def test_form_query_budget(client_for, member_a, django_assert_max_num_queries, size):
    ConstituentFactory.create_batch(size, member=member_a)
    PlatformFactory.create_batch(3, council=member_a.council)
    client = client_for(member_a)
    # session, user (with the member), roster, the lists (platforms, tags, my proposals,
    # my consultations: one statement)
    with django_assert_max_num_queries(4):
        client.get(reverse("activities:contactlog-create"))


def test_a_city_member_is_offered_only_their_councils_platforms(client, council):
    """A city member reaches the districts below, but logs contacts at the city's own
    platforms (the service refuses any other): the form offers those, not every district's."""
    from members.models import Council, User
    from tests.factories import CouncilFactory, MemberFactory, UserFactory

    city = CouncilFactory(name="七台河市政协", level=Council.Level.CITY)
    Council.objects.filter(pk=council.pk).update(parent=city)
    own = PlatformFactory(council=city, name="市委员工作室")
    below = PlatformFactory(council=council, name="区联络站")
    user = UserFactory(username="city-member", role=User.Role.MEMBER, council=city)
    MemberFactory(user=user, council=city)
    client.force_login(user)
    response = client.get(reverse("activities:contactlog-create"))
    offered = offered_pks(response.context["form"].fields["platform"])
    assert own.pk in offered
    assert below.pk not in offered


def test_the_saved_message_names_the_must_visits_the_contact_closed(client_for, member_a, council):
    from activities.models import TriggerType
    from activities.reminders.services.sweep import reminders_sweep
    from tests.activities.reminders.reminder_helpers import only_rule

    rule = only_rule(council, TriggerType.FIRST_VISIT)
    person = ConstituentFactory(member=member_a, name="王秀兰")
    reminders_sweep(today=timezone.localdate())
    client = client_for(member_a)
    response = client.post(reverse("activities:contactlog-create"), form_data([person]),
                           follow=True)
    said = [str(m) for m in response.context["messages"]]
    assert said == [f"已记录联系，并完成必访：{rule.name}（王秀兰）。"]

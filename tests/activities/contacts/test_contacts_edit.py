"""Editing a contact log: the service (same checks as logging, derived data kept right in the
same transaction) and the edit page (permission matrix, prefilled form, bad input, budget)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from activities.contacts.services import MAX_CONTACT_PHOTOS, contact_log_update
from activities.models import Channel, ContactLog, ContactLogPhoto, Reminder
from activities.reminders.services.rules import rules_install_defaults
from activities.reminders.services.sweep import reminders_sweep
from tests.activities.contacts.test_contacts import bomb, form_data, log_for, png
from tests.activities.reminders.reminder_helpers import TODAY
from tests.factories import ConstituentFactory, PlatformFactory

pytestmark = pytest.mark.django_db


def snapshot(log):
    """What an edit may change, as stored."""
    log = ContactLog.objects.get(pk=log.pk)
    return (
        log.contacted_at, log.channel, log.mode, log.platform_id, log.summary, log.opinions,
        log.difficulty, log.difficulty_kind,
        sorted(log.constituents.values_list("pk", flat=True)),
        sorted(log.photos.values_list("pk", flat=True)),
    )


def last_contacts(*people):
    return [type(p).objects.get(pk=p.pk).last_contacted_at for p in people]


# The service -----------------------------------------------------------------------------


def test_edit_changes_the_fields_and_keeps_the_rest(member_a):
    person = ConstituentFactory(member=member_a)
    log = log_for(member_a, [person], opinions="建议")
    contact_log_update(by=member_a.user, log=log, summary=" 改过的内容 ", channel=Channel.CLINIC)
    log = ContactLog.objects.get(pk=log.pk)
    assert (log.summary, log.channel, log.opinions) == ("改过的内容", Channel.CLINIC, "建议")
    assert list(log.constituents.all()) == [person]


def test_last_contact_follows_people_removed_added_and_the_date(member_a):
    earlier = timezone.now() - timedelta(days=10)
    kept, removed, added = ConstituentFactory.create_batch(3, member=member_a)
    old = log_for(member_a, [removed], contacted_at=earlier)
    log = log_for(member_a, [kept, removed])
    assert last_contacts(kept, removed, added) == [log.contacted_at, log.contacted_at, None]

    contact_log_update(by=member_a.user, log=log, constituents=[kept, added])
    # The removed person's last contact falls back to their remaining log.
    assert last_contacts(kept, removed, added) == [log.contacted_at, old.contacted_at, log.contacted_at]

    much_earlier = timezone.now() - timedelta(days=30)
    contact_log_update(by=member_a.user, log=log, contacted_at=much_earlier)
    assert last_contacts(kept, removed, added) == [much_earlier, old.contacted_at, much_earlier]

    contact_log_update(by=member_a.user, log=log, constituents=[removed])
    assert last_contacts(kept, removed, added) == [None, old.contacted_at, None]


def test_photos_added_and_removed_up_to_six(member_a, django_capture_on_commit_callbacks):
    person = ConstituentFactory(member=member_a)
    log = log_for(member_a, [person], photos=[png(f"{n}.png") for n in range(4)])
    first, second = log.photos.all()[:2]
    with pytest.raises(ValidationError) as caught:
        contact_log_update(by=member_a.user, log=log, photos=[png("x.png"), png("y.png"), png("z.png")])
    assert "photos" in caught.value.message_dict
    with django_capture_on_commit_callbacks(execute=True):
        contact_log_update(by=member_a.user, log=log, remove_photos=[first, second.pk],
                           photos=[png(f"new{n}.png") for n in range(4)])
    assert log.photos.count() == MAX_CONTACT_PHOTOS
    assert not first.image.storage.exists(first.image.name)  # the file goes after the commit


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"summary": "  "}, "summary"),
        ({"contacted_at": timezone.now() + timedelta(days=1)}, "contacted_at"),
        ({"channel": "dance"}, "channel"),
        ({"mode": ContactLog.Mode.PLATFORM, "platform": None}, "platform"),
        ({"difficulty": True, "difficulty_kind": ""}, "difficulty_kind"),
        ({"constituents": []}, "constituents"),
        ({"photos": [bomb()]}, "photos"),
    ],
)
def test_bad_input_leaves_the_log_unchanged(member_a, overrides, field):
    person = ConstituentFactory(member=member_a)
    log = log_for(member_a, [person], photos=[png()])
    before = snapshot(log), last_contacts(person)
    with pytest.raises(ValidationError) as caught:
        contact_log_update(by=member_a.user, log=log, **{"summary": "新内容", **overrides})
    assert field in caught.value.message_dict
    assert (snapshot(log), last_contacts(person)) == before


def test_another_members_constituent_or_photo_is_refused(member_a, member_b):
    mine = ConstituentFactory(member=member_a)
    theirs = ConstituentFactory(member=member_b)
    log = log_for(member_a, [mine])
    other_log = log_for(member_b, [theirs], photos=[png()])
    before = snapshot(log)
    with pytest.raises(ValidationError):
        contact_log_update(by=member_a.user, log=log, constituents=[mine, theirs])
    with pytest.raises(ValidationError) as caught:
        contact_log_update(by=member_a.user, log=log, remove_photos=[other_log.photos.get()])
    assert "remove_photos" in caught.value.message_dict
    assert snapshot(log) == before
    assert other_log.photos.count() == 1


@pytest.mark.parametrize("persona", ["member_b", "leader", "other_staff", "other_member"])
def test_only_the_member_and_their_staff_may_edit(request, member_a, persona):
    log = log_for(member_a, [ConstituentFactory(member=member_a)])
    before = snapshot(log)
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        contact_log_update(by=getattr(user, "user", user), log=log, summary="改")
    assert snapshot(log) == before


def test_staff_edit_on_the_members_behalf(member_a, staff):
    log = log_for(member_a, [ConstituentFactory(member=member_a)])
    contact_log_update(by=staff, log=log, summary="工作人员更正")
    assert ContactLog.objects.get(pk=log.pk).summary == "工作人员更正"


def test_an_edit_does_not_reopen_the_reminders_its_log_closed(council, member_a):
    rules_install_defaults(council=council)
    person, other = ConstituentFactory.create_batch(2, member=member_a)
    reminders_sweep(today=TODAY)
    log = log_for(member_a, [person])
    first = Reminder.objects.get(constituent=person, rule__trigger_type="first_visit")
    assert first.state == "done"
    # The person is edited away: their first visit stays done. The one added is now visited.
    contact_log_update(by=member_a.user, log=log, constituents=[other])
    first.refresh_from_db()
    assert first.state == "done"
    assert Reminder.objects.get(constituent=other, rule__trigger_type="first_visit").state == "done"


# The edit page ---------------------------------------------------------------------------

PERSONAS = ["member_a", "member_b", "staff", "leader", "other_staff", "other_member"]
EXPECTED = {"member_a": 200, "member_b": 404, "staff": 200, "leader": 403,
            "other_staff": 404, "other_member": 404}


@pytest.fixture
def log_a(member_a):
    return log_for(member_a, ConstituentFactory.create_batch(2, member=member_a),
                   summary="了解企业经营情况", photos=[png()])


@pytest.mark.parametrize("persona", PERSONAS)
def test_edit_permission_matrix(request, client_for, log_a, persona):
    url = reverse("activities:contactlog-edit", args=[log_a.pk])
    client = client_for(request.getfixturevalue(persona))
    before = snapshot(log_a)
    assert client.get(url).status_code == EXPECTED[persona]
    response = client.post(url, form_data(list(log_a.constituents.all()), summary="改"))
    assert response.status_code == (302 if EXPECTED[persona] == 200 else EXPECTED[persona])
    if EXPECTED[persona] != 200:
        assert snapshot(log_a) == before


def test_anonymous_goes_to_login(anonymous, log_a):
    response = anonymous.get(reverse("activities:contactlog-edit", args=[log_a.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("persona", "shown"), [("member_a", True), ("staff", True), ("leader", False)])
def test_detail_page_links_to_the_edit_page(request, client_for, log_a, persona, shown):
    html = client_for(request.getfixturevalue(persona)).get(log_a.get_absolute_url()).content.decode()
    assert (reverse("activities:contactlog-edit", args=[log_a.pk]) in html) is shown


def test_edit_page_is_prefilled(client_for, member_a, log_a):
    response = client_for(member_a).get(reverse("activities:contactlog-edit", args=[log_a.pk]))
    form = response.context["form"]
    assert form["summary"].value() == "了解企业经营情况"
    assert sorted(form["constituents"].value()) == sorted(c.pk for c in log_a.constituents.all())
    assert form["channel"].value() == log_a.channel
    html = response.content.decode()
    assert "了解企业经营情况" in html
    assert 'data-testid="remove-photos"' in html


def test_member_edits_a_log_through_the_page(client_for, member_a, log_a):
    person = ConstituentFactory(member=member_a, name="新加的人")
    studio = PlatformFactory(council=member_a.council)
    photo = log_a.photos.get()
    response = client_for(member_a).post(
        reverse("activities:contactlog-edit", args=[log_a.pk]),
        form_data([person], summary="改过的内容", mode=ContactLog.Mode.PLATFORM,
                  platform=studio.pk, remove_photos=[photo.pk], photos=[png("n.png")]),
    )
    assert response.status_code == 302
    assert response["Location"] == log_a.get_absolute_url()
    log = ContactLog.objects.get(pk=log_a.pk)
    assert (log.summary, log.platform_id) == ("改过的内容", studio.pk)
    assert list(log.constituents.all()) == [person]
    assert list(log.photos.values_list("pk", flat=True)) != [photo.pk]
    assert log.photos.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"summary": ""}, "summary"),
        ({"difficulty": "on", "difficulty_kind": ""}, "difficulty_kind"),
        ({"contacted_at": "昨天"}, "contacted_at"),
        ({"photos": [png(f"{n}.png") for n in range(6)]}, "photos"),  # 1 kept + 6 new
    ],
)
def test_bad_page_input_leaves_the_log_unchanged(client_for, member_a, log_a, overrides, field):
    before = snapshot(log_a)
    response = client_for(member_a).post(
        reverse("activities:contactlog-edit", args=[log_a.pk]),
        form_data(list(log_a.constituents.all()), **{"summary": "新内容", **overrides}),
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert snapshot(log_a) == before
    assert ContactLogPhoto.objects.count() == 1


def test_a_bomb_posted_to_the_edit_page_is_refused(client_for, member_a, log_a):
    before = snapshot(log_a)
    response = client_for(member_a).post(
        reverse("activities:contactlog-edit", args=[log_a.pk]),
        form_data(list(log_a.constituents.all()), photos=[bomb()]),
    )
    assert response.status_code == 200
    assert "bomb.png" in response.content.decode()
    assert snapshot(log_a) == before


@pytest.mark.parametrize("size", [2, 20])
def test_edit_page_query_budget(client_for, member_a, staff, django_assert_max_num_queries, size):
    people = ConstituentFactory.create_batch(size, member=member_a)
    PlatformFactory.create_batch(size, council=member_a.council)
    log = log_for(member_a, people, photos=[png(f"{n}.png") for n in range(min(size, 6))])
    url = reverse("activities:contactlog-edit", args=[log.pk])
    for user in (member_a, staff):
        client = client_for(user)
        # session, user, (member), log (+member, platform), its constituents, its photos,
        # council (platform scope), roster exists, roster, platforms,
        # photos to remove (choices), proposals, consultations
        with django_assert_max_num_queries(13):
            response = client.get(url)
        assert response.status_code == 200

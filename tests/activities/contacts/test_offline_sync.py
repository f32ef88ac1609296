"""Contacts a member logged without a signal, sent by the device when it is back online
(``activities:contactlog-sync``): stored once per device key whatever the retries, refused
with reasons the device can show, only as the logged-in member, at the contact's own time."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.contacts.forms import OFFLINE_MAX_AGE_DAYS
from activities.contacts.services import contact_log_create_once
from activities.models import Channel, ContactLog, ContactLogKey, ContactLogPhoto, Reminder
from members.services import constituent_move
from tests.activities.contacts.test_contacts import png
from tests.factories import ConstituentFactory

pytestmark = pytest.mark.django_db

URL = reverse("activities:contactlog-sync")


def queued(people, *, key=None, owner=None, contacted_at=None, **overrides):
    """What the device posts for a queued contact (static/js/pwa-queue.js)."""
    when = contacted_at or timezone.localtime() - timedelta(hours=3)
    data = {
        "key": str(key or uuid.uuid4()),
        "constituents": [p.pk for p in people],
        "contacted_at": timezone.localtime(when).strftime("%Y-%m-%dT%H:%M"),
        "channel": Channel.RESEARCH,
        "mode": ContactLog.Mode.VISIT,
        "summary": "村里走访，了解春耕用工",
        "opinions": "希望增加农机补贴",
    }
    if owner is not None:
        data["owner"] = str(owner)
    data.update(overrides)
    return data


def test_get_says_who_is_logged_in_with_a_csrf_token(client_for, member_a):
    answer = client_for(member_a).get(URL).json()
    assert answer["user"] == member_a.user.pk
    assert len(answer["csrf"]) >= 32


def test_a_queued_contact_is_stored_at_its_own_time_with_its_photos(client_for, member_a):
    person = ConstituentFactory(member=member_a)
    when = (timezone.localtime() - timedelta(days=2)).replace(second=0, microsecond=0)
    data = queued([person], contacted_at=when, owner=member_a.user.pk,
                  photos=[png("a.png"), png("b.png")])
    response = client_for(member_a).post(URL, data)

    assert response.status_code == 201
    log = ContactLog.objects.get()
    assert response.json() == {"status": "created", "id": log.pk, "url": log.get_absolute_url()}
    assert log.contacted_at == when  # when it happened, not when it arrived
    assert log.member == member_a
    assert log.photos.count() == 2
    assert ContactLogKey.objects.get().contact_log == log
    person.refresh_from_db()
    assert person.last_contacted_at == when


def test_the_same_key_sent_again_stores_nothing_more(client_for, member_a):
    """A retry after a lost answer: the first log is the answer, no second one is made."""
    person = ConstituentFactory(member=member_a)
    data = queued([person], photos=[png()])
    client = client_for(member_a)
    first = client.post(URL, data)
    again = client.post(URL, queued([person], key=data["key"], photos=[png()]))

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["status"] == "duplicate"
    assert again.json()["id"] == first.json()["id"]
    assert ContactLog.objects.count() == 1
    assert ContactLogPhoto.objects.count() == 1
    assert ContactLogKey.objects.count() == 1


def test_a_retry_after_a_person_left_the_roster_answers_the_stored_log(client_for, member_a,
                                                                       member_b, staff):
    """Stored, answer lost, then the person moved to another member: the retry is told it is
    stored (not refused, which would have the device show a stored contact as refused)."""
    person = ConstituentFactory(member=member_a)
    client = client_for(member_a)
    data = queued([person])
    first = client.post(URL, data)
    constituent_move(constituent=person, by=staff, member=member_b)
    again = client.post(URL, data)
    assert again.status_code == 200
    assert again.json() == {**first.json(), "status": "duplicate"}
    assert ContactLog.objects.count() == 1


def test_keys_are_per_member(client_for, member_a, member_b):
    """Another member's device that happened on the same key still stores its own contact."""
    key = uuid.uuid4()
    client_for(member_a).post(URL, queued([ConstituentFactory(member=member_a)], key=key))
    response = client_for(member_b).post(URL, queued([ConstituentFactory(member=member_b)], key=key))
    assert response.status_code == 201
    assert ContactLog.objects.filter(member=member_b).count() == 1


def test_a_claim_that_lost_the_race_answers_the_stored_log(member_a):
    """The service's own guard: the key is already claimed (by a request that committed while
    this one was checking) — the stored log is the answer and nothing else is written."""
    person = ConstituentFactory(member=member_a)
    key = uuid.uuid4()
    fields = {
        "constituents": [person], "contacted_at": timezone.now() - timedelta(hours=1),
        "channel": Channel.FORUM, "mode": ContactLog.Mode.PHONE, "summary": "电话回访",
    }
    log, created = contact_log_create_once(key=key, by=member_a.user, member=member_a, **fields)
    again, created_again = contact_log_create_once(
        key=key, by=member_a.user, member=member_a, **fields
    )
    assert (created, created_again) == (True, False)
    assert again == log
    assert ContactLog.objects.count() == 1


def test_a_refused_contact_leaves_its_key_free_to_retry(client_for, member_a):
    person = ConstituentFactory(member=member_a)
    client = client_for(member_a)
    data = queued([person], summary="  ")
    assert client.post(URL, data).status_code == 422
    assert not ContactLogKey.objects.exists()
    assert client.post(URL, queued([person], key=data["key"])).status_code == 201


def test_a_constituent_moved_to_another_member_is_refused_with_the_reason(
    client_for, member_a, member_b, staff
):
    stays, moves = ConstituentFactory(member=member_a), ConstituentFactory(member=member_a)
    constituent_move(constituent=moves, by=staff, member=member_b)  # meanwhile, online
    response = client_for(member_a).post(URL, queued([stays, moves]))

    assert response.status_code == 422
    answer = response.json()
    assert answer["status"] == "refused"
    assert answer["refused_constituents"] == [moves.pk]
    assert answer["reasons"] == [{
        "field": "联系对象",
        "message": "所选的人中有人已不在您的联系名单中（已转给其他委员或已移除）。",
    }]
    assert not ContactLog.objects.exists()


@pytest.mark.parametrize(("when", "message"), [
    (timedelta(hours=2), "联系时间不能晚于现在。"),
    (-timedelta(days=OFFLINE_MAX_AGE_DAYS + 1), f"这次联系已超过{OFFLINE_MAX_AGE_DAYS}天"),
])
def test_contacted_at_is_neither_in_the_future_nor_absurdly_old(client_for, member_a, when, message):
    person = ConstituentFactory(member=member_a)
    response = client_for(member_a).post(URL, queued([person], contacted_at=timezone.now() + when))
    assert response.status_code == 422
    assert message in response.json()["reasons"][0]["message"]
    assert not ContactLog.objects.exists()


def test_a_contact_a_few_weeks_old_is_still_taken(client_for, member_a):
    person = ConstituentFactory(member=member_a)
    when = timezone.now() - timedelta(days=OFFLINE_MAX_AGE_DAYS - 1)
    assert client_for(member_a).post(URL, queued([person], contacted_at=when)).status_code == 201


def test_a_member_cannot_log_for_another_members_constituent(client_for, member_a, member_b,
                                                             other_member):
    """The endpoint acts as the logged-in member only: another's constituent is not on the
    roster it checks, whoever is named as the owner."""
    theirs = ConstituentFactory(member=member_b)
    outsider = ConstituentFactory(member=other_member)
    for person in (theirs, outsider):
        response = client_for(member_a).post(URL, queued([person]))
        assert response.status_code == 422
        assert response.json()["refused_constituents"] == [person.pk]
    assert not ContactLog.objects.exists()


def test_a_contact_queued_by_another_login_is_not_taken(client_for, member_a, member_b):
    """The device sends only its logged-in user's contacts; the portal checks it again."""
    person = ConstituentFactory(member=member_a)
    response = client_for(member_a).post(URL, queued([person], owner=member_b.user.pk))
    assert response.status_code == 403
    assert response.json() == {"status": "wrong_user"}
    assert not ContactLog.objects.exists()


@pytest.mark.parametrize("persona", ["anonymous", "staff", "leader", "other_staff"])
def test_only_members_send(request, client_for, member_a, persona):
    person = ConstituentFactory(member=member_a)
    client = request.getfixturevalue("client") if persona == "anonymous" else client_for(
        request.getfixturevalue(persona)
    )
    expected = 401 if persona == "anonymous" else 403
    assert client.get(URL).status_code == expected
    assert client.post(URL, queued([person])).status_code == expected
    assert not ContactLog.objects.exists()


def test_a_missing_or_bad_key_is_refused(client_for, member_a):
    person = ConstituentFactory(member=member_a)
    response = client_for(member_a).post(URL, queued([person], key="not-a-uuid"))
    assert response.status_code == 422
    assert not ContactLog.objects.exists()


@pytest.mark.parametrize("photos", [0, 6])
def test_query_budget(client_for, member_a, django_assert_max_num_queries, photos):
    """Constant in the photos and the roster's size."""
    ConstituentFactory.create_batch(20, member=member_a)
    people = ConstituentFactory.create_batch(3, member=member_a)
    client = client_for(member_a)
    client.get(URL)  # the session, warm
    data = queued(people, photos=[png(f"{n}.png") for n in range(photos)])
    # session, user+member; the roster's ticked people; the key looked up; savepoint, the key,
    # savepoint; the member's roster count; log; links; tags (none); photos (one INSERT each
    # and no more); last contact; daily counts and tallies (upserts); reminders closed; the
    # key's log; savepoint released.
    with django_assert_max_num_queries(26 + photos):
        assert client.post(URL, data).status_code == 201


def test_a_duplicate_costs_a_few_queries(client_for, member_a, django_assert_max_num_queries):
    person = ConstituentFactory(member=member_a)
    client = client_for(member_a)
    data = queued([person])
    client.post(URL, data)
    with django_assert_max_num_queries(3):  # session, user+member, the key and its log
        assert client.post(URL, data).json()["status"] == "duplicate"


def test_a_must_visit_closes_on_time_by_the_contacts_time(client_for, council, member_a):
    """A must-visit due yesterday, marked overdue meanwhile, closed by a contact made the day
    before yesterday and sent today: done on time, done when the contact happened."""
    from activities.models import TriggerType
    from activities.reminders.services.sweep import reminders_sweep
    from tests.activities.reminders.reminder_helpers import only_rule

    only_rule(council, TriggerType.FIRST_VISIT)
    early, late = ConstituentFactory(member=member_a), ConstituentFactory(member=member_a)
    reminders_sweep(today=timezone.localdate())
    yesterday = timezone.localdate() - timedelta(days=1)
    Reminder.objects.update(due_on=yesterday, state=Reminder.State.OVERDUE)
    before_due = timezone.localtime() - timedelta(days=2)
    client = client_for(member_a)

    assert client.post(URL, queued([early], contacted_at=before_due)).status_code == 201
    # Sent now, of now (the default, three hours ago, is yesterday in a day's first hours).
    assert client.post(URL, queued([late], contacted_at=timezone.localtime())).status_code == 201

    done = {r.constituent_id: r for r in Reminder.objects.all()}
    assert done[early.pk].state == Reminder.State.DONE
    assert done[early.pk].on_time is True
    assert done[early.pk].done_at == before_due.replace(second=0, microsecond=0)
    assert done[late.pk].state == Reminder.State.DONE
    assert done[late.pk].on_time is False


def test_pages_name_the_worker_and_the_owner_for_members_only(client_for, member_a, staff):
    html = client_for(member_a).get(reverse("members:member-home")).content.decode()
    assert f'data-pwa-user="{member_a.user.pk}"' in html
    assert 'rel="manifest"' in html
    assert 'data-testid="offline-queue"' in html
    staff_html = client_for(staff).get(reverse("members:staff-home")).content.decode()
    assert "data-pwa-user" not in staff_html
    assert f'data-user="{staff.pk}"' in staff_html  # its logout clears the device too


def test_queries_do_not_grow_with_what_was_sent_before(client_for, member_a):
    person = ConstituentFactory(member=member_a)
    client = client_for(member_a)
    client.post(URL, queued([person]))
    with CaptureQueriesContext(connection) as few:
        client.post(URL, queued([person]))
    for _ in range(5):
        client.post(URL, queued([person]))
    with CaptureQueriesContext(connection) as many:
        client.post(URL, queued([person]))
    assert len(many) == len(few)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_contact_sent_four_times_at_once_is_stored_once(member_a):
    """Four tabs (or a tab and the worker) sending one queued contact at the same moment: the
    key's unique index makes three wait for the first and answer its log."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent transactions")
    person = ConstituentFactory(member=member_a)
    key = uuid.uuid4()
    fields = {
        "constituents": [person.pk], "contacted_at": timezone.now() - timedelta(hours=1),
        "channel": Channel.FORUM, "mode": ContactLog.Mode.VISIT, "summary": "同时发送",
    }
    answers, errors = [], []
    go = threading.Barrier(4)

    def send():
        try:
            go.wait()
            log, created = contact_log_create_once(key=key, by=member_a.user, member=member_a,
                                                   **fields)
            answers.append((log.pk, created))
        except Exception as error:  # reported below, in the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    log = ContactLog.objects.get()
    assert sorted(answers) == [(log.pk, False)] * 3 + [(log.pk, True)]
    assert ContactLogKey.objects.count() == 1
    person.refresh_from_db()
    assert person.last_contacted_at == log.contacted_at

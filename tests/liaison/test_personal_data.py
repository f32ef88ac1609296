"""A constituent's personal data on request (个人信息保护, GB/T 22239-2019 8.1.4.11): staff of
the person's council export their record and contacts, and erase them; the statistics stay
right, both acts are audited, bad input changes nothing, outsiders get nothing."""

import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from activities.contacts.services import contact_log_create
from activities.models import Channel, ContactLog, MustVisitRule, Reminder
from liaison.personal_data import ERASED_NAME
from members.models import AuditEntry, Constituent, Member
from tests.activities.events.event_helpers import ActivityFactory
from tests.factories import ConstituentFactory
from tests.members.test_rollups import assert_rollups_equal_the_rows

NUMBER = "13812345678"


def page(pk):
    return reverse("privacy:constituent-data", args=[pk])


def export(pk):
    return reverse("privacy:constituent-data-export", args=[pk])


def erase(pk):
    return reverse("privacy:constituent-erase", args=[pk])


@pytest.fixture
def person(member_a, member_b):
    """王小红 on member_a's roster, contacted twice (once with an opinion and a difficulty,
    once together with someone else), named at an activity, with an open reminder."""
    person = ConstituentFactory(member=member_a, name="王小红", phone=NUMBER, unit="兴安医院",
                                notes="=HYPERLINK(\"http://x\")", community="兴安社区")
    other = ConstituentFactory(member=member_a, name="李大明")
    now = date.today()
    contact_log_create(
        by=member_a.user, member=member_a, constituents=[person], channel=Channel.FORUM,
        contacted_at=_moment(now - timedelta(days=3)), mode=ContactLog.Mode.VISIT,
        summary="看望王小红，了解看病难", opinions="王小红建议增加社区医生",
        difficulty=True, difficulty_kind=ContactLog.Difficulty.ILLNESS,
    )
    contact_log_create(
        by=member_a.user, member=member_a, constituents=[person, other], channel=Channel.FORUM,
        contacted_at=_moment(now - timedelta(days=1)), mode=ContactLog.Mode.VISIT,
        summary="座谈", opinions="",
    )
    ActivityFactory(council=member_a.council).constituents.add(person)
    Reminder.objects.create(
        council=person.council, rule=MustVisitRule.objects.filter(council=person.council).first(),
        member=member_a, constituent=person, period_key="erase-test", trigger_on=now,
        due_on=now + timedelta(days=7),
    )
    person.refresh_from_db()
    return person


def _moment(day):
    from datetime import datetime, time

    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, time(10)))


# ---------------------------------------------------------------- who


@pytest.mark.parametrize(("who", "status"), [
    ("staff", 200), ("admin", 200), ("leader", 403), ("member_a", 403), ("member_b", 404),
    ("other_staff", 404), ("other_member", 404),
])
def test_who_may_handle_a_persons_data(request, client_for, person, who, status):
    client = client_for(request.getfixturevalue(who))
    assert client.get(page(person.pk)).status_code == status
    assert client.post(export(person.pk)).status_code == status
    response = client.post(erase(person.pk), {"reason": "本人电话要求", "confirm": "on"})
    assert response.status_code == (302 if status == 200 else status)
    if status != 200:
        assert Constituent.objects.get(pk=person.pk).name == "王小红"  # nothing changed


def test_anonymous_is_sent_to_log_in(anonymous, person):
    response = anonymous.get(page(person.pk))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_constituent_page_links_staff_to_it(client_for, staff, member_a, person):
    detail = reverse("members:constituent-detail", args=[person.pk])
    assert page(person.pk) in client_for(staff).get(detail).content.decode()
    assert page(person.pk) not in client_for(member_a).get(detail).content.decode()


# ---------------------------------------------------------------- export


def test_the_export_holds_the_record_and_every_contact_in_chinese(client_for, staff, person):
    with translation.override("zh-hans"):
        response = client_for(staff).post(export(person.pk), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["群众信息", "联系记录", "意见建议", "困难诉求", "必访提醒", "活动"]
    record = {row[0]: row[1] for row in book["群众信息"].iter_rows(values_only=True)}
    assert record["姓名"] == "王小红"
    assert record["电话"] == NUMBER  # whole: staff see it whole
    assert record["工作单位"] == "兴安医院"
    notes = next(row[1] for row in book["群众信息"].iter_rows() if row[0].value == "备注")
    assert (notes.value, notes.data_type) == ('=HYPERLINK("http://x")', "s")  # text, not a formula
    contacts = list(book["联系记录"].iter_rows(values_only=True))
    assert contacts[0][:2] == ("时间", "委员")
    assert [row[5] for row in contacts[1:]] == ["看望王小红，了解看病难", "座谈"]
    assert [row[2] for row in list(book["意见建议"].iter_rows(values_only=True))[1:]] == [
        "王小红建议增加社区医生"
    ]
    assert len(list(book["困难诉求"].iter_rows(values_only=True))) == 2
    assert len(list(book["必访提醒"].iter_rows(values_only=True))) >= 2
    assert len(list(book["活动"].iter_rows(values_only=True))) == 2

    entry = AuditEntry.objects.get(action="personal_data")
    assert (entry.user, entry.object_id, entry.detail["act"]) == (staff, str(person.pk), "export")
    assert entry.detail["contact_logs"] == 2


def test_the_export_is_a_post(client_for, staff, person):
    assert client_for(staff).get(export(person.pk)).status_code == 405
    assert not AuditEntry.objects.filter(action="personal_data").exists()


@pytest.mark.parametrize("n", [2, 20])
def test_query_budgets(client_for, django_assert_max_num_queries, staff, member_a, person, n):
    for k in range(n):
        contact_log_create(
            by=member_a.user, member=member_a, constituents=[person], channel=Channel.FORUM,
            contacted_at=_moment(date.today() - timedelta(days=10 + k)),
            mode=ContactLog.Mode.VISIT, summary=f"回访{k}",
        )
    client = client_for(staff)
    with django_assert_max_num_queries(5):  # session, user, council, the person, contacts count
        assert client.get(page(person.pk)).status_code == 200
    with django_assert_max_num_queries(8):  # session, user, council, the person, logs, reminders, activities, audit
        assert client.post(export(person.pk)).status_code == 200


# ---------------------------------------------------------------- erasure


def _raw(pk):
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT "name", "phone", "phone_hash", "unit", "notes", "community", "active" '
            'FROM "members_constituent" WHERE "id" = %s', [pk],
        )
        return cursor.fetchone()


def test_erasure_removes_what_identifies_the_person_and_keeps_the_statistics(
        client_for, staff, member_a, person):
    roster = Member.objects.get(pk=member_a.pk).active_constituents
    assert_rollups_equal_the_rows()
    response = client_for(staff).post(erase(person.pk), {"reason": "本人来电要求删除", "confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == person.get_absolute_url()

    assert _raw(person.pk) == (ERASED_NAME, "", "", "", "", "", False)
    # Its history: one version, the erased one; none with the name or the number.
    assert [h.name for h in Constituent.history.filter(id=person.pk)] == [ERASED_NAME]
    # Off the roster counts; the contacts stay counted, and every tally equals the rows.
    assert Member.objects.get(pk=member_a.pk).active_constituents == roster - 1
    assert person.contact_logs.count() == 2
    assert_rollups_equal_the_rows()
    # The name is gone from the logs' text; the open reminder is dismissed.
    texts = list(ContactLog.objects.filter(constituents=person).values_list("summary", "opinions"))
    assert all("王小红" not in text for pair in texts for text in pair)
    assert ("看望已注销群众，了解看病难", "已注销群众建议增加社区医生") in texts
    assert not Reminder.objects.filter(constituent=person).pending().exists()
    assert Reminder.objects.get(constituent=person).state == Reminder.State.DISMISSED

    entry = AuditEntry.objects.get(action="personal_data")
    assert entry.detail == {"act": "erase", "reason": "本人来电要求删除"}
    assert (entry.user, entry.object_id) == (staff, str(person.pk))
    assert "王小红" not in entry.object_repr


@pytest.mark.parametrize("data", [
    {"reason": "", "confirm": "on"},
    {"reason": "   ", "confirm": "on"},
    {"reason": "本人要求"},  # not confirmed
    {"reason": "很" * 201, "confirm": "on"},
])
def test_bad_input_erases_nothing(client_for, staff, person, data):
    with translation.override("zh-hans"):
        response = client_for(staff).post(erase(person.pk), data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Constituent.objects.get(pk=person.pk).phone == NUMBER
    assert _raw(person.pk)[0] == "王小红"
    assert Constituent.history.filter(id=person.pk).exists()
    assert not AuditEntry.objects.filter(action="personal_data").exists()


def test_the_reason_is_asked_for_in_chinese(client_for, staff, person):
    with translation.override("zh-hans"):
        response = client_for(staff).post(erase(person.pk), {"confirm": "on"},
                                          HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "这个字段是必填项" in response.content.decode()


def test_erasing_twice_is_refused(client_for, staff, person):
    client = client_for(staff)
    client.post(erase(person.pk), {"reason": "本人要求", "confirm": "on"})
    with translation.override("zh-hans"):
        response = client.post(erase(person.pk), {"reason": "再次", "confirm": "on"},
                               HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert "已注销" in response.content.decode()
    assert AuditEntry.objects.filter(action="personal_data").count() == 1

"""A member on a phone (375×812) without a signal: the member pages open from the device,
contacts logged there wait on it (photos resized on the device), and are sent by themselves
once the connection is back — each exactly once, even when the connection drops after the
portal stored one but before its answer arrived; a session that ended meanwhile keeps them
for the same member's next login, never sending them as anyone else."""

from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from PIL import Image
from playwright.sync_api import expect

from activities.models import ContactLog, ContactLogKey, ContactLogPhoto
from tests.e2e.conftest import ARTIFACTS, log_in
from tests.factories import ConstituentFactory, MemberFactory
from tests.offline_browser import lose_first_answer, offline_ready, set_offline, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

def photo(tmp_path: Path, name: str, size=(2400, 1800)) -> str:
    path = tmp_path / name
    Image.new("RGB", size, (30, 120, 200)).save(path)
    return str(path)


def log_offline(page, name: str, summary: str, photos: list[str]) -> None:
    page.get_by_text(name, exact=True).click()
    page.select_option("select[name=channel]", "research")
    page.fill("textarea[name=summary]", summary)
    if photos:
        page.set_input_files("input[name=photos]", photos)
    page.get_by_role("button", name="保存").click()
    page.get_by_test_id("offline-queued").wait_for()


def waiting(page, text: str) -> None:
    expect(page.get_by_test_id("offline-summary")).to_contain_text(text)


def test_two_contacts_logged_offline_arrive_once_with_their_photos(phone, live_server, member_a,
                                                                    tmp_path):
    wang = ConstituentFactory(member=member_a, name="王群众")
    zhao = ConstituentFactory(member=member_a, name="赵大姐")
    log_in(phone, live_server, "member_a")
    offline_ready(phone)

    set_offline(phone.context, True)
    phone.goto(f"{live_server.url}/activities/contacts/new/")  # from the device
    log_offline(phone, "王群众", "田间走访，了解春耕用工", [photo(tmp_path, "a.png")])
    waiting(phone, "1 条")
    log_offline(phone, "赵大姐", "入户走访，了解看病难",
                [photo(tmp_path, "b.png"), photo(tmp_path, "c.png", (800, 600))])
    waiting(phone, "2 条")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "offline-queue-375.png"), full_page=True)

    phone.reload()  # still without a signal: the page and the queue are on the device
    waiting(phone, "2 条")
    phone.goto(f"{live_server.url}/members/me/")
    waiting(phone, "2 条")
    assert ContactLog.objects.count() == 0

    set_offline(phone.context, False)  # the page sends the queue by itself
    phone.get_by_test_id("offline-sent").wait_for()
    assert phone.get_by_test_id("offline-queue").is_hidden()
    phone.reload()
    phone.get_by_test_id("offline-sent").wait_for(state="hidden")

    logs = {log.summary: log for log in ContactLog.objects.prefetch_related("constituents", "photos")}
    assert set(logs) == {"田间走访，了解春耕用工", "入户走访，了解看病难"}
    assert [c.pk for c in logs["田间走访，了解春耕用工"].constituents.all()] == [wang.pk]
    assert [c.pk for c in logs["入户走访，了解看病难"].constituents.all()] == [zhao.pk]
    assert ContactLogPhoto.objects.count() == 3
    for stored in ContactLogPhoto.objects.all():
        with stored.image.open("rb") as file, Image.open(file) as image:
            assert image.format == "JPEG"  # resized on the device
            assert max(image.size) <= 1600
    assert ContactLogKey.objects.count() == 2


def test_a_connection_cut_after_the_portal_stored_a_contact_doubles_nothing(phone, live_server,
                                                                            member_a, tmp_path):
    ConstituentFactory(member=member_a, name="王群众")
    ConstituentFactory(member=member_a, name="赵大姐")
    log_in(phone, live_server, "member_a")
    offline_ready(phone)
    set_offline(phone.context, True)
    phone.goto(f"{live_server.url}/activities/contacts/new/")
    log_offline(phone, "王群众", "第一条", [photo(tmp_path, "a.png", (640, 480))])
    log_offline(phone, "赵大姐", "第二条", [])

    # The first contact reaches the portal, which stores it; its answer never comes back.
    cut = lose_first_answer(phone.context)
    set_offline(phone.context, False)
    wait_until(phone, lambda: cut)
    phone.wait_for_timeout(300)
    # The browser reports the connection this test cut; any other error still fails it.
    phone.console_errors[:] = [e for e in phone.console_errors if "ERR_INTERNET_DISCONNECTED" not in e]
    assert cut == [201]
    assert ContactLog.objects.count() == 1
    waiting(phone, "2 条")  # the device does not know it arrived

    phone.reload()  # online: sent again — the first answered as already stored
    phone.get_by_test_id("offline-sent").wait_for()
    assert phone.get_by_test_id("offline-queue").is_hidden()
    assert sorted(ContactLog.objects.values_list("summary", flat=True)) == ["第一条", "第二条"]
    assert ContactLogPhoto.objects.count() == 1
    assert ContactLogKey.objects.count() == 2


def test_a_session_ended_offline_waits_for_the_same_members_next_login(phone, live_server,
                                                                        member_a, council):
    ConstituentFactory(member=member_a, name="王群众")
    MemberFactory(council=council, name="李委员", user__username="member_c")
    log_in(phone, live_server, "member_a")
    offline_ready(phone)
    set_offline(phone.context, True)
    phone.goto(f"{live_server.url}/activities/contacts/new/")
    log_offline(phone, "王群众", "会话过期前记录", [])

    Session.objects.all().delete()  # the session ends while the phone is offline
    set_offline(phone.context, False)
    phone.goto(f"{live_server.url}/members/me/")
    assert "/accounts/login/" in phone.url
    # Back online without a session, the queue's try is answered 401 and the queue waits: the
    # browser reports that answer; any other error still fails the journey.
    phone.console_errors[:] = [e for e in phone.console_errors if "status of 401 (Unauthorized)" not in e]
    # Another member logs in on the same phone: nothing of member_a's is sent or shown.
    log_in(phone, live_server, "member_c")
    assert phone.get_by_test_id("offline-queue").is_hidden()
    phone.wait_for_timeout(500)
    assert ContactLog.objects.count() == 0
    with phone.expect_navigation():  # the navbar's 退出登录
        phone.evaluate("document.querySelector('form.js-logout').requestSubmit()")

    log_in(phone, live_server, "member_a")  # the same member again: sent at once
    phone.get_by_test_id("offline-sent").wait_for()
    log = ContactLog.objects.get()
    assert (log.member_id, log.summary) == (member_a.pk, "会话过期前记录")

"""The member app as production serves it (HTTPS behind nginx, the hashed static files): on a
phone without a signal the contact form opens from the device, two contacts with photos wait
on it, and once online they arrive exactly once — the first answer lost with the connection
after the portal stored it."""

import io
import secrets

from PIL import Image
from playwright.sync_api import expect

from tests.offline_browser import lose_first_answer, offline_ready, set_offline, wait_until


def _photo(name: str) -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (2000, 1500), (200, 120, 30)).save(buffer, "JPEG")
    return {"name": name, "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def _log_offline(page, nth: int, summary: str) -> None:
    page.locator(".js-roster label").nth(nth).click()
    page.select_option("select[name=channel]", index=1)
    page.fill("textarea[name=summary]", summary)
    page.set_input_files("input[name=photos]", files=[_photo(f"{nth}.jpg")])
    page.locator("form.contact-form button[type=submit]").click()
    page.get_by_test_id("offline-queued").wait_for()


def test_two_contacts_logged_offline_arrive_once(visit):
    member = visit("member", phone=True)
    page, context = member.page, member.context
    assert page.url.endswith("/members/me/")
    assert page.locator("link[rel=manifest]").count() == 1
    manifest = context.request.get(member.url("/manifest.webmanifest")).json()
    assert manifest["name"] == "政协委员联系群众"
    offline_ready(page)

    set_offline(context, True)
    page.goto(member.url("/activities/contacts/new/"))  # from the device
    mark = secrets.token_hex(4)
    _log_offline(page, 0, f"离线走访一 {mark}")
    _log_offline(page, 1, f"离线走访二 {mark}")
    page.reload()
    expect(page.get_by_test_id("offline-summary")).to_contain_text("2 条")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    member.screenshot("member-offline-queue-375")

    # Online again; the first contact is stored, and its answer lost on the way back.
    cut = lose_first_answer(context)
    set_offline(context, False)
    wait_until(page, lambda: cut)
    assert cut == [201]
    page.wait_for_timeout(300)
    # The browser reports the connection this test cut; any other error still fails it.
    member.errors[:] = [e for e in member.errors if "net::ERR_INTERNET_DISCONNECTED" not in e]
    member.goto("/members/me/")  # sent again: the first answered as already stored
    page.get_by_test_id("offline-sent").wait_for()
    assert page.get_by_test_id("offline-queue").is_hidden()

    member.goto("/activities/contacts/mine/")
    history = page.get_by_test_id("history").inner_text()
    assert history.count(f"离线走访一 {mark}") == 1
    assert history.count(f"离线走访二 {mark}") == 1

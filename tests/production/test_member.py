"""A member on a phone: today's must-visits, a contact logged with a photo that nginx sends
on the portal's say-so, and the follow-up reminder the Celery worker creates for it."""

import io
import re
import time

from PIL import Image

from tests.production.conftest import Visitor


def _photo() -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 120, 200)).save(buffer, "JPEG")
    return {"name": "visit.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def _reminder_ids(member: Visitor) -> dict[str, str]:
    """The member's pending reminders on their list: id → text."""
    member.goto("/activities/reminders/")
    items = member.page.locator("li[data-testid^=reminder-]")
    return {item.get_attribute("data-testid"): item.inner_text() for item in items.all()}


def test_member_logs_a_must_visit_with_a_photo(visit):
    member = visit("member", phone=True)
    page = member.page
    assert page.url.endswith("/members/me/")
    # The demo gives 张建华 must-visits: overdue, due today or due soon.
    must_visits = page.get_by_test_id("my-reminders")
    assert must_visits.locator("li[data-testid^=reminder-]").count() > 0
    member.screenshot("member-home-375")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    before = _reminder_ids(member)
    # The first must-visit that names a person: log the contact from it.
    item = page.locator("li[data-testid^=reminder-]:has(a[href*='constituent='])").first
    name = item.locator(".fw-semibold").inner_text().split("·")[0].strip()
    member.follow(item.locator("a[href*='constituent=']"))
    assert "/activities/contacts/new/" in page.url
    ticked = page.locator(".js-roster input:checked")
    assert ticked.count() == 1
    assert name in page.locator(".js-roster label:has(input:checked)").inner_text()

    page.select_option("select[name=channel]", index=1)
    page.locator(".js-mode + label").first.click()
    page.fill("textarea[name=summary]", "上门走访，了解家中老人看病情况")
    page.check("input[name=difficulty]")
    page.select_option("select[name=difficulty_kind]", index=1)
    page.set_input_files("input[name=photos]", files=[_photo()])
    member.follow(page.locator("form.contact-form button[type=submit]"))
    assert re.search(r"/activities/contacts/\d+/$", page.url), page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # The photo is shown: the portal authorised it and nginx sent the file.
    thumb = page.locator("[data-testid=photos] img").first
    thumb.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())
    photo_urls = [thumb.get_attribute("src"),
                  page.locator("[data-testid=photos] a").first.get_attribute("href")]
    for url in photo_urls:
        assert url.startswith("/media/contact-logs/"), url
        response = member.context.request.get(member.url(url))
        assert response.status == 200
        assert response.headers["content-type"].startswith("image/")
        assert response.body()[:2] == b"\xff\xd8"  # a JPEG
        # Sent by nginx's internal location, not by Python: its headers, no redirect left over.
        assert response.headers.get("cache-control") == "private, no-cache"
        assert "x-accel-redirect" not in response.headers
        assert "etag" in response.headers
        # The internal location itself is not reachable from outside, even for the owner.
        assert member.context.request.get(member.url(url.replace("/media/", "/protected-media/", 1))).status == 404

    # Another member may not fetch it; an anonymous visitor is sent to log in.
    other = visit("m001", phone=True)
    assert other.page.url.endswith("/members/me/")
    for url in photo_urls:
        assert other.context.request.get(other.url(url)).status == 404
    anonymous = visit(None)
    response = anonymous.context.request.get(anonymous.url(photo_urls[0]), max_redirects=0)
    assert response.status == 302
    assert response.headers["location"].startswith("/accounts/login/")

    # The difficulty flag enqueued a task: the Celery worker creates the follow-up reminder.
    deadline = time.monotonic() + 30
    while True:
        new = {key: text for key, text in _reminder_ids(member).items() if key not in before}
        if any(name in text for text in new.values()):
            break
        assert time.monotonic() < deadline, f"no follow-up reminder for {name} from the worker"
        time.sleep(1)

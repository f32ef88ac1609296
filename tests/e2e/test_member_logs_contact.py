"""A member on a phone (375×812) logs a contact with a photo and finds it in their history."""

from pathlib import Path

import pytest
from PIL import Image

from activities.models import ContactLog
from tests.e2e.conftest import ARTIFACTS, log_in
from tests.factories import ConstituentFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_member_logs_a_contact_with_a_photo(phone, live_server, member_a, tmp_path: Path):
    ConstituentFactory(member=member_a, name="王群众", unit="兴安煤矿", community="兴安社区")
    ConstituentFactory(member=member_a, name="赵大姐", unit="新华小学", community="新华社区")
    photo = tmp_path / "visit.png"
    Image.new("RGB", (640, 480), (30, 120, 200)).save(photo)

    log_in(phone, live_server, "member_a")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "member-home-375.png"), full_page=True)
    phone.get_by_test_id("log-contact").click()
    phone.wait_for_load_state()

    # Screen 1: find the person in my roster by typing, and tick them.
    phone.fill(".js-roster-filter", "新华")
    assert phone.get_by_text("王群众").is_hidden()
    phone.get_by_text("赵大姐").click()
    # The kind of difficulty appears only once the box is ticked.
    assert phone.locator(".js-difficulty-kind").is_hidden()
    phone.screenshot(path=str(ARTIFACTS / "contact-form-375.png"), full_page=True)

    # Screen 2: how and what; a photo.
    phone.select_option("select[name=channel]", "clinic")
    assert phone.locator(".js-platform").is_hidden()  # asked only for "at a platform"
    phone.locator("label", has_text="电话").click()
    phone.fill("textarea[name=summary]", "上门量血压，了解老人身体情况")
    phone.fill("textarea[name=opinions]", "希望社区卫生站增加慢病用药")
    phone.check("input[name=difficulty]")
    phone.select_option("select[name=difficulty_kind]", "illness")
    phone.set_input_files("input[name=photos]", str(photo))
    phone.get_by_role("button", name="保存").click()
    phone.wait_for_load_state()

    log = ContactLog.objects.get()
    assert phone.url.endswith(log.get_absolute_url())
    assert [c.name for c in log.constituents.all()] == ["赵大姐"]
    assert log.difficulty_kind == "illness"
    assert log.mode == ContactLog.Mode.PHONE
    assert phone.locator("[data-testid=photos] img").count() == 1

    # My history shows it, with its thumbnail loaded from the portal.
    phone.goto(f"{live_server.url}/activities/contacts/mine/")
    entry = phone.get_by_test_id("history").locator("a").first
    assert "赵大姐" in entry.inner_text()
    thumb = entry.locator("img")
    assert thumb.evaluate("img => img.complete && img.naturalWidth > 0")
    # Nothing is wider than the phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    # The roster puts the person not yet contacted first.
    phone.goto(f"{live_server.url}/members/me/constituents/")
    phone.screenshot(path=str(ARTIFACTS / "my-constituents-375.png"), full_page=True)
    names = phone.locator(".list-group-item .fw-semibold").all_inner_texts()
    assert names == ["王群众", "赵大姐"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

"""A constituent on a phone (375×812) scans a platform's poster and leaves a difficulty;
staff print the poster and pass the message to a member, whose must-visit follows."""

import re

import pytest
from captcha.models import CaptchaStore

from activities.models import Reminder, TriggerType
from liaison.intake.models import Submission
from members.models import Platform
from tests.e2e.conftest import ARTIFACTS, log_in
from tests.factories import PlatformFactory

pytestmark = pytest.mark.django_db(transaction=True)


def answer(page) -> str:
    """What a person reads off the captcha's picture (the sum's result, from its store)."""
    key = page.locator("input[name=captcha_0]").input_value()
    return CaptchaStore.objects.get(hashkey=key).response


def test_a_constituent_writes_by_qr_code_and_staff_pass_it_on(phone, desktop, live_server,
                                                              staff, member_a, sector):
    platform = PlatformFactory(council=member_a.council, kind=Platform.Kind.WORKSTATION,
                               name="兴安街道委员工作站")
    platform.sectors.add(sector)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    # Staff print the platform's poster: a QR code and the address under it.
    log_in(desktop, live_server, "staff")
    desktop.goto(f"{live_server.url}/intake/posters/")
    desktop.get_by_test_id("poster-link").first.click()
    desktop.wait_for_load_state()
    assert desktop.locator("[data-testid=poster] svg").is_visible()
    address = desktop.get_by_test_id("poster-url").inner_text()
    path = re.search(r"/q/[\w-]+/", address).group()
    desktop.emulate_media(media="print")
    assert desktop.locator(".navbar").is_hidden()  # the poster alone on the sheet
    desktop.emulate_media(media="screen")

    # The constituent's phone opens the page; nothing wider than the screen.
    phone.goto(f"{live_server.url}{path}")
    assert phone.get_by_role("heading", name="兴安街道委员工作站").is_visible()
    assert phone.get_by_test_id("privacy-notice").is_visible()
    assert phone.locator("img.captcha").evaluate("img => img.complete && img.naturalWidth > 0")
    phone.get_by_label("困难求助").check()
    phone.fill("textarea[name=text]", "母亲卧病在床，家里生活困难，想请委员帮忙。")
    phone.fill("input[name=name]", "王秀兰")
    phone.fill("input[name=phone]", "139 0464 0101")
    phone.locator("input[name=phone]").blur()
    assert "139****0101" in phone.locator(".js-phone-mask").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=str(ARTIFACTS / "qr-page-375.png"), full_page=True)

    # Without the consent ticked, or with a wrong sum: told in Chinese, nothing stored.
    # Each submit waits for the page it leads to: under load, a check run before the answer
    # arrived read the page before it.
    phone.fill("input[name=captcha_1]", answer(phone))
    with phone.expect_navigation():
        phone.get_by_role("button", name="提交").click()
    assert phone.get_by_text("请同意个人信息的使用说明后再提交").first.is_visible()
    phone.locator("input[name=consent]").check()
    phone.fill("input[name=captcha_1]", "-1")  # no sum of two numbers
    with phone.expect_navigation():
        phone.get_by_role("button", name="提交").click()
    assert phone.get_by_text("算式结果不对").is_visible()
    assert not Submission.objects.exists()

    phone.locator("input[name=consent]").check()
    phone.fill("input[name=captcha_1]", answer(phone))
    with phone.expect_navigation():
        phone.get_by_role("button", name="提交").click()
    assert phone.get_by_text("谢谢，您的留言已收到").is_visible()
    assert "139****0101" in phone.get_by_test_id("masked-phone").inner_text()
    assert "13904640101" not in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    message = Submission.objects.get()
    assert (message.platform, message.category, message.phone) == (platform, "difficulty", "13904640101")

    # Staff find it in the queue and pass it to a member of the platform's sector.
    desktop.goto(f"{live_server.url}/intake/?state=new")
    with desktop.expect_navigation():
        desktop.get_by_test_id("submission-row").first.locator("a").click()
    form = desktop.get_by_test_id("assign-form")
    form.locator("select[name=member]").select_option(str(member_a.pk))
    form.locator("select[name=difficulty_kind]").select_option("illness")
    with desktop.expect_navigation():
        form.get_by_role("button", name="交委员").click()
    assert desktop.get_by_text("已交委员：留言人已列入该委员的联系群众名单").is_visible()
    message.refresh_from_db()
    assert message.state == Submission.State.ASSIGNED
    assert message.constituent.member == member_a
    assert Reminder.objects.filter(member=member_a, constituent=message.constituent,
                                   rule__trigger_type=TriggerType.DIFFICULTY).exists()

    # The member, on their phone, sees the new must-visit for the person.
    phone.context.clear_cookies()
    log_in(phone, live_server, "member_a")
    phone.goto(f"{live_server.url}/members/me/")
    assert phone.get_by_text("王秀兰").first.is_visible()

"""The platforms' QR pages as production serves them: staff print a poster, a constituent's
phone opens its address (no login; the captcha's picture drawn by the portal under the CSP)
and is refused politely on a wrong sum, and staff triage a message of the demo."""

import re


def count_new(page) -> int:
    return int(page.get_by_test_id("count-new").locator(".stat").inner_text())


def test_a_poster_opens_the_public_page_and_staff_triage(visit):
    staff = visit("staff")
    page = staff.page
    staff.goto("/intake/posters/")
    staff.follow(page.get_by_test_id("poster-link").first)
    assert page.locator("[data-testid=poster] svg").is_visible()
    path = re.search(r"/q/[\w-]+/", page.get_by_test_id("poster-url").inner_text()).group()
    staff.screenshot("qr-poster")
    staff.goto("/intake/?state=new")
    waiting = count_new(page)
    assert waiting > 0  # the demo's messages

    # A constituent's phone, with no account.
    visitor = visit(None, phone=True)
    phone = visitor.page
    visitor.goto(path)
    assert phone.get_by_test_id("privacy-notice").is_visible()
    assert phone.locator("img.captcha").evaluate("img => img.complete && img.naturalWidth > 0")
    phone.get_by_label("意见建议").check()
    phone.fill("textarea[name=text]", "建议在公交站增加候车座椅。")
    phone.locator("input[name=consent]").check()
    phone.fill("input[name=captcha_1]", "-1")  # no sum of two digits
    visitor.follow(phone.get_by_role("button", name="提交"))
    assert phone.get_by_text("算式结果不对").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    visitor.screenshot("qr-page-phone")
    staff.goto("/intake/?state=new")
    assert count_new(page) == waiting  # nothing stored

    # Staff close one of the demo's messages with a reason.
    staff.follow(page.get_by_test_id("submission-row").first.locator("a"))
    form = page.get_by_test_id("close-form")
    form.locator("select[name=reason]").select_option("answered")
    form.locator("input[name=note]").fill("已电话答复")
    staff.follow(form.get_by_role("button", name="关闭"))
    assert count_new(page) == waiting - 1

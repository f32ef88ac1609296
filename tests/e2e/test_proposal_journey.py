"""A proposal from start to close in the browser: a member submits it with a co-signer who
confirms (on a phone); staff file and assign it; the unit replies; both members rate it
(on a phone); staff see it closed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from proposals.models import Proposal, State
from tests.e2e.conftest import log_in
from tests.proposals.factories import CategoryFactory, SessionFactory

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = None  # set to a directory path to keep screenshots of each step while developing


def _as(page, live_server, username):
    page.context.clear_cookies()
    log_in(page, live_server, username)


def _submit(page):
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_proposal_from_submission_to_closure(phone, desktop, live_server, member_a, member_b, staff, handling_unit, unit_user, council):
    SessionFactory(council=council, term=10, number=4, name="十届四次", is_current=True)
    category = CategoryFactory(council=council, name="农业农村")
    for page in (phone, desktop):
        page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm questions

    # The member writes the draft on a phone, invites a co-signer and submits.
    log_in(phone, live_server, "member_a")
    phone.goto(f"{live_server.url}/proposals/new/")
    phone.fill("input[name=title]", "关于发展庭院经济促进农民增收的提案")
    phone.select_option("select[name=category]", str(category.pk))
    phone.fill("textarea[name=reasons]", "农村庭院闲置较多，农民增收渠道有限。")
    phone.fill("textarea[name=suggestions]", "因地制宜发展庭院种养，给予技术指导和小额贷款支持。")
    _submit(phone)
    proposal = Proposal.objects.get()
    assert phone.url.endswith(proposal.get_absolute_url())
    phone.click("a[href$='/invite/']")
    # The co-signer is typed into the picker (a council has thousands of members).
    phone.locator("select[name=member] + .ts-wrapper .ts-control").click()
    phone.keyboard.type(member_b.name[:2])
    phone.locator(".ts-dropdown:visible .option", has_text=member_b.name).first.click()
    _submit(phone)
    phone.click("form[action$='/submit/'] button")
    phone.wait_for_load_state()
    _shot(phone, "1-member-detail")
    proposal.refresh_from_db()
    assert proposal.state == State.SUBMITTED

    # The co-signer confirms from their list.
    _as(phone, live_server, "member_b")
    phone.goto(f"{live_server.url}/proposals/mine/")
    _shot(phone, "2-cosigner-list")
    phone.click(f"a[href='{proposal.get_absolute_url()}']")
    phone.click("button[name=answer][value=confirm]")
    phone.wait_for_load_state()
    assert proposal.cosigners.get().state == "confirmed"

    # Staff review, file and assign it.
    log_in(desktop, live_server, "staff")
    desktop.goto(f"{live_server.url}{proposal.get_absolute_url()}")
    desktop.click("form[action$='/review/'] button")
    desktop.wait_for_load_state()
    desktop.click("form[action$='/file/'] button")
    desktop.wait_for_load_state()
    assert desktop.locator("[data-testid=number]").inner_text() == "第001号"
    desktop.click("a[href$='/assign/']")
    # The lead unit is picked by typing part of its name (a scoped lookup, no list of all).
    desktop.locator("select[name=lead_unit] + .ts-wrapper .ts-control").click()
    desktop.keyboard.type("教育")
    desktop.locator(".ts-dropdown .option", has_text=handling_unit.name).click()
    deadline = timezone.localdate() + timedelta(days=30)
    desktop.fill("input[name=deadline]", deadline.isoformat())
    _submit(desktop)
    proposal.refresh_from_db()
    assert (proposal.state, proposal.deadline) == (State.ASSIGNED, deadline)

    # The unit replies.
    _as(desktop, live_server, "unit")
    desktop.goto(f"{live_server.url}/proposals/unit/")
    desktop.click(f"a[href='{proposal.get_absolute_url()}']")
    desktop.click("a[href$='/reply/']")
    desktop.check("input[name=category][value=A]")
    desktop.fill("textarea[name=text]", "已在全区推广庭院经济示范户，并安排专项贴息贷款。")
    _submit(desktop)
    proposal.refresh_from_db()
    assert proposal.state == State.REPLIED

    # Both members rate the reply on a phone.
    for username in ("member_a", "member_b"):
        _as(phone, live_server, username)
        phone.goto(f"{live_server.url}{proposal.get_absolute_url()}")
        phone.click("a[href$='/rate/']")
        phone.check("input[name=value][value=satisfied]")
        _submit(phone)

    # Staff see it closed.
    _as(desktop, live_server, "staff")
    desktop.goto(f"{live_server.url}/proposals/staff/register/")
    _shot(desktop, "3-register")
    row = desktop.locator("tr", has_text="关于发展庭院经济促进农民增收的提案")
    assert row.locator(".state-closed").count() == 1
    proposal.refresh_from_db()
    assert proposal.state == State.CLOSED
    desktop.goto(f"{live_server.url}{proposal.get_absolute_url()}")
    _shot(desktop, "4-staff-detail")
    desktop.click("a[href$='/print/']")
    assert desktop.locator(".proposal-sheet").inner_text().count("第001号") == 1
    _shot(desktop, "5-print")
    desktop.emulate_media(media="print")
    _shot(desktop, "6-print-media")

"""Staff pick several members or units by typing: the consultation's participating members
(参加委员) and the assignment's lead and co-handling units are Tom Select pickers over scoped
lookups, the pages carry no list of everyone, and what was picked is saved — with the CSP on
(a violation is a console error, which fails the test)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from activities.models import Consultation
from proposals.models import Assignment, State
from proposals.services import default_deadline
from tests.e2e.conftest import log_in
from tests.factories import MemberFactory
from tests.proposals.factories import (
    CategoryFactory,
    HandlingUnitFactory,
    SessionFactory,
    proposal_in,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _pick(page, wrapper, typed: str, name: str) -> None:
    """Type ``typed`` into the picker ``wrapper`` and click the option ``name``."""
    wrapper.locator(".ts-control").click()
    page.keyboard.type(typed)
    option = page.locator(".ts-dropdown:visible .option", has_text=name)
    option.first.wait_for()
    option.first.click()
    page.keyboard.press("Escape")


def test_staff_pick_two_participants_by_typing(desktop, live_server, staff, council, sector,
                                               other_sector):
    zhang = MemberFactory(council=council, sector=sector, name="张建华")
    MemberFactory(council=council, sector=other_sector, name="张建国")
    li = MemberFactory(council=council, sector=other_sector, name="李晓梅")
    MemberFactory.create_batch(40, council=council, sector=sector)
    log_in(desktop, live_server, "staff")
    desktop.goto(f"{live_server.url}/activities/consultations/new/")
    assert desktop.locator("select[name=members] option").count() == 0
    picker = desktop.locator("select[name=members] + .ts-wrapper")  # Tom Select's, beside it
    picker.locator(".ts-control").click()
    desktop.keyboard.type("张建")
    desktop.locator(".ts-dropdown .option", has_text="张建国").wait_for()
    offered = desktop.locator(".ts-dropdown .option").all_inner_texts()
    assert {o.split()[0] for o in offered} == {"张建国", "张建华"}
    assert any(sector.name in o for o in offered if o.startswith("张建华"))  # the sector
    desktop.locator(".ts-dropdown .option", has_text="张建华").click()
    desktop.keyboard.press("Escape")
    _pick(desktop, picker, "李晓", "李晓梅")
    desktop.fill("input[name=topic]", "农产品销路")
    desktop.fill("input[name=held_on]", timezone.localdate().isoformat())
    with desktop.expect_navigation():
        desktop.click("main form button[type=submit]")
    consultation = Consultation.objects.get(topic="农产品销路")
    assert set(consultation.members.all()) == {zhang, li}


def test_staff_assign_to_a_lead_and_a_co_unit_by_typing(desktop, live_server, staff, council,
                                                        member_a, handling_unit):
    session = SessionFactory(council=council, is_current=True)
    filed = proposal_in(State.FILED, proposer=member_a, staff=staff, session=session,
                        category=CategoryFactory(council=council, name="教育"))
    health = HandlingUnitFactory(council=council, name="区卫生健康局")
    HandlingUnitFactory.create_batch(30, council=council)
    log_in(desktop, live_server, "staff")
    desktop.goto(f"{live_server.url}/proposals/{filed.pk}/assign/")
    assert desktop.locator("input[name=deadline]").input_value() == default_deadline(
        timezone.localdate()).isoformat()
    assert desktop.locator("select[name=co_units] option").count() == 0
    _pick(desktop, desktop.locator("select[name=lead_unit] + .ts-wrapper"), "教育", "区教育局")
    _pick(desktop, desktop.locator("select[name=co_units] + .ts-wrapper"), "卫生", "区卫生健康局")
    deadline = timezone.localdate() + timedelta(days=60)
    desktop.fill("input[name=deadline]", deadline.isoformat())
    with desktop.expect_navigation():
        desktop.click("main form button[type=submit]")
    filed.refresh_from_db()
    assert (filed.state, filed.deadline) == (State.ASSIGNED, deadline)
    assert Assignment.objects.get(proposal=filed, is_lead=True).unit == handling_unit
    assert Assignment.objects.get(proposal=filed, is_lead=False).unit == health

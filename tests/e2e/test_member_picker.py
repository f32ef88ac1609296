"""Staff pick a member by typing: the filter's select becomes a search-as-you-type picker
(Tom Select) that asks the scoped lookup, and the list filters by the one picked — with the
CSP on (a violation is a console error, which fails the test)."""

import pytest

from tests.e2e.conftest import log_in
from tests.factories import ConstituentFactory, MemberFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_pick_a_member_by_typing(desktop, live_server, staff, council, sector):
    keeper = MemberFactory(council=council, sector=sector, name="张伟明")
    MemberFactory(council=council, sector=sector, name="张伟")
    ConstituentFactory(member=keeper, name="王群众")
    ConstituentFactory(member=MemberFactory(council=council, sector=sector), name="赵群众")
    log_in(desktop, live_server, "staff")
    desktop.goto(f"{live_server.url}/members/staff/constituents/")
    assert desktop.locator("select[name=member] option").count() == 1  # only "---------"
    desktop.locator(".ts-wrapper .ts-control").first.click()
    desktop.keyboard.type("张伟")
    desktop.locator(".ts-dropdown .option", has_text="张伟明").wait_for()
    offered = desktop.locator(".ts-dropdown .option").all_inner_texts()
    assert sorted(o.split()[0] for o in offered if o.strip() not in ("", "---------")) == [
        "张伟", "张伟明"]
    assert all(sector.name in o for o in offered if o.startswith("张"))  # the hint
    desktop.locator(".ts-dropdown .option", has_text="张伟明").click()
    with desktop.expect_navigation():
        desktop.get_by_role("button", name="筛选").click()
    assert f"member={keeper.pk}&" in desktop.url + "&", desktop.url
    body = desktop.locator("table tbody").inner_text()
    assert "王群众" in body
    assert "赵群众" not in body
    # The page came back with the picked member as its only option, still a picker.
    assert desktop.locator(".ts-wrapper .item").inner_text() == "张伟明"

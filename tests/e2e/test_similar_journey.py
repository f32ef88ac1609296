"""Similar proposals in the browser: a member writing a proposal on a phone sees, as they
type, the council's earlier proposal on the same matter with its reply (the portal's own
script, no outside one); staff reviewing a proposal merge it into a similar one from its
page."""

import pytest

from proposals.models import State
from tests.e2e.conftest import log_in
from tests.proposals.factories import SessionFactory, proposal_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_similar_proposals_while_writing_and_merging(phone, desktop, live_server, member_a, member_b,
                                                     staff, handling_unit, unit_user, council):
    current = SessionFactory(council=council, term=10, number=5, name="十届五次", is_current=True)
    earlier = SessionFactory(council=council, term=10, number=4, name="十届四次")
    proposal_in(State.REPLIED, proposer=member_b, staff=staff, unit=handling_unit, session=earlier,
                title="关于加快老旧小区加装电梯的提案",
                reasons="多层住宅没有电梯，老人上下楼难，加装电梯费用分摊难。")
    lead = proposal_in(State.FILED, proposer=member_b, staff=staff, session=current,
                       title="关于推进既有住宅增设电梯的提案", reasons="高龄老人下楼难，增设电梯审批慢。")
    again = proposal_in(State.UNDER_REVIEW, proposer=member_a, staff=staff, session=current,
                        title="关于老旧住宅加装电梯的提案", reasons="老旧住宅加装电梯进度慢。")

    log_in(phone, live_server, "member_a")
    phone.goto(f"{live_server.url}/proposals/new/")
    phone.fill("input[name=title]", "关于解决老旧小区加装电梯难的提案")
    box = phone.locator("[data-testid=similar]")
    box.locator("[data-testid=similar-item]", has_text="关于加快老旧小区加装电梯的提案").wait_for()
    assert "十届四次" in box.inner_text()
    assert "已办理。" in box.inner_text()  # the earlier proposal's reply

    desktop.on("dialog", lambda dialog: dialog.accept())  # the data-confirm question
    log_in(desktop, live_server, "staff")
    desktop.goto(f"{live_server.url}{again.get_absolute_url()}")
    item = desktop.locator("[data-testid=similar-item]", has_text=lead.title)
    with desktop.expect_navigation():
        item.locator("[data-testid=merge-into]").click()
    again.refresh_from_db()
    assert (again.state, again.merged_into_id) == (State.MERGED, lead.pk)

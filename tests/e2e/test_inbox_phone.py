"""The inbox at 375 px: a notice's subject keeps the width; its time goes under it, short."""

import pytest

from members.models import Notification
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_subjects_keep_the_width_on_a_phone(phone, live_server, member_a):
    subject = "提案“关于加强学校周边交通安全管理的提案”已答复，请评价"
    Notification.objects.create(user=member_a.user, kind="proposal_replied", key="e2e-inbox",
                                subject=subject, body="请在七日内评价。")
    log_in(phone, live_server, "member_a")
    phone.goto(f"{live_server.url}/inbox/")
    title = phone.get_by_test_id("notice-subject").first.bounding_box()
    width = phone.evaluate("document.documentElement.clientWidth")
    assert title["width"] > width * 0.7  # was squeezed beside a long timestamp
    scroll = phone.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width  # nothing overflows sideways

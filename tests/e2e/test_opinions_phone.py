"""A member writes a public-opinion report on a phone (375 px) from a contact's opinions, and
follows it back after the city adopted it with an instruction: nothing scrolls sideways."""

import pytest
from django.utils import timezone

from opinions import services
from opinions.models import Report
from tests.e2e.conftest import log_in
from tests.factories import ContactLogFactory, CouncilFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

FITS = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def test_a_member_writes_a_report_on_a_phone_and_follows_it(phone, live_server, member_a, staff):
    city = CouncilFactory(name="七台河市政协", level="city")
    member_a.council.parent = city
    member_a.council.save(update_fields=["parent"])
    city_staff = UserFactory(username="city_staff", role="staff", council=city)
    log = ContactLogFactory(member=member_a, opinions="早市周边缺少公共卫生间，老年人很不方便。")

    log_in(phone, live_server, "member_a")
    phone.goto(f"{live_server.url}/opinions/mine/")
    assert phone.evaluate(FITS)
    with phone.expect_navigation():
        phone.get_by_test_id("from-contacts").get_by_role("link").first.click()
    assert phone.input_value("input[name=title]") == "早市周边缺少公共卫生间，老年人很不方便。"
    assert phone.evaluate(FITS)
    with phone.expect_navigation():
        phone.get_by_test_id("report-form").get_by_role("button").click()
    report = Report.objects.get(member=member_a)
    assert report.contact_log_id == log.pk

    report = services.report_forward(report=report, by=staff)
    report = services.report_adopt(report=report, by=city_staff)
    services.instruction_record(report=report, by=city_staff, leader="市政府副市长 王某某",
                                text="请市住建局研究解决。", given_on=timezone.localdate())
    phone.goto(f"{live_server.url}{report.get_absolute_url()}")
    assert phone.get_by_test_id("instruction").inner_text().find("请市住建局研究解决。") >= 0
    assert "七台河市政协" in phone.get_by_test_id("state").inner_text()
    assert phone.evaluate(FITS)

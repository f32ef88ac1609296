"""A city leader reads the roll-up over the city's districts and drills into one."""

import re

from tests.production.test_leader import CHARTS_DRAWN


def _number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def test_city_reads_the_rollup_and_drills_into_a_district(visit):
    city = visit("city")
    page = city.page
    assert page.url.endswith("/members/staff/")
    city.goto("/dashboard/")
    page.wait_for_function(CHARTS_DRAWN)
    rows = page.locator("[data-testid=rollup] tbody tr")
    # 新兴区政协 and 茄子河区政协 on the demo.
    assert rows.count() >= 2
    city.screenshot("dashboard-city")
    # The districts' serving members add up to the city's figure.
    members = [_number(row.locator("td").first.inner_text()) for row in rows.all()]
    assert sum(members) == _number(page.get_by_test_id("fig-members-active").locator(".stat").inner_text())

    district = rows.first.locator("a[data-testid^=drill-]")
    name = district.inner_text().strip()
    city.follow(district)
    page.wait_for_function(CHARTS_DRAWN)
    assert name in page.locator("main h1").inner_text()
    assert _number(page.get_by_test_id("fig-members-active").locator(".stat").inner_text()) == members[0]

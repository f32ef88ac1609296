"""A leader opens the dashboard: the charts render, and a number leads to its list."""

import pytest

from tests.e2e.conftest import ARTIFACTS, log_in
from tests.liaison.conftest import build_world

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def data(council, staff, sector, other_sector, committee):
    from tests.factories import CommitteeFactory

    return build_world(council, staff, sectors=[sector, other_sector],
                       committees=[committee, CommitteeFactory(council=council, name="教科卫体委")])


def test_leader_reads_the_dashboard_and_follows_a_number(desktop, live_server, leader, data):
    log_in(desktop, live_server, "leader")
    desktop.goto(f"{live_server.url}/dashboard/")
    desktop.wait_for_selector("canvas.js-chart")
    # Chart.js draws into each canvas and gives it a size.
    desktop.wait_for_function(
        "Array.from(document.querySelectorAll('canvas.js-chart'))"
        ".every(c => window.Chart && Chart.getChart(c) && c.width > 0)"
    )
    assert desktop.locator("canvas.js-chart").count() == 3
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    desktop.screenshot(path=str(ARTIFACTS / "dashboard-desktop.png"), full_page=True)
    figure = desktop.locator("[data-testid=fig-constituents]")
    shown = int(figure.locator(".stat").inner_text())
    figure.click()
    desktop.wait_for_url("**/members/staff/constituents/**")
    assert shown == 8
    assert desktop.locator("table tbody tr").count() == shown


def test_the_dashboard_fits_a_phone(phone, live_server, leader, data):
    log_in(phone, live_server, "leader")
    phone.goto(f"{live_server.url}/dashboard/")
    phone.wait_for_function("window.Chart && Chart.getChart(document.querySelector('canvas.js-chart'))")
    width = phone.evaluate("document.documentElement.scrollWidth")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "dashboard-phone.png"), full_page=False)
    assert width <= 375

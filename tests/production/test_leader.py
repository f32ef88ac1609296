"""A leader reads the dashboard: the charts draw with Chart.js from its hashed static file."""

import re

CHARTS_DRAWN = """() => {
  const canvases = Array.from(document.querySelectorAll("canvas.js-chart"));
  return canvases.length > 0 && window.Chart
    && canvases.every((c) => Chart.getChart(c) && c.width > 0);
}"""


def test_leader_reads_the_dashboard(visit):
    leader = visit("leader")
    page = leader.page
    assert page.url.endswith("/members/staff/")
    leader.goto("/dashboard/")
    chart_js = page.locator("script[src*='/static/vendor/chartjs-']").get_attribute("src")
    assert re.search(r"/chart\.umd\.min\.[0-9a-f]{12}\.js$", chart_js), chart_js
    page.wait_for_function(CHARTS_DRAWN)
    assert page.locator("canvas.js-chart").count() == 3
    leader.screenshot("dashboard-leader")

    # A figure leads to the list behind it, with as many rows as it says.
    figure = page.get_by_test_id("fig-constituents")
    shown = int(re.sub(r"\D", "", figure.locator(".stat").inner_text()))
    assert shown > 0
    leader.follow(figure)
    assert "/members/staff/constituents/" in page.url
    listed = int(re.search(r"\d+", page.locator("main p.text-secondary.small").first.inner_text()).group())
    assert listed == shown

"""A handling unit finds the proposals assigned to it and opens one."""


def test_unit_reads_its_assigned_proposals(visit):
    unit = visit("unit")
    page = unit.page
    assert page.url.endswith("/proposals/unit/")
    rows = page.locator("[data-testid=unit-list] tbody tr")
    # The demo assigns 区教育局 proposals of 十届四次.
    assert rows.count() > 0
    link = rows.first.locator("a").first
    title = link.inner_text().strip()
    unit.follow(link)
    assert title in page.locator("main").inner_text()

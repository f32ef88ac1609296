"""Staff on a desktop: the council's constituents and their Excel export."""

import re

from openpyxl import load_workbook


def test_staff_lists_constituents_and_exports_them(visit, tmp_path):
    staff = visit("staff")
    page = staff.page
    assert page.url.endswith("/members/staff/")
    staff.follow(page.locator("a[href='/members/staff/constituents/']").first)
    # "582 位界别群众" on the demo: read the figure rather than assume it.
    shown = int(re.search(r"\d+", page.locator("main p.text-secondary.small").first.inner_text()).group())
    assert shown > 0
    assert page.locator("table tbody tr").count() > 0

    export = page.locator("a[href^='/members/staff/constituents/export/']")
    with page.expect_response(lambda r: "/constituents/export/" in r.url) as answer, \
            page.expect_download() as download:
        export.click()
    response = answer.value
    assert response.status == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert response.headers["content-disposition"].startswith("attachment")
    assert "max-age=31536000" in response.headers["strict-transport-security"]
    assert download.value.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    sheet = load_workbook(path, read_only=True).active
    rows = [row for row in sheet.iter_rows(min_row=2, values_only=True) if any(row)]
    # The export is the list, all of it.
    assert len(rows) == shown

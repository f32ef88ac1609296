"""Staff on a desktop: the council's constituents and their Excel and CSV exports."""

import csv
import io
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

    exports = "a[href^='/members/staff/constituents/export/']"
    export = page.locator(f"{exports}:not([href*='format=csv'])")
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

    # The same list as CSV, streamed: Excel opens it by its byte-order mark.
    with page.expect_response(lambda r: "format=csv" in r.url) as answer, \
            page.expect_download() as download:
        page.locator(f"{exports}[href*='format=csv']").click()
    assert answer.value.status == 200
    assert answer.value.headers["content-type"].startswith("text/csv")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    text = path.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff")
    records = [row for row in csv.reader(io.StringIO(text[1:])) if any(row)]
    assert len(records) - 1 == shown  # a header, then the list, all of it

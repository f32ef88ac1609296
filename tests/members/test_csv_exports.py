"""The constituent export as streamed CSV (UTF-8 with a byte-order mark, text Excel would run
as a formula kept as text), the same scoping and filters as the list, and Excel workbooks
that go on to another sheet past Excel's row limit."""

import csv
import io
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from members import exports
from members.exports import CONSTITUENT_HEADERS
from tests.factories import ConstituentFactory, MemberFactory

pytestmark = pytest.mark.django_db

EXPORT = "members:constituent-export"


def csv_rows(response):
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="constituents-')
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads the file as UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def test_csv_has_the_columns_and_rows_of_the_excel_export(client_for, staff, member_a, member_b):
    ConstituentFactory(member=member_a, name="王群众", phone="13812345678", community="兴安社区",
                       unit="新兴区某某商店")
    ConstituentFactory(member=member_b, name="赵群众", community="新建社区")
    rows = csv_rows(client_for(staff).get(reverse(EXPORT), {"format": "csv", "community": "兴安"}))
    assert rows[0] == CONSTITUENT_HEADERS
    assert rows[1:] == [["王群众", "13812345678", "张委员", member_a.phone, "经济界", "新兴区某某商店",
                         "", "兴安社区", "", "", "是", ""]]


def test_csv_phones_are_masked_for_leaders_as_on_the_page(client_for, leader, member_a):
    ConstituentFactory(member=member_a, name="王群众", phone="13812345678")
    rows = csv_rows(client_for(leader).get(reverse(EXPORT), {"format": "csv"}))
    assert rows[1][1] == "138****5678"


def test_csv_leaves_out_other_councils(client_for, other_staff, member_a, other_member):
    ConstituentFactory(member=member_a, name="王群众")
    ConstituentFactory(member=other_member, name="外区群众")
    rows = csv_rows(client_for(other_staff).get(reverse(EXPORT), {"format": "csv"}))
    assert [r[0] for r in rows[1:]] == ["外区群众"]


def test_member_and_anonymous_get_no_csv(client_for, member_a, anonymous):
    assert client_for(member_a).get(reverse(EXPORT), {"format": "csv"}).status_code == 403
    assert anonymous.get(reverse(EXPORT), {"format": "csv"}).status_code == 302


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ('=HYPERLINK("http://evil.example","点我")', '\'=HYPERLINK("http://evil.example","点我")'),
        ("+86 138", "'+86 138"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("王,\"小\"\n明", "王,\"小\"\n明"),  # commas, quotes and line breaks quoted, kept whole
        ("李 = 张", "李 = 张"),
    ],
)
def test_csv_keeps_formula_text_as_text_and_quotes_the_rest(client_for, staff, member_a, text, cell):
    ConstituentFactory(member=member_a, name="王群众", notes=text)
    rows = csv_rows(client_for(staff).get(reverse(EXPORT), {"format": "csv"}))
    assert rows[1][CONSTITUENT_HEADERS.index("备注")] == cell


def test_csv_header_leaves_before_the_rows_are_read(client_for, staff, member_a, monkeypatch):
    """The first chunk is the header alone: the download starts before the query runs."""
    ConstituentFactory.create_batch(3, member=member_a)
    monkeypatch.setattr(exports, "CSV_BATCH", 2)
    chunks = list(client_for(staff).get(reverse(EXPORT), {"format": "csv"}).streaming_content)
    assert chunks[0] == ("\ufeff" + ",".join(CONSTITUENT_HEADERS) + "\r\n").encode()
    assert [chunk.count(b"\r\n") for chunk in chunks[1:]] == [2, 1]


@pytest.mark.parametrize("n", [3, 30])
def test_csv_queries_do_not_grow(client_for, django_assert_max_num_queries, staff, council, sector, n):
    for _ in range(n):
        ConstituentFactory(member=MemberFactory(council=council, sector=sector))
    client = client_for(staff)
    with django_assert_max_num_queries(5):  # session, user, council, constituents (one cursor), sector choices
        response = client.get(reverse(EXPORT), {"format": "csv"})
        rows = csv_rows(response)  # the rows are read while the response streams
    assert len(rows) == n + 1


def test_a_workbook_goes_on_to_another_sheet_past_the_row_limit(client_for, staff, member_a, monkeypatch):
    """Excel holds 1,048,576 rows a sheet; here 3, the header included."""
    monkeypatch.setattr(exports, "SHEET_ROWS", 3)
    for name in ["甲", "乙", "丙", "丁", "戊"]:
        ConstituentFactory(member=member_a, name=name)
    response = client_for(staff).get(reverse(EXPORT))
    book = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert book.sheetnames == ["界别群众", "界别群众 (2)", "界别群众 (3)"]
    sheets = [list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets]
    assert all(rows[0] == tuple(CONSTITUENT_HEADERS) for rows in sheets)
    assert [len(rows) for rows in sheets] == [3, 3, 2]
    assert sorted(row[0] for rows in sheets for row in rows[1:]) == sorted(["甲", "乙", "丙", "丁", "戊"])


def test_an_empty_workbook_still_has_its_header(client_for, staff, monkeypatch):
    monkeypatch.setattr(exports, "SHEET_ROWS", 3)
    response = client_for(staff).get(reverse(EXPORT))
    book = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert [list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets] == [[tuple(CONSTITUENT_HEADERS)]]


def test_the_list_offers_csv_for_large_exports(client_for, staff):
    response = client_for(staff).get(reverse("members:constituent-list"), {"community": "兴安"},
                                     HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = response.content.decode()
    assert f'{reverse(EXPORT)}?format=csv&amp;community=' in page
    assert "数据量大时请导出 CSV" in page

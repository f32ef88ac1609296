"""Excel exports written as a stream (``members.xlsx.stream_workbook``): the workbook opens in
openpyxl with its values and types, text never becomes a formula, long lists go on to more
sheets, and the first bytes leave before the rows are read."""

import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook

from members import exports, xlsx
from members.exports import CONSTITUENT_HEADERS
from tests.factories import ConstituentFactory

HEADERS = ["姓名", "数量", "时间"]


def book_of(chunks):
    return load_workbook(BytesIO(b"".join(chunks)))


def test_values_keep_their_types():
    when = datetime(2024, 8, 31, 15, 30, 5, tzinfo=UTC)  # 23:30:05 in Shanghai
    rows = [[
        "王群众", 3, 2.5, Decimal("7.25"), True, None, "", when, datetime(2024, 9, 1, 8, 0),
        date(2024, 9, 21), gettext_lazy("Yes"), "  留 空格  ", "一行\r\n二行",
    ]]
    sheet = book_of(xlsx.stream_workbook(sheet_title="测试", headers=list("ABCDEFGHIJKLM"), rows=rows)).active
    values = [cell.value for cell in sheet[2]]
    assert values == [
        "王群众", 3, 2.5, 7.25, True, None, None, datetime(2024, 8, 31, 23, 30, 5),
        datetime(2024, 9, 1, 8, 0), datetime(2024, 9, 21), str(gettext_lazy("Yes")), "  留 空格  ",
        "一行\r\n二行",
    ]
    assert sheet["H2"].number_format == "yyyy-mm-dd h:mm:ss"
    assert sheet["J2"].number_format == "yyyy-mm-dd"
    assert all(cell.font.b for cell in sheet[1])
    assert not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2"


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://evil.example","点我")', "=1+1", "+86 138", "-1", "@SUM(A1)",
     "<b>&amp;</b> \"引号\" 'x'"],
)
def test_text_is_never_a_formula(text):
    content = b"".join(xlsx.stream_workbook(sheet_title="测试", headers=["备注"], rows=[[text]]))
    cell = load_workbook(BytesIO(content)).active["A2"]
    assert (cell.value, cell.data_type) == (text, "s")
    with zipfile.ZipFile(BytesIO(content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet
    ElementTree.fromstring(sheet)  # well-formed


def test_characters_xml_cannot_hold_are_dropped():
    rows = [["前\x00\x01\x08\x0b\x0c\x1f后\ttab"]]
    sheet = book_of(xlsx.stream_workbook(sheet_title="测试", headers=["备注"], rows=rows)).active
    assert sheet["A2"].value == "前后\ttab"


def test_rows_go_on_to_more_sheets_under_the_same_header():
    rows = [[f"第{n}行", n, None] for n in range(1, 8)]
    book = book_of(xlsx.stream_workbook(sheet_title="联系记录", headers=HEADERS, rows=rows, sheet_rows=3))
    assert book.sheetnames == ["联系记录", "联系记录 (2)", "联系记录 (3)", "联系记录 (4)"]
    sheets = [list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets]
    assert [len(rows) for rows in sheets] == [3, 3, 3, 2]
    assert all(rows[0] == tuple(HEADERS) for rows in sheets)
    assert [row[1] for rows in sheets for row in rows[1:]] == list(range(1, 8))


def test_sheet_names_fit_excel():
    assert xlsx.sheet_name("联系记录", 1) == "联系记录"
    assert xlsx.sheet_name("a/b[c]:d*e?f\\g" * 3, 1) == ("a b c  d e f g" * 3)[:31]
    assert len(xlsx.sheet_name("很长的名字" * 10, 12)) <= 31


def test_an_empty_list_is_a_sheet_with_its_header():
    book = book_of(xlsx.stream_workbook(sheet_title="空", headers=HEADERS, rows=[]))
    assert [list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets] == [[tuple(HEADERS)]]


def test_the_zip_is_written_as_a_stream():
    """Every entry's sizes follow its data (a data descriptor): nothing was sought back to."""
    content = b"".join(xlsx.stream_workbook(sheet_title="测试", headers=HEADERS, rows=[["甲", 1, None]]))
    with zipfile.ZipFile(BytesIO(content)) as archive:
        assert archive.testzip() is None
        assert archive.namelist()[0] == "[Content_Types].xml"
        assert all(info.flag_bits & 0x08 for info in archive.infolist())
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in archive.infolist())


def test_chunks_leave_while_the_rows_are_read(monkeypatch):
    """The first chunk leaves before any row is read, and later ones while rows remain: what
    is held in memory is a batch of rows, not the workbook."""
    monkeypatch.setattr(xlsx, "BATCH_ROWS", 100)
    read = []

    def rows():
        for n in range(5000):
            read.append(n)
            # Text that does not repeat, so that the compressor has bytes to hand out.
            yield [f"群众{n * 7919 % 100003}号", n, f"{n * 104729:x}"]

    chunks = xlsx.stream_workbook(sheet_title="测试", headers=HEADERS, rows=rows())
    first = next(chunks)
    assert first.startswith(b"PK")
    assert read == []
    read_when = [len(read) for _chunk in chunks]
    assert len(read) == 5000
    assert min(read_when) < 5000 / 2  # bytes left long before the last row was read
    assert len([n for n in read_when if n < 5000]) >= 3


@pytest.mark.django_db
def test_an_export_answers_before_it_reads_the_list(client_for, staff, member_a):
    """The constituent export: a streaming response whose first chunk (the zip's first parts
    and the header row) leaves before the query of the list runs."""
    ConstituentFactory.create_batch(3, member=member_a)
    client = client_for(staff)
    with CaptureQueriesContext(connection) as before:
        response = client.get(reverse("members:constituent-export"))
        chunks = iter(response.streaming_content)
        first = next(chunks)
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == xlsx.XLSX_CONTENT_TYPE
    assert first.startswith(b"PK")
    assert not [q for q in before.captured_queries if "members_constituent" in q["sql"]]
    with CaptureQueriesContext(connection) as after:
        rest = b"".join(chunks)
    assert [q for q in after.captured_queries if "members_constituent" in q["sql"]]
    rows = list(load_workbook(BytesIO(first + rest)).active.values)
    assert rows[0] == tuple(CONSTITUENT_HEADERS)
    assert len(rows) == 4


@pytest.mark.django_db
def test_an_export_keeps_formula_text_as_text(client_for, staff, member_a, monkeypatch):
    monkeypatch.setattr(exports, "SHEET_ROWS", 2)
    ConstituentFactory(member=member_a, name="=1+1", notes='=HYPERLINK("http://evil.example")')
    ConstituentFactory(member=member_a, name="王群众")
    response = client_for(staff).get(reverse("members:constituent-export"))
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["界别群众", "界别群众 (2)"]
    cells = [sheet["A2"] for sheet in book.worksheets]
    assert sorted(c.value for c in cells) == ["=1+1", "王群众"]
    assert all(c.data_type == "s" for c in cells)
    notes = CONSTITUENT_HEADERS.index("备注")
    formula_row = next(sheet[2] for sheet in book.worksheets if sheet["A2"].value == "=1+1")
    assert formula_row[notes].value == '=HYPERLINK("http://evil.example")'
    assert formula_row[notes].data_type == "s"


def test_a_workbook_of_several_sheets_with_column_widths():
    """The period report's form: sheets of their own headers, widths and rows, in order."""
    sheets = [
        xlsx.Sheet("摘要", ["指标", "数值"], [["委员", 3], [], ["说明", "=1+1"]], widths={"A": 28, "B": 60}),
        xlsx.Sheet("委员", ["姓名"], ([name] for name in ["甲", "乙", "丙"])),
    ]
    book = book_of(xlsx.stream_sheets(sheets, sheet_rows=3))
    assert book.sheetnames == ["摘要", "摘要 (2)", "委员", "委员 (2)"]
    summary = book["摘要"]
    assert (summary.column_dimensions["A"].width, summary.column_dimensions["B"].width) == (28, 60)
    assert [list(s.values) for s in book.worksheets] == [
        [("指标", "数值"), ("委员", 3)],  # and an empty row, which counts to the limit
        [("指标", "数值"), ("说明", "=1+1")],
        [("姓名",), ("甲",), ("乙",)],
        [("姓名",), ("丙",)],
    ]
    assert book["摘要 (2)"]["B2"].data_type == "s"


def test_openpyxl_workbooks_keep_formula_text_as_text():
    """``safe_row``, for the workbooks still built with openpyxl (the proposal register)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("提案")
    sheet.append(xlsx.safe_row(sheet, ["=1+1", "王", 3]))
    out = BytesIO()
    book.save(out)
    row = load_workbook(BytesIO(out.getvalue())).active[1]
    assert [(c.value, c.data_type) for c in row] == [("=1+1", "s"), ("王", "s"), (3, "n")]

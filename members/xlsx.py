"""Writing Excel files: safely (no formula from the data), and as a stream for the exports.

``stream_workbook`` writes an export's rows as an .xlsx that leaves in chunks while the rows
are read, and ``stream_sheets`` the period report's sheets (see the section below); the
import templates and the proposal register build their workbooks with openpyxl.

openpyxl stores any text that starts with ``=`` as a formula, so a constituent named
``=HYPERLINK(...)`` (typed by a member, or imported) would become a live formula in the
staff's workbook. ``safe_row`` keeps such text as plain text: the value is unchanged (an
exported file still imports back), only its cell type is forced to string.

A CSV file has no cell types: Excel runs any cell that starts with ``=``, ``+``, ``-`` or
``@`` (or a tab or carriage return before one) as a formula when it opens the file.
``csv_text`` puts an apostrophe before such text, as OWASP advises: Excel shows the text and
keeps the apostrophe out of sight.
"""

import io
import math
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils import timezone
from openpyxl.cell.cell import TYPE_FORMULA, TYPE_STRING, Cell
from openpyxl.utils import column_index_from_string


def safe_row(sheet, values: Iterable) -> list:
    """``values`` ready for ``sheet.append``: text that would be read as a formula is wrapped
    in a string-typed cell; everything else is passed through."""
    return [_text_cell(sheet, v) if isinstance(v, str) and v.startswith("=") else v for v in values]


def _text_cell(sheet, text: str) -> Cell:
    cell = Cell(sheet, row=1, column=1, value=text)  # append() places it
    cell.data_type = TYPE_STRING
    return cell


def keep_formulas_as_text(book) -> None:
    """For a workbook built in memory (not write-only): turn every cell openpyxl took for a
    formula back into text. The portal's workbooks never write formulas on purpose."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == TYPE_FORMULA:
                    cell.data_type = TYPE_STRING


# What starts a formula when Excel opens a CSV file (OWASP's "CSV injection" list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """``value`` as a CSV cell Excel will not run as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


# --- A workbook written as a stream -------------------------------------------------------
#
# An .xlsx is a zip of XML parts. Python's ``zipfile`` writes a zip to a stream it cannot seek
# back in (each entry's sizes then follow its data, in a "data descriptor"), so a sheet's XML
# can be made row by row and each batch of rows leaves, compressed, while the database still
# reads the next: the first bytes leave at once and memory stays flat however long the list.
# (openpyxl and XlsxWriter write the zip only when the whole workbook is done.)
#
# The parts are the fewest Excel, LibreOffice and openpyxl open: the content types (every
# .xml part not named otherwise is a worksheet, so they go first without knowing how many
# sheets follow), the package relationships, the styles (bold header, date and date-time
# formats), the sheets, then the workbook and its relationships, which list the sheets.
# Text is written as inline strings (no shared-string table to hold in memory), and an inline
# string is never a formula: text that starts with "=" stays text. Dates and times are real
# Excel dates, in local time (Excel has no time zones), as openpyxl wrote them.

SPREADSHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Excel's limit of rows in a sheet, the header included.
EXCEL_ROWS = 1_048_576
# Without ZIP64 (whose streamed form Excel is strict about) a zip entry holds at most 4 GiB:
# a sheet goes on to the next one before its XML could pass that (a character is at most
# four bytes of UTF-8). Only rows of kilobytes of text come near it before EXCEL_ROWS.
SHEET_CHARS = (zipfile.ZIP64_LIMIT - 2**20) // 4
# Rows encoded and compressed at a time, and zlib's level: the fastest, as the XML's rows
# repeat enough to shrink well at any level.
BATCH_ROWS = 500
COMPRESS_LEVEL = 1

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS_NS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
# Cell styles (the ``s`` attribute): 0 plain, 1 bold (the header), 2 date and time, 3 date.
_BOLD, _DATETIME, _DATE = 1, 2, 3
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{SPREADSHEET_NS}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd h:mm:ss"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
# The sheet's head: the header row frozen in place.
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<worksheet xmlns="{SPREADSHEET_NS}"><sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    "</sheetView></sheetViews>"
)
_SHEET_TAIL = "</sheetData></worksheet>"

# What XML text cannot hold as it is: markup, and control characters XML 1.0 forbids (dropped;
# a carriage return is kept as a character reference, which a parser does not fold into a
# line feed).
_XML_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")
_XML_REPLACEMENT = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
_EXCEL_EPOCH = datetime(1899, 12, 30)
_EXCEL_EPOCH_DAY = _EXCEL_EPOCH.date()


def _xml_text(text: str) -> str:
    if _XML_SPECIAL.search(text) is None:
        return text
    return _XML_SPECIAL.sub(lambda m: _XML_REPLACEMENT.get(m.group(), ""), text)


def _inline_text(text: str, style: str = "") -> str:
    return f'<c t="inlineStr"{style}><is><t xml:space="preserve">{_xml_text(text)}</t></is></c>'


def _cell(value, tz) -> str:
    """One ``<c>``: its place is its order in the row (every cell is written, an empty one as
    ``<c/>``), so no cell reference is needed."""
    kind = type(value)
    if kind is str:
        return _inline_text(value) if value else "<c/>"
    if value is None:
        return "<c/>"
    if kind is bool:
        return f'<c t="b"><v>{int(value)}</v></c>'
    if kind is int or kind is Decimal:
        return f"<c><v>{value}</v></c>"
    if kind is float:
        return f"<c><v>{value!r}</v></c>" if math.isfinite(value) else _inline_text(str(value))
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(tz).replace(tzinfo=None)
        days = (value - _EXCEL_EPOCH).total_seconds() / 86400
        return f'<c s="{_DATETIME}"><v>{days!r}</v></c>'
    if isinstance(value, date):
        return f'<c s="{_DATE}"><v>{(value - _EXCEL_EPOCH_DAY).days}</v></c>'
    if isinstance(value, int | float):  # numbers of other types (IntEnum and the like)
        return f"<c><v>{value!r}</v></c>"
    return _inline_text(str(value))  # lazy translations and anything else: its text


class _Sink(io.RawIOBase):
    """Where the zip is written: collects the bytes until they are taken. It cannot seek, so
    ``zipfile`` writes each entry's sizes after its data."""

    def __init__(self):
        super().__init__()
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def sheet_name(title: str, number: int) -> str:
    """The ``number``-th sheet's name: "联系记录", "联系记录 (2)", … (at most Excel's 31
    characters, none of the characters it refuses)."""
    title = re.sub(r"[\[\]:*?/\\]", " ", str(title)).strip() or "Sheet"
    return title[:31] if number == 1 else f"{title[:25]} ({number})"


@dataclass
class Sheet:
    """A sheet of a streamed workbook: its rows under a bold, frozen ``headers`` row.
    ``widths``: column letter → width in characters (Excel's default is about 8.4)."""

    title: str
    headers: list
    rows: Iterable
    widths: dict[str, float] = field(default_factory=dict)


def stream_workbook(*, sheet_title: str, headers: list, rows: Iterable,
                    sheet_rows: int = EXCEL_ROWS) -> Iterator[bytes]:
    """An .xlsx of ``rows`` under a bold ``headers`` row, as chunks of bytes. A sheet holds at
    most ``sheet_rows`` rows, its header included; the rows after it go on to another sheet
    under the same header. The first chunk leaves before ``rows`` is read from."""
    return stream_sheets([Sheet(sheet_title, headers, rows)], sheet_rows=sheet_rows)


def stream_sheets(sheets: Iterable[Sheet], *, sheet_rows: int = EXCEL_ROWS) -> Iterator[bytes]:
    """An .xlsx of ``sheets``, in order, as chunks of bytes; a sheet longer than
    ``sheet_rows`` goes on to "title (2)", "title (3)" … The first chunk leaves before any
    sheet's rows are read from."""
    tz = timezone.get_current_timezone()
    sink = _Sink()
    book = zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED,
                           compresslevel=COMPRESS_LEVEL)
    book.writestr("[Content_Types].xml", _CONTENT_TYPES)
    book.writestr("_rels/.rels", _PACKAGE_RELS)
    book.writestr("xl/styles.xml", _STYLES)
    yield sink.take()
    names: list[str] = []
    special = _XML_SPECIAL.search
    for sheet in sheets:
        header = (
            '<row r="1">'
            + "".join(_inline_text(str(h), f' s="{_BOLD}"') for h in sheet.headers)
            + "</row>"
        )
        head = (_SHEET_HEAD + _columns(sheet.widths) + "<sheetData>" + header).encode()
        rows, number = sheet.rows, 0

        def next_part(sheet=sheet, head=head):
            nonlocal number
            number += 1
            names.append(sheet_name(sheet.title, number))
            part = book.open(f"xl/worksheets/sheet{len(names)}.xml", "w")
            part.write(head)
            return part

        try:
            part = next_part()
            used, chars, lines = 1, len(header), []
            for row in rows:
                if used >= sheet_rows or chars >= SHEET_CHARS:
                    part.write(("".join(lines) + _SHEET_TAIL).encode())
                    lines.clear()
                    part.close()
                    part = next_part()
                    used, chars = 1, len(header)
                used += 1
                # _cell, with text that needs no escaping and whole numbers (most cells) inline.
                line = f'<row r="{used}">' + "".join([
                    f'<c t="inlineStr"><is><t xml:space="preserve">{v}</t></is></c>'
                    if type(v) is str and v and special(v) is None
                    else f"<c><v>{v}</v></c>" if type(v) is int
                    else _cell(v, tz)
                    for v in row
                ]) + "</row>"
                chars += len(line)
                lines.append(line)
                if len(lines) == BATCH_ROWS:
                    part.write("".join(lines).encode())
                    lines.clear()
                    data = sink.take()
                    if data:
                        yield data
            part.write(("".join(lines) + _SHEET_TAIL).encode())
            part.close()
        finally:
            close = getattr(rows, "close", None)
            if close is not None:  # a generator reading a cursor: it closes the cursor
                close()
    book.writestr("xl/workbook.xml", _workbook_xml(names))
    book.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(names)))
    book.close()
    yield sink.take()


def _columns(widths: dict[str, float]) -> str:
    if not widths:
        return ""
    cols = "".join(
        f'<col min="{n}" max="{n}" width="{width}" customWidth="1"/>'
        for n, width in sorted((column_index_from_string(c), w) for c, w in widths.items())
    )
    return f"<cols>{cols}</cols>"


def _workbook_xml(names: list[str]) -> str:
    sheets = "".join(
        f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{n}" r:id="rId{n}"/>'
        for n, name in enumerate(names, 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{SPREADSHEET_NS}" xmlns:r="{RELATIONSHIPS_NS}">'
        f'<bookViews><workbookView activeTab="0"/></bookViews><sheets>{sheets}</sheets></workbook>'
    )


def _workbook_rels(sheets: int) -> str:
    links = "".join(
        f'<Relationship Id="rId{n}" Type="{RELATIONSHIPS_NS}/worksheet" '
        f'Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, sheets + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'{links}<Relationship Id="rId{sheets + 1}" Type="{RELATIONSHIPS_NS}/styles" '
        'Target="styles.xml"/></Relationships>'
    )

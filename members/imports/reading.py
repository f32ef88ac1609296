"""Reading an upload: the workbook checked before it is read, cells cleaned, names found,
and every problem kept in an ``ImportReport`` with its row and column."""

from __future__ import annotations

import functools
import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from members.imports.columns import EXAMPLE_PREFIX, MAX_COLUMNS, MAX_ROWS, MAX_SHEET_ROWS, Column
from members.phones import normalize_phone


@dataclass
class RowError:
    row: int  # the Excel row number (1 = the header)
    column: str  # the header, or "" for the whole row / file
    message: str


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    notes: list[RowError] = field(default_factory=list)  # what was read other than as written
    created: int = 0
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, row: int, column: str, message) -> None:
        self.errors.append(RowError(row, column, str(message)))

    def note(self, row: int, column: str, message) -> None:
        self.notes.append(RowError(row, column, str(message)))

    def note_lines(self, limit: int = 10) -> list[str]:
        """The notes for staff after an import: one line per note with the rows it applies
        to, so that a name folded on every row of a file is said once."""
        rows_by_note: dict[str, list[int]] = {}
        for note in self.notes:
            rows_by_note.setdefault(note.message, []).append(note.row)
        lines = [
            str(_("Row %(rows)s: %(note)s") % {"rows": _row_list(rows), "note": message})
            for message, rows in list(rows_by_note.items())[:limit]
        ]
        if len(rows_by_note) > limit:
            lines.append(str(_("… and more names were matched by their simplified characters.")))
        return lines


def _row_list(rows: list[int], limit: int = 10) -> str:
    return "、".join(str(r) for r in rows[:limit]) + ("…" if len(rows) > limit else "")



# ---------------------------------------------------------------- reading and cleaning

_CJK_SPACE = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")


def clean_text(value) -> str:
    """A cell as text: full-width forms folded (NFKC), whitespace trimmed and collapsed, and
    spaces between Chinese characters removed ("张 三" → "张三")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 13800000000 typed as a number comes back as a float
    if isinstance(value, datetime | date):
        value = value.strftime("%Y-%m-%d")
    text = unicodedata.normalize("NFKC", str(value))
    text = " ".join(text.split())
    return _CJK_SPACE.sub("", text)


def _header_key(text: str) -> str:
    return clean_text(text).rstrip("*").strip()


NOT_XLSX = _("The file is not an Excel workbook (.xlsx). Please use the template.")


def read_rows(upload, columns, report: ImportReport, *, ignored=()) -> list[tuple[int, dict]]:
    """The data rows of the first sheet as (row number, {key: cleaned text}).

    File-level problems (not an .xlsx, too big unpacked or too wide or long, missing or
    unknown columns, too many rows) go into ``report`` and give no rows.
    """
    wb = _open_workbook(upload, report)
    if wb is None:
        return []
    try:
        ws = wb.worksheets[0]
        if _sheet_too_large(ws, report):
            return []
        keys = _header_keys(ws, columns, report, ignored)
        if report.errors:
            return []
        rows = []
        # Only the header's columns: a stray cell far to the right costs nothing per row.
        lines = ws.iter_rows(min_row=2, max_col=len(keys), values_only=True)
        for number, values in enumerate(lines, start=2):
            if number > MAX_SHEET_ROWS:  # a sheet without a dimension tag, running on
                report.add(0, "", _(
                    "The sheet goes on past row %(rows)s: delete the rows after your data, "
                    "save and upload again."
                ) % {"rows": MAX_SHEET_ROWS})
                return []
            cells = {key: clean_text(v) for key, v in zip(keys, values, strict=False) if key}
            if not any(cells.values()) or cells.get("name", "").startswith(EXAMPLE_PREFIX):
                continue  # blank lines and the template's example row
            if len(rows) >= MAX_ROWS:
                report.add(number, "", _("Too many rows: import at most %(n)s rows at a time.") % {"n": MAX_ROWS})
                return []
            rows.append((number, {c.key: cells.get(c.key, "") for c in columns}))
        if not rows:
            report.add(0, "", _("The file has no data rows."))
        return rows
    finally:
        wb.close()


def _open_workbook(upload, report: ImportReport):
    """The upload as a read-only workbook, or None (and a file-level error) if it is not an
    .xlsx or unpacks to more than IMPORT_MAX_UNCOMPRESSED_BYTES (a zip bomb)."""
    try:
        # The sizes the archive declares are binding: zipfile stops reading a member at its
        # declared size (and fails its CRC check), so a member cannot unpack to more.
        with zipfile.ZipFile(upload) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        upload.seek(0)
    except (zipfile.BadZipFile, OSError, ValueError):
        report.add(0, "", NOT_XLSX)
        return None
    limit = settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    if unpacked > limit:
        report.add(0, "", _(
            "The workbook is too big once unpacked: %(size)s MB, at most %(max)s MB. Remove what "
            "is not needed (pictures, other sheets) or split it into several files."
        ) % {"size": math.ceil(unpacked / 2**20), "max": limit // 2**20})
        return None
    try:
        return load_workbook(upload, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        report.add(0, "", NOT_XLSX)
        return None


def _sheet_too_large(ws, report: ImportReport) -> bool:
    """Whether the sheet's dimension tag (what read-only mode reports as its size) claims
    more than an import reads: openpyxl would pad every row to the claimed width and add
    every claimed row, empty ones included."""
    max_row, max_column = ws.max_row or 0, ws.max_column or 0
    if max_row <= MAX_SHEET_ROWS and max_column <= MAX_COLUMNS:
        return False
    report.add(0, "", _(
        "The sheet's used range reaches cell %(cell)s, but an import reads at most %(rows)s rows "
        "and %(columns)s columns. Delete the rows and columns after your data, save and upload again."
    ) % {
        "cell": f"{get_column_letter(max(max_column, 1))}{max(max_row, 1)}",
        "rows": MAX_SHEET_ROWS, "columns": MAX_COLUMNS,
    })
    return True


def _header_keys(ws, columns, report: ImportReport, ignored) -> list[str | None]:
    """The column key of each header cell (None for a column to ignore), up to the last
    non-empty header cell."""
    first = list(ws.iter_rows(max_row=1, max_col=MAX_COLUMNS, values_only=True))
    header = list(first[0]) if first else []
    while header and not _header_key(header[-1]):
        header.pop()
    by_header = {c.header: c for c in columns}
    keys = []
    for text in header:
        name = _header_key(text)
        if name and name not in by_header and name not in ignored:
            report.add(1, name, _("Unknown column. Please use the template's columns."))
        keys.append(by_header[name].key if name in by_header else None)
    for column in columns:
        if column.required and column.key not in keys:
            report.add(1, column.header, _("This required column is missing."))
    return keys


def check_cells(number: int, cells: dict, columns, report: ImportReport) -> None:
    """Required cells and lengths."""
    for column in columns:
        value = cells[column.key]
        if column.required and not value:
            report.add(number, column.header, _("This cell is required."))
        elif column.max_length and len(value) > column.max_length:
            report.add(
                number, column.header,
                _("Too long: at most %(n)s characters.") % {"n": column.max_length},
            )


@functools.cache
def _t2s():
    # Imported and built on the first name that misses: building takes a fifth of a second.
    from opencc_purepy import OpenCC

    return OpenCC("t2s")


def simplified(text: str) -> str:
    """``text`` with traditional characters folded to simplified ones (工商聯 → 工商联)."""
    return _t2s().convert(text)


class NameIndex:
    """A council's sectors, committees or members by name, as a file writes them.

    A name not found as written is looked up again with traditional characters folded to
    simplified on both sides, so that a file typed on a traditional-character system matches.
    Exact names come first: folding never changes what a name written as stored matches.
    """

    def __init__(self, objects):
        self.by_name: dict[str, list] = {}
        for obj in objects:
            self.by_name.setdefault(obj.name, []).append(obj)
        self._by_simplified: dict[str, list] | None = None

    def find(self, name: str) -> tuple[list, str]:
        """The objects called ``name``, and the simplified form they were matched by ("" if
        matched as written, or not at all)."""
        if name in self.by_name:
            return self.by_name[name], ""
        if self._by_simplified is None:
            self._by_simplified = {}
            for written, objects in self.by_name.items():
                self._by_simplified.setdefault(simplified(written), []).extend(objects)
        folded = simplified(name)
        found = self._by_simplified.get(folded, [])
        return found, folded if found else ""


def note_folded(number: int, column: Column, written: str, folded: str, report: ImportReport) -> None:
    message = _("%(column)s “%(written)s” was matched as the simplified “%(simplified)s”.")
    report.note(number, column.header, message % {"column": column.header, "written": written, "simplified": folded})


def find_named(number: int, column: Column, cells: dict, index: NameIndex, report: ImportReport):
    """The one sector or committee the row's cell names, or None."""
    found, folded = index.find(cells[column.key])
    if len(found) != 1:
        return None
    if folded:
        note_folded(number, column, cells[column.key], folded, report)
    return found[0]


def clean_phone(number: int, column: Column, cells: dict, report: ImportReport) -> str:
    value = cells[column.key]
    if not value:
        return ""
    try:
        return normalize_phone(value)
    except ValidationError as error:
        report.add(number, column.header, " ".join(error.messages))
        return ""

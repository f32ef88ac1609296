"""Excel import of members and constituents: templates, row-by-row validation, all-or-nothing.

An upload is read once, every row is cleaned (full-width characters, stray spaces, phone
formats) and checked (required cells, unknown sector / committee / member names, duplicates
within the file and against the database). Any error → nothing is written and the page
lists every error with its row and column. No error → every row is written in one
transaction.

A name written in traditional characters (工商聯) that matches nothing as written is matched
by its simplified form (工商联), and the report notes it. A file is refused before it is read
if it unpacks to more than ``IMPORT_MAX_UNCOMPRESSED_BYTES`` or its sheet claims more than
``MAX_SHEET_ROWS`` rows or ``MAX_COLUMNS`` columns: openpyxl would otherwise hand out every
empty cell of a sheet that claims the whole grid (A1:XFD1048576) from a file of a few KB.

The header names are Chinese literals on purpose: they are the format of a file that
staff fill in, not UI text, and a file must import the same whatever language the
portal is shown in.
"""

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
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from simple_history.utils import bulk_create_with_history

from members.models import Committee, Constituent, Council, Member, Sector, User
from members.phones import normalize_phone
from members.xlsx import keep_formulas_as_text

MAX_ROWS = 5000
# How far a sheet may reach, blank rows and columns included: room for MAX_ROWS rows between
# blank ones, and for the template's columns, the exports' and a few of staff's own.
MAX_SHEET_ROWS = 2 * MAX_ROWS
MAX_COLUMNS = 100
EXAMPLE_PREFIX = "示例"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    example: str = ""
    max_length: int | None = None

    @property
    def title(self) -> str:
        return f"{self.header}*" if self.required else self.header


MEMBER_COLUMNS = (
    Column("name", "姓名", True, "示例：王晓明", 50),
    Column("phone", "手机号", True, "13800000000", 20),
    Column("gender", "性别", False, "男"),
    Column("sector", "界别", True, "经济界"),
    Column("committee", "专委会", False, "经济委"),
    Column("term", "届次", False, "第十届", 20),
    Column("unit", "工作单位", False, "新兴区某某有限公司", 100),
    Column("title", "职务", False, "总经理", 100),
    Column("zone", "责任区", True, "兴安街道", 200),
)

CONSTITUENT_COLUMNS = (
    Column("name", "姓名", True, "示例：李红", 50),
    Column("phone", "手机号", False, "13900000000", 20),
    Column("member", "联系委员", True, "王晓明"),
    Column("member_phone", "委员手机号", False, "13800000000"),
    Column("sector", "界别", False, "经济界"),
    Column("unit", "工作单位", False, "新兴区某某商店", 100),
    Column("occupation", "职业", False, "个体经营者", 50),
    Column("community", "社区", False, "兴安社区", 100),
    Column("tags", "标签", False, "个体工商户", 200),
    Column("notes", "备注", False, "", None),
)

GENDERS = {"男": Member.Gender.MALE, "女": Member.Gender.FEMALE}

# Columns the exports add after the template's: ignored on import, so that an exported
# file can be edited and imported again.
MEMBER_EXPORT_ONLY = ("状态", "联系群众数", "最近联系")
CONSTITUENT_EXPORT_ONLY = ("是否有效", "最近联系")


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


# ---------------------------------------------------------------- templates


def template_workbook(columns, *, sheet_title: str, sectors: list[str]) -> Workbook:
    """An empty import file: header row, one example row, and a drop-down of sector names."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title
    ws.append([c.title for c in columns])
    ws.append([c.example for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2DCDB")
    for cell in ws[2]:
        cell.font = Font(italic=True, color="808080")
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = max(12, len(column.example) * 2)
        # Phone numbers as text: Excel would otherwise turn them into 1.38E+10.
        if column.key.endswith("phone"):
            for row in range(2, 1002):
                ws.cell(row=row, column=index).number_format = "@"
    ws.freeze_panes = "A2"
    if sectors:
        lists = wb.create_sheet("选项")
        for row, name in enumerate(sectors, start=1):
            lists.cell(row=row, column=1, value=name)
        lists.sheet_state = "hidden"
        sector_index = [c.key for c in columns].index("sector") + 1
        letter = get_column_letter(sector_index)
        validation = DataValidation(
            type="list",
            formula1=f"{quote_sheetname(lists.title)}!$A$1:$A${len(sectors)}",
            allow_blank=True,
        )
        ws.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    keep_formulas_as_text(wb)  # a sector named "=1+1" is a name, not a formula
    return wb


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


# ---------------------------------------------------------------- members


def _columns(columns) -> dict[str, Column]:
    return {c.key: c for c in columns}


def validate_members(council: Council, rows, report: ImportReport) -> list[dict]:
    col = _columns(MEMBER_COLUMNS)
    sectors = NameIndex(Sector.objects.filter(council=council))
    committees = NameIndex(Committee.objects.filter(council=council))
    phones = [normalize_or_blank(cells["phone"]) for _n, cells in rows]
    taken_members = set(
        Member.objects.filter(council=council, phone__in=phones).values_list("phone", flat=True)
    )
    taken_logins = set(User.objects.filter(username__in=phones).values_list("username", flat=True))
    seen: dict[str, int] = {}
    valid = []
    for number, cells in rows:
        before = len(report.errors)
        check_cells(number, cells, MEMBER_COLUMNS, report)
        phone = clean_phone(number, col["phone"], cells, report)
        sector = find_named(number, col["sector"], cells, sectors, report) if cells["sector"] else None
        if cells["sector"] and sector is None:
            report.add(number, col["sector"].header, _("Unknown sector “%(name)s”.") % {"name": cells["sector"]})
        committee = find_named(number, col["committee"], cells, committees, report) if cells["committee"] else None
        if cells["committee"] and committee is None:
            report.add(
                number, col["committee"].header,
                _("Unknown special committee “%(name)s”.") % {"name": cells["committee"]},
            )
        gender = GENDERS.get(cells["gender"], "")
        if cells["gender"] and not gender:
            report.add(number, col["gender"].header, _("Write 男 or 女, or leave it empty."))
        if phone:
            if phone in seen:
                report.add(
                    number, col["phone"].header,
                    _("Same phone number as row %(row)s of this file.") % {"row": seen[phone]},
                )
            elif phone in taken_members:
                report.add(number, col["phone"].header, _("A member with this phone number already exists."))
            elif phone in taken_logins:
                report.add(number, col["phone"].header, _("A login with this phone number already exists."))
            seen.setdefault(phone, number)
        if len(report.errors) == before:
            valid.append({
                "name": cells["name"], "phone": phone, "gender": gender, "sector": sector,
                "committee": committee, "term": cells["term"] or "第十届", "unit": cells["unit"],
                "title": cells["title"], "zone": cells["zone"],
            })
    return valid


def normalize_or_blank(value: str) -> str:
    try:
        return normalize_phone(value) if value else ""
    except ValidationError:
        return ""


def members_import(*, council: Council, upload, by: User) -> ImportReport:
    """Create the members of an uploaded file, with their logins, or nothing at all.

    Each login's username is the member's phone number; its password is unusable until
    staff set one (or the member resets it), so nobody can log in with a guessed password.
    """
    report = ImportReport()
    rows = read_rows(upload, MEMBER_COLUMNS, report, ignored=MEMBER_EXPORT_ONLY)
    report.rows = len(rows)
    valid = validate_members(council, rows, report) if rows else []
    if not report.ok:
        return report
    try:
        with transaction.atomic():
            users = []
            for data in valid:
                user = User(
                    username=data["phone"], display_name=data["name"],
                    role=User.Role.MEMBER, council=council,
                )
                user.set_unusable_password()
                users.append(user)
            users = User.objects.bulk_create(users)
            members = [
                Member(user=user, council=council, status=Member.Status.ACTIVE, **data)
                for user, data in zip(users, valid, strict=True)
            ]
            bulk_create_with_history(members, Member, default_user=by)
    except IntegrityError:
        report.add(0, "", _("Another change saved the same phone number meanwhile. Nothing was imported; please try again."))
        return report
    report.created = len(valid)
    return report


# ---------------------------------------------------------------- constituents


def validate_constituents(council: Council, rows, report: ImportReport) -> list[dict]:
    col = _columns(CONSTITUENT_COLUMNS)
    sectors = NameIndex(Sector.objects.filter(council=council))
    members_by_name = NameIndex(Member.objects.filter(council=council).select_related("sector"))
    taken = set(
        Constituent.objects.filter(council=council)
        .exclude(phone="")
        .filter(phone__in=[normalize_or_blank(cells["phone"]) for _n, cells in rows])
        .values_list("member_id", "phone")
    )
    seen: dict[tuple[int, str], int] = {}
    valid = []
    for number, cells in rows:
        before = len(report.errors)
        check_cells(number, cells, CONSTITUENT_COLUMNS, report)
        phone = clean_phone(number, col["phone"], cells, report)
        member = _find_member(number, cells, members_by_name, col, report)
        if cells["sector"]:
            sector = find_named(number, col["sector"], cells, sectors, report)
        else:
            sector = getattr(member, "sector", None)
        if cells["sector"] and sector is None:
            report.add(number, col["sector"].header, _("Unknown sector “%(name)s”.") % {"name": cells["sector"]})
        if member is not None and phone:
            key = (member.pk, phone)
            if key in seen:
                report.add(
                    number, col["phone"].header,
                    _("Same phone number as row %(row)s of this file.") % {"row": seen[key]},
                )
            elif key in taken:
                report.add(
                    number, col["phone"].header,
                    _("%(member)s already keeps a constituent with this phone number.") % {"member": member.name},
                )
            seen.setdefault(key, number)
        if len(report.errors) == before:
            valid.append({
                "name": cells["name"], "phone": phone, "member": member, "sector": sector,
                "unit": cells["unit"], "occupation": cells["occupation"],
                "community": cells["community"], "tags": cells["tags"], "notes": cells["notes"],
            })
    return valid


def _find_member(number, cells, members_by_name, col, report):
    if not cells["member"]:
        return None
    candidates, folded = members_by_name.find(cells["member"])
    if cells["member_phone"] and len(candidates) > 1:
        phone = normalize_or_blank(cells["member_phone"])
        candidates = [m for m in candidates if m.phone == phone]
    if not candidates:
        report.add(number, col["member"].header, _("Unknown member “%(name)s”.") % {"name": cells["member"]})
        return None
    if len(candidates) > 1:
        report.add(
            number, col["member"].header,
            _("Several members are called “%(name)s”: fill in the member's phone number.") % {"name": cells["member"]},
        )
        return None
    if folded:
        note_folded(number, col["member"], cells["member"], folded, report)
    return candidates[0]


def constituents_import(*, council: Council, upload, by: User) -> ImportReport:
    """Add the constituents of an uploaded file to their members' rosters, or nothing at all."""
    report = ImportReport()
    rows = read_rows(upload, CONSTITUENT_COLUMNS, report, ignored=CONSTITUENT_EXPORT_ONLY)
    report.rows = len(rows)
    valid = validate_constituents(council, rows, report) if rows else []
    if not report.ok:
        return report
    try:
        with transaction.atomic():
            bulk_create_with_history(
                [Constituent(council=council, **data) for data in valid], Constituent, default_user=by
            )
    except IntegrityError:
        report.add(0, "", _("Another change saved the same phone number meanwhile. Nothing was imported; please try again."))
        return report
    report.created = len(valid)
    return report

"""Excel export of the staff lists (members, constituents; contact logs use the same writer).

The workbook is written in openpyxl's write-only mode from a queryset ``.iterator()``: rows
go to a temporary file as they are read, so a province-wide export never holds every row
(or every model instance) in memory at once.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from datetime import datetime

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from members.imports import (
    CONSTITUENT_COLUMNS,
    CONSTITUENT_EXPORT_ONLY,
    GENDERS,
    MEMBER_COLUMNS,
    MEMBER_EXPORT_ONLY,
)
from members.xlsx import safe_row

CHUNK = 2000
GENDER_TEXT = {code: text for text, code in GENDERS.items()}


def excel_value(value):
    """Excel has no time zones: datetimes are written in local time (Asia/Shanghai)."""
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return value


def xlsx_response(*, filename: str, sheet_title: str, headers: list[str], rows: Iterable) -> FileResponse:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_title)
    bold = Font(bold=True)
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    for row in rows:
        ws.append(safe_row(ws, [excel_value(v) for v in row]))
    out = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it once sent
    wb.save(out)
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def stamped(name: str) -> str:
    return f"{name}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"


# Exports start with the import template's columns, so an export can be edited and imported
# into another council (or back after clearing it), then add what only the portal knows.
MEMBER_HEADERS = [c.header for c in MEMBER_COLUMNS] + list(MEMBER_EXPORT_ONLY)
CONSTITUENT_HEADERS = [c.header for c in CONSTITUENT_COLUMNS] + list(CONSTITUENT_EXPORT_ONLY)


def member_rows(queryset) -> Iterable[list]:
    for m in queryset.iterator(chunk_size=CHUNK):
        yield [
            m.name, m.phone, GENDER_TEXT.get(m.gender, ""), m.sector.name,
            m.committee.name if m.committee else "", m.term, m.unit, m.title, m.zone,
            str(m.get_status_display()), m.constituent_count, m.last_contacted_at,
        ]


def constituent_rows(queryset, user) -> Iterable[list]:
    """``user`` decides whether phone numbers are whole or masked (leaders see them masked)."""
    for c in queryset.iterator(chunk_size=CHUNK):
        yield [
            c.name, c.phone_for(user), c.member.name, c.member.phone, c.sector.name, c.unit,
            c.occupation, c.community, c.tags, c.notes, "是" if c.active else "否",
            c.last_contacted_at,
        ]

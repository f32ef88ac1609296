"""Exports of the staff lists (members, constituents; contact logs use the same writers), as
Excel workbooks or as CSV files.

Both read the queryset with ``.iterator()`` (a server-side cursor on PostgreSQL), so a
province-wide export never holds every row in memory, and the big lists read plain values
(``values_list``, names joined in SQL) rather than model instances: one query, whatever the
number of rows.

- **CSV** is streamed: the first rows leave while the database still reads the rest. UTF-8
  with a byte-order mark, so that Excel opens the Chinese text correctly; text Excel would
  run as a formula gets an apostrophe (``members.xlsx.csv_text``).
- **Excel** is streamed too (``members.xlsx.stream_workbook``): the sheet's XML is made row
  by row and leaves compressed, a batch at a time, in an .xlsx written as a stream. A sheet
  holds at most ``SHEET_ROWS`` rows, Excel's limit; the rows after it go on to another sheet
  under the same header. Text is stored as inline strings, never as a formula.

Every export is audited (``record_download``; GB/T 22239-2019 8.1.4.3): who, which file, the
list's filter and how many rows. A streamed file's rows are counted as they leave and its
entry is written when the stream ends — or is cut off, marked incomplete.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.db import transaction
from django.db.models import DateTimeField, Func
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from members import permissions
from members.audit import Action, current_request, record
from members.imports import (
    CONSTITUENT_COLUMNS,
    CONSTITUENT_EXPORT_ONLY,
    GENDERS,
    MEMBER_COLUMNS,
    MEMBER_EXPORT_ONLY,
)
from members.models.constituent import mask_phone
from members.xlsx import EXCEL_ROWS, FORMULA_STARTS, XLSX_CONTENT_TYPE, stream_workbook

CHUNK = 2000
GENDER_TEXT = {code: text for text, code in GENDERS.items()}


# Excel's limit of rows in a sheet, the header included (a module constant: tests lower it).
SHEET_ROWS = EXCEL_ROWS
# CSV rows written to the response at a time: a few hundred kilobytes.
CSV_BATCH = 1000


# Query parameters that say how a list is shown, not which rows it holds.
_NOT_FILTERS = {"page", "format"}


def record_download(*, filename: str, rows: int | None, complete: bool = True, request=None,
                    **detail) -> None:
    """An audit entry for a file of personal data leaving the portal: who, which file, the
    filter of the list it came from (the request's query), how many rows."""
    request = request if request is not None else current_request()
    query = {}
    if request is not None:
        query = {k: v for k, v in request.GET.lists() if k not in _NOT_FILTERS and any(v)}
        query = {k: v[0] if len(v) == 1 else v for k, v in query.items()}
    record(
        Action.EXPORT,
        request=request,
        detail={"file": filename, "filter": query, "rows": rows, "complete": complete, **detail},
    )


def audited_rows(rows: Iterable, *, filename: str) -> Iterable:
    """``rows``, counted as they are read; the export's audit entry is written when they
    end, or when the download stops early (``complete`` false)."""
    request = current_request()  # now: the middleware lets it go once the view returns

    def counted():
        count, complete = 0, False
        source = iter(rows)
        try:
            for row in source:
                count += 1
                yield row
            complete = True
        finally:
            # A download cut off: end the reading first (its transaction, if it has one),
            # so that the entry is written on its own and not rolled back with it.
            close = getattr(source, "close", None)
            if close is not None:
                close()
            record_download(filename=filename, rows=count, complete=complete, request=request)

    return counted()


def unbuffered(response: StreamingHttpResponse) -> StreamingHttpResponse:
    """Tell nginx to pass the stream on as it comes rather than spool it: a province's export
    would otherwise be written to the proxy's temporary files (personal data on its disk, a
    gigabyte before nginx stops reading) and the audit would see the stream end when nginx,
    not the browser, had it all. The download holds a gunicorn thread while it streams; the
    threaded workers are not killed for it (deploy/gunicorn.conf.py)."""
    response["X-Accel-Buffering"] = "no"
    return response


def xlsx_response(*, filename: str, sheet_title: str, headers: list[str],
                  rows: Iterable) -> StreamingHttpResponse:
    """``rows`` as an Excel workbook, streamed: the first bytes leave before the rows are read."""
    response = StreamingHttpResponse(
        stream_workbook(sheet_title=str(sheet_title), headers=headers,
                        rows=audited_rows(rows, filename=filename), sheet_rows=SHEET_ROWS),
        content_type=XLSX_CONTENT_TYPE,
    )
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return unbuffered(response)


# The first characters that make Excel read a CSV cell as a formula (``members.xlsx``).
_FORMULA_FIRST = frozenset(FORMULA_STARTS)


def csv_value(value, tz=None):
    """A value as a CSV cell: local time without seconds, as on the pages; text that Excel
    would run as a formula kept as text (``members.xlsx.csv_text``); no value, an empty cell.
    Called for every cell of a million rows: the common case (text) is tested first."""
    if type(value) is str:
        return "'" + value if value[:1] in _FORMULA_FIRST else value
    if value is None:
        return ""
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            return value.isoformat(" ", "minutes")
        return value.astimezone(tz or timezone.get_current_timezone()).isoformat(" ", "minutes")[:16]
    return value


def csv_response(*, filename: str, headers: list[str], rows: Iterable) -> StreamingHttpResponse:
    """``rows`` streamed as CSV (UTF-8 with a byte-order mark, for Excel)."""
    response = StreamingHttpResponse(
        _csv_chunks(headers, audited_rows(rows, filename=filename)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return unbuffered(response)


def _csv_chunks(headers: list[str], rows: Iterable):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    # The header goes at once: the browser shows the download before the rows are read.
    yield ("\ufeff" + _drain(buffer)).encode()
    tz = timezone.get_current_timezone()
    formula_first = _FORMULA_FIRST
    for count, row in enumerate(rows, 1):
        # csv_value, with text (most cells) handled inline: a million rows of a dozen cells.
        writer.writerow([
            ("'" + v if v[:1] in formula_first else v) if type(v) is str else csv_value(v, tz)
            for v in row
        ])
        if count % CSV_BATCH == 0:
            yield _drain(buffer).encode()
    rest = _drain(buffer)
    if rest:
        yield rest.encode()


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


# A date-time field read in local time (``read_values``).
LOCAL_TIME = "%s__local"


class LocalTime(Func):
    """A date-time column in local time: on PostgreSQL a ``timestamp`` (without time zone,
    ``AT TIME ZONE``), which the driver decodes in C, where a ``timestamptz`` goes through
    Django's loader in Python (a tenth of a million rows' time). Other databases read the
    column as it is (an aware date-time: the writers put it in local time)."""

    output_field = DateTimeField()

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} AT TIME ZONE %s)", (*params, timezone.get_current_timezone_name())


def read_values(queryset, fields: Iterable[str], chunk_size: int = CHUNK) -> Iterator[tuple]:
    """The ``fields`` of ``queryset``'s rows, as tuples, read by one server-side cursor; a
    field named ``LOCAL_TIME % "field"`` is that date-time in local time (``LocalTime``).

    The cursor is read inside a transaction. Outside one, Django declares it ``WITH HOLD``,
    and PostgreSQL then computes and stores the whole result before it hands out the first
    row (for a million sorted rows, seconds, and the rows written to disk once more); inside,
    the rows come as the plan produces them.
    """
    suffix = LOCAL_TIME % ""
    local = {f: LocalTime(f.removesuffix(suffix)) for f in fields if f.endswith(suffix)}
    # No savepoint inside a caller's transaction: nothing is written.
    with transaction.atomic(using=queryset.db, savepoint=False):
        yield from queryset.annotate(**local).values_list(*fields).iterator(chunk_size=chunk_size)


def stamped(name: str, extension: str = "xlsx") -> str:
    return f"{name}-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


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


CONSTITUENT_VALUES = (
    "name", "phone", "member_id", "member__name", "member__phone", "sector__name", "unit",
    "occupation", "community", "tags", "notes", "active", LOCAL_TIME % "last_contacted_at",
)


def constituent_rows(queryset, user) -> Iterable[list]:
    """``user`` decides whether phone numbers are whole or masked, as on the page
    (``permissions.can_see_constituent_phone``: staff all, a member their own, leaders
    none). Plain values of one query: a province export reads a million rows."""
    whole_for = _phones_whole_for(user)
    for (name, phone, member_id, member_name, member_phone, sector, unit, occupation,
         community, tags, notes, active, last_contacted_at) in read_values(queryset, CONSTITUENT_VALUES):
        yield [
            name, phone if whole_for(member_id) else mask_phone(phone), member_name,
            member_phone, sector, unit, occupation, community, tags, notes,
            "是" if active else "否", last_contacted_at,
        ]


def _phones_whole_for(user):
    """Whether ``user`` sees the phone of a constituent kept by a given member: the rule of
    ``permissions.can_see_constituent_phone``, decided once for the whole export."""
    if permissions.is_staff(user):
        return lambda member_id: True
    member = permissions.member_of(user)
    own = member.pk if member is not None else None
    return lambda member_id: member_id == own

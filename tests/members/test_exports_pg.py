"""Exports on PostgreSQL: the rows are read by a cursor that hands them out as the query
produces them (not one declared WITH HOLD, which PostgreSQL computes and stores whole before
the first row), and date-times read in local time by the database are the same as those the
writers convert (the SQLite tests cover the latter)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from io import BytesIO

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from activities.contacts.exports import HEADERS as LOG_HEADERS
from members.exports import CONSTITUENT_HEADERS
from tests.factories import ConstituentFactory, ContactLogFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WHEN = timezone.make_aware(datetime(2024, 8, 31, 23, 30, 5))  # Asia/Shanghai


def _named_cursors(client, name: str, params: dict) -> list[bool]:
    """Whether each server-side (named) cursor the export read was declared WITH HOLD."""
    held = []

    def record(execute, sql, params, many, context):
        cursor = context["cursor"].cursor
        if getattr(cursor, "name", None):  # psycopg's named (server-side) cursors only
            held.append(cursor.withhold)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        b"".join(client.get(reverse(name), params).streaming_content)
    return held


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_cursor_is_read_as_the_rows_come(client_for, staff, member_a, fmt):
    """Outside a transaction (autocommit, as in production) Django would declare the cursor
    WITH HOLD; the export reads it inside one. Asked of the cursor itself: with the
    parameters bound by the server, psycopg declares it without Django seeing the DECLARE."""
    ConstituentFactory.create_batch(3, member=member_a)
    ContactLogFactory(member=member_a)
    client = client_for(staff)
    for name in ["members:constituent-export", "activities:contactlog-export"]:
        held = _named_cursors(client, name, {"format": fmt} if fmt == "csv" else {})
        assert held, name
        assert not any(held), name


def test_date_times_are_local(client_for, staff, member_a):
    person = ConstituentFactory(member=member_a, name="王群众", last_contacted_at=WHEN)
    ContactLogFactory(member=member_a, constituents=[person], contacted_at=WHEN)
    client = client_for(staff)

    def csv_rows(name):
        content = b"".join(client.get(reverse(name), {"format": "csv"}).streaming_content)
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))

    def xlsx_rows(name):
        content = b"".join(client.get(reverse(name)).streaming_content)
        return list(load_workbook(BytesIO(content)).active.values)

    last = CONSTITUENT_HEADERS.index("最近联系")
    assert csv_rows("members:constituent-export")[1][last] == "2024-08-31 23:30"
    assert xlsx_rows("members:constituent-export")[1][last] == datetime(2024, 8, 31, 23, 30, 5)
    assert csv_rows("activities:contactlog-export")[1][LOG_HEADERS.index("时间")] == "2024-08-31 23:30"
    assert xlsx_rows("activities:contactlog-export")[1][0] == datetime(2024, 8, 31, 23, 30, 5)

"""Excel import: files that would tie up a worker are refused at once, and names written in
traditional characters match the portal's simplified ones."""

import re
import zipfile
from io import BytesIO

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from members.models import Constituent, Member, User
from tests.factories import SectorFactory
from tests.members.test_imports import (
    CONSTITUENT_HEADER,
    MEMBER_HEADER,
    constituent_row,
    errors,
    member_row,
    post,
)

pytestmark = pytest.mark.django_db

SHEET = "xl/worksheets/sheet1.xml"


def workbook_bytes(rows, *, far_cell=False) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    if far_cell:
        wb.active.cell(row=1048576, column=16384, value="x")  # XFD1048576, Excel's last cell
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def rewrite_sheet(content: bytes, change) -> bytes:
    """The same workbook with its first sheet's XML passed through ``change``."""
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info.filename, change(data) if info.filename == SHEET else data)
    return out.getvalue()


def upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("members.xlsx", content)


@pytest.fixture
def cells_read(monkeypatch):
    """Counts the rows and cells openpyxl's reader hands out, and stops a runaway read early
    (the unfixed reader would go on for minutes)."""
    seen = {"rows": 0, "cells": 0}
    original = ReadOnlyWorksheet._cells_by_row

    def counting(self, *args, **kwargs):
        for row in original(self, *args, **kwargs):
            seen["rows"] += 1
            seen["cells"] += len(row)
            assert seen["rows"] <= 50_000, f"runaway read: {seen}"
            assert seen["cells"] <= 500_000, f"runaway read: {seen}"
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row", counting)
    return seen


@pytest.fixture
def staff_client(client_for, staff, sector, committee):
    return client_for(staff)


def nothing_written(council):
    return not Member.objects.filter(council=council).exists() and not User.objects.filter(username="13800000001").exists()


# ---------------------------------------------------------------- oversized sheets


def replace_dimension(xml: bytes, new: bytes) -> bytes:
    xml, found = re.subn(rb"<dimension [^>]*/>", new, xml)
    assert found == 1
    return xml


def claimed_dimension(content):
    return rewrite_sheet(content, lambda xml: replace_dimension(xml, b'<dimension ref="A1:XFD1048576"/>'))


def far_cell_without_dimension(content):
    return rewrite_sheet(content, lambda xml: replace_dimension(xml, b""))


@pytest.mark.parametrize(
    ("far_cell", "change", "message"),
    [
        (False, claimed_dimension, "XFD1048576"),  # a dimension tag that claims the whole grid
        (True, lambda content: content, "XFD1048576"),  # one cell in Excel's last cell
        (True, far_cell_without_dimension, "10000"),  # the same without a dimension tag
    ],
)
def test_a_sheet_that_claims_the_whole_grid_is_refused_at_once(
    staff_client, council, cells_read, far_cell, change, message
):
    content = change(workbook_bytes([MEMBER_HEADER, member_row()], far_cell=far_cell))
    assert len(content) < 10_000
    response = post(staff_client, "members:member-import", upload(content))
    assert response.status_code == 200
    found = errors(response)
    assert len(found) == 1, found
    _row, _column, text = found[0]
    assert message in text, found
    assert "单元格" in text or "行" in text, found
    assert nothing_written(council)
    assert cells_read["cells"] <= 100_000, cells_read


def test_only_the_header_columns_are_read(staff_client, council, cells_read):
    """A stray value far to the right (within the limits) costs nothing per row."""
    wb = Workbook()
    wb.active.append(MEMBER_HEADER)
    wb.active.append(member_row())
    wb.active.cell(row=3, column=90, value="旁注")
    out = BytesIO()
    wb.save(out)
    response = post(staff_client, "members:member-import", upload(out.getvalue()))
    assert response.status_code == 302
    assert Member.objects.filter(council=council).count() == 1
    assert cells_read["cells"] <= 100 + 2 * len(MEMBER_HEADER), cells_read


def test_a_zip_bomb_is_refused_before_it_is_unpacked(staff_client, council, cells_read):
    """64 MiB of whitespace inside the sheet compresses to some 64 KB: the unpacked
    size is refused before anything parses the sheet."""
    padding = b" " * (64 * 2**20)
    content = rewrite_sheet(
        workbook_bytes([MEMBER_HEADER, member_row()]),
        lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + padding),
    )
    assert len(content) < 1_000_000
    response = post(staff_client, "members:member-import", upload(content))
    assert response.status_code == 200
    found = errors(response)
    assert len(found) == 1, found
    assert "解压后" in found[0][2], found
    assert cells_read["rows"] == 0
    assert nothing_written(council)


# ---------------------------------------------------------------- traditional characters


def test_traditional_names_match_their_simplified_form(staff_client, council, member_a):
    SectorFactory(council=council, name="工商联")
    response = post(
        staff_client, "members:member-import",
        upload(workbook_bytes([MEMBER_HEADER, member_row(sector="工商聯", committee="經濟委")])),
    )
    assert response.status_code == 302, errors(response)
    member = Member.objects.get(council=council, phone="13800000001")
    assert (member.sector.name, member.committee.name) == ("工商联", "经济委")
    notes = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "界别“工商聯”按简体“工商联”匹配" in notes
    assert "专委会“經濟委”按简体“经济委”匹配" in notes
    assert "第 2 行" in notes


def test_traditional_member_name_matches_in_constituent_import(staff_client, council, member_a, other_sector):
    row = constituent_row(member="張委員", sector="教育界")
    response = post(staff_client, "members:constituent-import", upload(workbook_bytes([CONSTITUENT_HEADER, row])))
    assert response.status_code == 302, errors(response)
    person = Constituent.objects.get(council=council)
    assert (person.member, person.sector) == (member_a, other_sector)
    notes = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "联系委员“張委員”按简体“张委员”匹配" in notes


def test_traditional_names_that_match_nothing_are_still_refused(staff_client, council):
    SectorFactory(council=council, name="工商联")
    response = post(
        staff_client, "members:member-import",
        upload(workbook_bytes([MEMBER_HEADER, member_row(sector="工商聯合會")])),
    )
    assert (2, "界别", "未知界别“工商聯合會”。") in errors(response)
    assert nothing_written(council)

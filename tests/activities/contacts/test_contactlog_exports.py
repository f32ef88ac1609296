"""The contact-log export as streamed CSV and as Excel: the list's scope and filters, the names
of the people reached joined in SQL, and the same few queries however many logs."""

import csv
import io
from datetime import datetime
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from activities.contacts.exports import HEADERS
from activities.models import Channel, ContactLog
from members import exports
from tests.factories import ConstituentFactory, ContactLogFactory, MemberFactory

pytestmark = pytest.mark.django_db

EXPORT = "activities:contactlog-export"


def csv_rows(response):
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


@pytest.fixture
def logs(member_a, member_b):
    wang, li = ConstituentFactory(member=member_a, name="王群众"), ConstituentFactory(member=member_a, name="李群众")
    return [
        ContactLogFactory(member=member_a, constituents=[wang, li], channel=Channel.FORUM,
                          contacted_at=timezone.make_aware(datetime(2024, 8, 31, 23, 30)),
                          summary="=1+1 座谈", opinions="修路,\"尽快\"", difficulty=True,
                          difficulty_kind=ContactLog.Difficulty.ENTERPRISE),
        ContactLogFactory(member=member_b, channel=Channel.READING, summary="读书"),
    ]


def test_csv_rows(client_for, leader, logs):
    rows = csv_rows(client_for(leader).get(reverse(EXPORT), {"format": "csv", "channel": "forum"},
                                           HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert rows[0] == HEADERS
    assert len(rows) == 2
    row = dict(zip(HEADERS, rows[1], strict=True))
    assert row["时间"] == "2024-08-31 23:30"
    assert row["委员"] == "张委员"
    assert sorted(row["界别群众"].split("、")) == ["李群众", "王群众"]
    assert row["渠道"] == "座谈交流"
    assert row["联系内容"] == "'=1+1 座谈"  # never a formula in Excel
    assert row["意见建议"] == "修路,\"尽快\""
    assert (row["困难"], row["困难类型"]) == ("是", "企业困难")


def test_excel_rows_join_the_people_too(client_for, staff, logs):
    response = client_for(staff).get(reverse(EXPORT), {"channel": "forum"})
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).worksheets[0].values)
    assert sorted(rows[1][HEADERS.index("界别群众")].split("、")) == ["李群众", "王群众"]


def test_outsider_gets_no_row(client_for, other_staff, logs):
    assert csv_rows(client_for(other_staff).get(reverse(EXPORT), {"format": "csv"})) == [HEADERS]


def test_member_gets_no_csv(client_for, member_a, logs):
    assert client_for(member_a).get(reverse(EXPORT), {"format": "csv"}).status_code == 403


@pytest.mark.parametrize("n", [3, 30])
def test_queries_do_not_grow(client_for, django_assert_max_num_queries, staff, council, sector, n):
    for _ in range(n):
        member = MemberFactory(council=council, sector=sector)
        ContactLogFactory(member=member, constituents=ConstituentFactory.create_batch(2, member=member))
    client = client_for(staff)
    # session, user, council, the logs with their people's names (one cursor), the filter's
    # choices (sector, committee)
    with django_assert_max_num_queries(6):
        assert len(csv_rows(client.get(reverse(EXPORT), {"format": "csv"}))) == n + 1
    with django_assert_max_num_queries(6):
        response = client.get(reverse(EXPORT))
        assert len(list(load_workbook(BytesIO(b"".join(response.streaming_content))).worksheets[0].values)) == n + 1


def test_a_long_export_goes_on_to_another_sheet(client_for, staff, member_a, monkeypatch):
    monkeypatch.setattr(exports, "SHEET_ROWS", 2)
    for _ in range(3):
        ContactLogFactory(member=member_a)
    response = client_for(staff).get(reverse(EXPORT))
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["联系记录", "联系记录 (2)", "联系记录 (3)"]
    assert all(sheet["A1"].value == "时间" and sheet.max_row == 2 for sheet in book.worksheets)


def test_the_list_offers_csv(client_for, staff):
    page = client_for(staff).get(reverse("activities:contactlog-list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert f'href="{reverse(EXPORT)}?format=csv"' in page.content.decode()

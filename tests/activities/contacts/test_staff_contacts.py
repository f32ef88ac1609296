"""Staff list of contact logs: filters, export, outsiders and query budgets."""

from datetime import datetime
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from activities.common.filters import month_range
from activities.contacts.exports import HEADERS
from activities.models import Channel, ContactLog
from members.models import Member
from tests.factories import ConstituentFactory, ContactLogFactory, MemberFactory

pytestmark = pytest.mark.django_db


def at(*args):
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def logs(member_a, member_b):
    wang = ConstituentFactory(member=member_a, name="王群众")
    return [
        ContactLogFactory(member=member_a, constituents=[wang], channel=Channel.CLINIC,
                          contacted_at=at(2024, 9, 1, 0, 30), summary="送医义诊"),
        ContactLogFactory(member=member_a, constituents=[wang], channel=Channel.FORUM,
                          contacted_at=at(2024, 8, 31, 23, 30), summary="座谈",
                          difficulty=True, difficulty_kind=ContactLog.Difficulty.ENTERPRISE),
        ContactLogFactory(member=member_b, channel=Channel.READING,
                          contacted_at=at(2024, 9, 20, 9), summary="读书"),
    ]


def summaries(client, **params):
    response = client.get(reverse("activities:contactlog-list"), params)
    assert response.status_code == 200
    return sorted(log.summary for log in response.context["page"])


def test_filters(client_for, staff, logs, member_b):
    client = client_for(staff)
    assert summaries(client) == ["座谈", "读书", "送医义诊"]
    assert summaries(client, channel="clinic") == ["送医义诊"]
    # Months are local (Asia/Shanghai): 00:30 on 1 September is September.
    assert summaries(client, month="2024-09") == ["读书", "送医义诊"]
    assert summaries(client, month="2024-08") == ["座谈"]
    assert summaries(client, member=member_b.pk) == ["读书"]
    assert summaries(client, difficulty="true") == ["座谈"]
    assert summaries(client, difficulty_kind="enterprise") == ["座谈"]


def test_bad_month_is_refused_in_chinese(client_for, staff, logs):
    response = client_for(staff).get(reverse("activities:contactlog-list"), {"month": "2024-13"},
                                     HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert "month" in response.context["filter"].form.errors


def test_month_range_is_local():
    start, end = month_range("2024-12")
    assert (start.year, start.month, end.year, end.month) == (2024, 12, 2025, 1)
    assert month_range("24-1") is None
    assert month_range("2024-00") is None


def test_outsider_sees_none(client_for, other_staff, logs):
    assert summaries(client_for(other_staff)) == []
    response = client_for(other_staff).get(reverse("activities:contactlog-export"))
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).worksheets[0].values)
    assert rows == [tuple(HEADERS)]


def test_member_and_anonymous_are_kept_out(client_for, member_a, anonymous):
    assert client_for(member_a).get(reverse("activities:contactlog-list")).status_code == 403
    assert client_for(member_a).get(reverse("activities:contactlog-export")).status_code == 403
    assert anonymous.get(reverse("activities:contactlog-list")).status_code == 302


def test_export_contents(client_for, leader, logs):
    response = client_for(leader).get(reverse("activities:contactlog-export"), {"channel": "forum"},
                                      HTTP_ACCEPT_LANGUAGE="zh-hans")
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).worksheets[0].values)
    assert rows[0] == tuple(HEADERS)
    assert len(rows) == 2
    row = dict(zip(HEADERS, rows[1], strict=True))
    assert row["时间"] == datetime(2024, 8, 31, 23, 30)
    assert row["委员"] == "张委员"
    assert row["界别群众"] == "王群众"
    assert row["渠道"] == "座谈交流"
    assert row["困难"] == "是"


@pytest.mark.parametrize("n", [3, 30])
def test_query_budget(client_for, django_assert_max_num_queries, staff, council, sector, n):
    for _ in range(n):
        member = MemberFactory(council=council, sector=sector)
        ContactLogFactory(member=member, constituents=ConstituentFactory.create_batch(2, member=member))
    assert Member.objects.filter(council=council).count() == n
    client = client_for(staff)
    with django_assert_max_num_queries(11):  # session, user, council, capped count, page ids, page rows, their constituents, member, sector, committee, tag choices
        client.get(reverse("activities:contactlog-list"))
    # The workbook is written as it is sent: read it inside the block, or its queries escape.
    with django_assert_max_num_queries(5):  # session, user, council, the logs with their people's names (one chunk), audit entry
        response = client.get(reverse("activities:contactlog-export"))
        workbook = b"".join(response.streaming_content)
    assert len(list(load_workbook(BytesIO(workbook)).worksheets[0].values)) == n + 1

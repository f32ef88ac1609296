"""``?format=xlsx`` on the coverage page: the "who is missing what" table as a workbook, every
row of it (not one page), scoped like the page."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from members.models import Member
from tests.factories import ConstituentFactory, MemberFactory

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
URL = reverse("members:coverage")


def sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(BytesIO(b"".join(response.streaming_content))).worksheets[0]


def rows(response) -> list[tuple]:
    return list(sheet(response).iter_rows(values_only=True))


def test_the_export_holds_the_table_the_page_shows(client_for, staff, council, member_a, member_b,
                                                   sector, committee):
    ConstituentFactory(member=member_a)
    MemberFactory(council=council, sector=sector, committee=None, name="王委员")
    MemberFactory(council=council, sector=sector, name="已离任委员", status=Member.Status.INACTIVE)
    client = client_for(staff)
    page = client.get(URL)
    shown = [(m.name, m.sector.name, m.committee.name if m.committee else None, "无联系群众")
             for m in page.context["page"]]
    assert [name for name, *_rest in shown] == ["李委员", "王委员"]  # by sector, then name
    exported = rows(client.get(URL, {"format": "xlsx"}))
    assert exported[0] == ("姓名", "界别", "专委会", "缺少")
    assert exported[1:] == shown
    assert 'href="?format=xlsx"' in page.content.decode()


def test_the_export_holds_every_row_not_one_page(client_for, staff, council, sector):
    MemberFactory.create_batch(55, council=council, sector=sector)
    client = client_for(staff)
    assert len(client.get(URL).context["page"]) == 50
    assert len(rows(client.get(URL, {"format": "xlsx"}))) == 1 + 55


def test_the_export_keeps_names_as_text(client_for, staff, council, sector):
    MemberFactory(council=council, sector=sector, name="=1+1")
    cell = next(sheet(client_for(staff).get(URL, {"format": "xlsx"})).iter_rows(min_row=2))[0]
    assert (cell.value, cell.data_type) == ("=1+1", "s")


def test_the_export_is_scoped_like_the_page(client_for, member_a, other_staff, leader):
    assert client_for(member_a).get(URL, {"format": "xlsx"}).status_code == 403
    assert rows(client_for(other_staff).get(URL, {"format": "xlsx"}))[1:] == []
    assert [r[0] for r in rows(client_for(leader).get(URL, {"format": "xlsx"}))[1:]] == ["张委员"]


@pytest.mark.parametrize("n", [3, 30])
def test_export_query_budget(client_for, staff, council, sector, committee,
                             django_assert_max_num_queries, n):
    MemberFactory.create_batch(n, council=council, sector=sector, committee=committee)
    client = client_for(staff)
    # session, user, council, the members missing something (with sector and committee),
    # the audit entry
    with django_assert_max_num_queries(5):
        assert len(rows(client.get(URL, {"format": "xlsx"}))) == 1 + n

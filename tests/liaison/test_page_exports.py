"""``?format=xlsx`` on the duty-points ranking gives the page's table as a workbook; on the
period report without a period it is refused with a message, never answered with the page."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import ConstituentFactory, MemberFactory
from tests.liaison.conftest import build_world

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
POINTS = reverse("liaison:points")
REPORT = reverse("liaison:report")
YEAR = {"from": "2025-01-01", "to": "2025-12-31"}


def sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(BytesIO(b"".join(response.streaming_content))).worksheets[0]


def rows(response) -> list[tuple]:
    return list(sheet(response).iter_rows(values_only=True))


def ranking_shown(page) -> list[tuple]:
    return [
        (m.name, m.sector.name, m.sector_rank, m.committee.name if m.committee else None,
         m.committee_rank, m.points)
        for m in page.context["page"]
    ]


# --- duty points ----------------------------------------------------------------------------


def test_the_points_export_holds_the_ranking_the_page_shows(client_for, staff, world, sector):
    client = client_for(staff)
    query = {**YEAR, "council": staff.council_id, "sector": sector.pk}
    page = client.get(POINTS, query)
    shown = ranking_shown(page)
    assert len(shown) == 3  # the sector's serving members, ranked
    exported = rows(client.get(POINTS, {**query, "format": "xlsx"}))
    assert exported[0] == ("委员", "界别", "界别内排名", "专委会", "专委会内排名", "履职积分")
    assert exported[1:] == shown
    assert f'href="?{page.context["query"].replace("&", "&amp;")}&amp;format=xlsx"' in page.content.decode()


def test_the_points_export_keeps_names_as_text(client_for, staff, council, sector, committee):
    member = MemberFactory(council=council, sector=sector, committee=committee, name="=HYPERLINK(\"x\")")
    ConstituentFactory(member=member)
    cells = list(sheet(client_for(staff).get(POINTS, {"format": "xlsx"})).iter_rows(min_row=2))
    assert cells[0][0].value == member.name
    assert cells[0][0].data_type == "s"  # text, not a live formula


def test_the_points_export_is_scoped_like_the_page(client_for, staff, member_a, other_staff, world,
                                                  council):
    assert client_for(member_a).get(POINTS, {"format": "xlsx"}).status_code == 403
    outsider = client_for(other_staff)
    assert outsider.get(POINTS, {"council": council.pk, "format": "xlsx"}).status_code == 404
    assert rows(outsider.get(POINTS, {"format": "xlsx"}))[1:] == []  # their own council: empty


@pytest.mark.parametrize("size", [1, 3])
def test_points_export_query_budget(client_for, council, staff, sector, other_sector, committee,
                                    other_committee, django_assert_max_num_queries, size):
    world = build_world(council, staff, sectors=[sector, other_sector],
                        committees=[committee, other_committee], size=size)
    client = client_for(staff)
    # session, user, the user's council, scheme, members (annotated and ranked, with sector
    # and committee), the audit entry
    with django_assert_max_num_queries(6):
        exported = rows(client.get(POINTS, {"format": "xlsx"}))
    assert len(exported) == 1 + len(world["members"]) + 1  # header, members, the one without constituents


# --- the period report ----------------------------------------------------------------------


def test_the_workbook_without_a_period_is_refused_with_a_message(client_for, staff, world):
    client = client_for(staff)
    response = client.get(REPORT, {"format": "xlsx"})
    assert response.status_code == 302
    assert response.url == REPORT
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["请先选择起止日期，再下载报告工作簿。"]
    page = client.get(response.url)
    assert "请先选择起止日期" in page.content.decode()


def test_the_workbook_of_a_reversed_period_sends_back_to_the_form(client_for, staff, world):
    client = client_for(staff)
    response = client.get(REPORT, {"from": "2025-12-31", "to": "2025-01-01", "format": "xlsx"})
    assert response.status_code == 302
    assert "format" not in response.url
    page = client.get(response.url)
    assert page.context["form"].has_error("__all__")
    assert "请先选择起止日期" in page.content.decode()


def test_the_workbook_of_a_period_is_still_a_download(client_for, staff, world):
    response = client_for(staff).get(REPORT, {**YEAR, "format": "xlsx"})
    assert response["Content-Type"] == XLSX

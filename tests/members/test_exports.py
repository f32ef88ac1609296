"""Excel exports of the filtered staff lists, read back with openpyxl."""

from datetime import datetime
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from members.exports import CONSTITUENT_HEADERS, MEMBER_HEADERS
from members.imports import members_import
from members.models import Member
from tests.factories import (
    CommitteeFactory,
    ConstituentFactory,
    MemberFactory,
    SectorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def read(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    return list(load_workbook(BytesIO(content), read_only=True).worksheets[0].iter_rows(values_only=True))


def test_member_export_follows_the_filters(client_for, staff, council, member_a, member_b, other_sector, other_member):
    when = timezone.make_aware(datetime(2024, 9, 21, 10, 30))
    ConstituentFactory.create_batch(2, member=member_b, last_contacted_at=when)
    rows = read(client_for(staff).get(reverse("members:member-export"), {"sector": other_sector.pk}))
    assert list(rows[0]) == MEMBER_HEADERS
    assert len(rows) == 2
    row = dict(zip(MEMBER_HEADERS, rows[1], strict=True))
    assert row["姓名"] == "李委员"
    assert row["界别"] == "教育界"
    assert row["手机号"] == member_b.phone
    assert row["联系群众数"] == 2
    assert row["最近联系"] == datetime(2024, 9, 21, 10, 30)  # local time, no time zone


def test_member_export_leaves_out_other_councils(client_for, staff, member_a, other_member):
    names = [r[0] for r in read(client_for(staff).get(reverse("members:member-export")))[1:]]
    assert names == ["张委员"]


def test_constituent_export(client_for, staff, leader, member_a, member_b):
    ConstituentFactory(member=member_a, name="王群众", phone="13812345678", community="兴安社区")
    ConstituentFactory(member=member_b, name="赵群众", community="新建社区")
    rows = read(client_for(staff).get(reverse("members:constituent-export"), {"community": "兴安"}))
    assert list(rows[0]) == CONSTITUENT_HEADERS
    assert [r[:3] for r in rows[1:]] == [("王群众", "13812345678", "张委员")]
    # Leaders may export, but see constituents' phone numbers masked, as on the page.
    rows = read(client_for(leader).get(reverse("members:constituent-export"), {"community": "兴安"}))
    assert rows[1][1] == "138****5678"


def test_export_can_be_imported_again(client_for, staff, council, other_council, sector, committee):
    """The member export starts with the template's columns (its extra ones are ignored on
    import): another council can import it as it is."""
    MemberFactory(
        council=council, sector=sector, committee=committee, name="王晓明", phone="13800000001",
        gender="m", zone="兴安街道",
    )
    response = client_for(staff).get(reverse("members:member-export"))
    content = b"".join(response.streaming_content)
    SectorFactory(council=other_council, name="经济界")
    CommitteeFactory(council=other_council, name="经济委")
    report = members_import(
        council=other_council, upload=SimpleUploadedFile("m.xlsx", content),
        by=UserFactory(council=other_council),
    )
    assert report.errors == []
    copy = Member.objects.get(council=other_council)
    assert (copy.name, copy.phone, copy.gender, copy.sector.name, copy.committee.name, copy.zone) == (
        "王晓明", "13800000001", "m", "经济界", "经济委", "兴安街道",
    )


@pytest.mark.parametrize("n", [3, 30])
def test_export_queries_do_not_grow(client_for, django_assert_max_num_queries, staff, council, sector, n):
    for _ in range(n):
        ConstituentFactory(member=MemberFactory(council=council, sector=sector))
    client = client_for(staff)
    with django_assert_max_num_queries(6):  # session, user, council, members (one chunk), sector + member choices
        response = client.get(reverse("members:member-export"))
    assert len(read(response)) == n + 1
    with django_assert_max_num_queries(6):  # session, user, council, constituents (one chunk), sector + member choices
        response = client.get(reverse("members:constituent-export"))
    assert len(read(response)) == n + 1


def test_constituent_export_phone_search_only_for_whole_phones(client_for, staff, leader, member_a):
    ConstituentFactory(member=member_a, name="王群众", phone="13812345678")
    export = reverse("members:constituent-export")
    assert [r[0] for r in read(client_for(staff).get(export, {"q": "5678"}))[1:]] == ["王群众"]
    assert read(client_for(leader).get(export, {"q": "5678"}))[1:] == []


@pytest.mark.parametrize(
    ("name", "english", "chinese"),
    [
        ("members:member-export", "Members", "委员"),
        ("members:constituent-export", "Constituents", "界别群众"),
        ("members:member-import-template", "Members", "委员"),
        ("members:constituent-import-template", "Constituents", "界别群众"),
    ],
)
def test_sheet_names_follow_the_language(client_for, staff, settings, name, english, chinese):
    def sheet_title(language):
        client = client_for(staff)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # the language switcher's
        response = client.get(reverse(name))
        content = getattr(response, "streaming_content", None)
        content = b"".join(content) if content is not None else response.content
        return load_workbook(BytesIO(content), read_only=True).worksheets[0].title

    assert sheet_title("zh-hans") == chinese
    assert sheet_title("en") == english

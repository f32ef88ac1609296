"""Excel import of members and constituents: every bad file is refused whole, in Chinese."""

from io import BytesIO
from pathlib import Path

import polib
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from members.imports import CONSTITUENT_COLUMNS, MEMBER_COLUMNS
from members.models import Constituent, Member, User
from tests.factories import ConstituentFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

MEMBER_HEADER = [c.title for c in MEMBER_COLUMNS]
CONSTITUENT_HEADER = [c.title for c in CONSTITUENT_COLUMNS]


def xlsx(rows, name="import.xlsx"):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = BytesIO()
    wb.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def member_row(name="王晓明", phone="13800000001", sector="经济界", committee="经济委", zone="兴安街道", gender="男"):
    return [name, phone, gender, sector, committee, "第十届", "某某公司", "经理", zone]


def post(client, url_name, upload):
    with translation.override("zh-hans"):
        return client.post(reverse(url_name), {"file": upload}, HTTP_ACCEPT_LANGUAGE="zh-hans")


def errors(response):
    return [(e.row, e.column, e.message) for e in response.context["report"].errors]


@pytest.fixture(autouse=True)
def pending_translations(settings, tmp_path):
    """Messages are asserted in Chinese. Translations wait in ``locale/pending/*.po`` until
    they are merged into the catalogue: they are added *after* it, so the catalogue wins
    wherever it already has a string."""
    merged = polib.POFile()
    merged.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    for fragment in sorted((Path(django_settings.BASE_DIR) / "locale" / "pending").glob("*.po")):
        merged.extend(e for e in polib.pofile(str(fragment)) if e.translated())
    target = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES"
    target.mkdir(parents=True)
    merged.save_as_mofile(str(target / "django.mo"))
    settings.LOCALE_PATHS = [*settings.LOCALE_PATHS, str(tmp_path / "locale")]


@pytest.fixture
def staff_client(client_for, staff, sector, committee):
    return client_for(staff)


# ---------------------------------------------------------------- members


def test_members_import_creates_members_and_logins(staff_client, council, sector):
    upload = xlsx([
        MEMBER_HEADER,
        member_row(name="示例：王晓明", phone="13800000000"),  # the template's example row
        member_row(name=" 王 晓明 ", phone="１３８ 0000-0001"),  # full-width digits, stray spaces
        member_row(name="陈静", phone=13800000002, gender="女", committee=""),
        [],
    ])
    response = post(staff_client, "members:member-import", upload)
    assert response.status_code == 302
    members = {m.name: m for m in Member.objects.filter(council=council)}
    assert set(members) == {"王晓明", "陈静"}
    wang = members["王晓明"]
    assert wang.phone == "13800000001"
    assert wang.sector == sector
    assert wang.zone == "兴安街道"
    assert wang.user.username == "13800000001"
    assert wang.user.role == User.Role.MEMBER
    assert not wang.user.has_usable_password()
    assert members["陈静"].gender == "f"
    assert members["陈静"].committee is None
    assert wang.history.count() == 1
    followed = staff_client.get(response["Location"])
    assert "导入了 2 行" in followed.content.decode() or "2" in str(list(followed.context["messages"])[0])


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (member_row(phone="1380000"), "手机号", "1380000"),  # members.phones' message
        (member_row(sector="不存在界"), "界别", "未知界别"),
        (member_row(committee="不存在委"), "专委会", "未知专委会"),
        (member_row(zone=""), "责任区", "必填"),
        (member_row(name=""), "姓名", "必填"),
        (member_row(gender="x"), "性别", "男"),
    ],
)
def test_member_row_errors_write_nothing(staff_client, council, row, column, message):
    upload = xlsx([MEMBER_HEADER, member_row(name="好行", phone="13800000009"), row])
    response = post(staff_client, "members:member-import", upload)
    assert response.status_code == 200
    found = errors(response)
    assert any(r == 3 and c == column and message in m for r, c, m in found), found
    assert not Member.objects.filter(council=council).exists()
    assert not User.objects.filter(username="13800000009").exists()
    body = response.content.decode()
    assert "未导入任何数据" in body
    assert column in body


def test_member_duplicate_in_file(staff_client, council):
    upload = xlsx([MEMBER_HEADER, member_row(phone="13800000001"), member_row(name="另一人", phone="138-0000-0001")])
    response = post(staff_client, "members:member-import", upload)
    assert (3, "手机号", "与本文件第 2 行的手机号相同。") in errors(response)
    assert not Member.objects.filter(council=council).exists()


def test_member_duplicate_in_database(staff_client, council, member_a, other_council):
    UserFactory(username="13700000077", council=other_council)  # a login of another council
    upload = xlsx([
        MEMBER_HEADER,
        member_row(phone=member_a.phone),
        member_row(name="外区同号", phone="137 0000 0077"),
    ])
    response = post(staff_client, "members:member-import", upload)
    found = errors(response)
    assert (2, "手机号", "已有使用此手机号的委员。") in found
    assert (3, "手机号", "已有使用此手机号的登录账号。") in found
    assert Member.objects.filter(council=council).count() == 1


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (["姓名", "电话", "界别", "责任区"], "未知列"),
        (["姓名", "界别", "责任区"], "缺少必填列"),
    ],
)
def test_wrong_columns(staff_client, council, header, message):
    response = post(staff_client, "members:member-import", xlsx([header, ["王", "13800000001", "经济界", "区"]]))
    assert any(message in m for _r, _c, m in errors(response)), errors(response)
    assert not Member.objects.filter(council=council).exists()


def test_not_an_xlsx_file(staff_client, council):
    response = post(staff_client, "members:member-import", SimpleUploadedFile("members.csv", "姓名,手机号\n".encode()))
    assert response.status_code == 200
    assert "请上传" in response.content.decode()
    response = post(staff_client, "members:member-import", SimpleUploadedFile("members.xlsx", b"not a zip at all"))
    assert any("不是 Excel" in m for _r, _c, m in errors(response)), errors(response)
    assert not Member.objects.filter(council=council).exists()


def test_empty_file(staff_client):
    response = post(staff_client, "members:member-import", xlsx([MEMBER_HEADER]))
    assert any("没有数据行" in m for _r, _c, m in errors(response))


def test_leader_cannot_import(client_for, leader, council):
    upload = xlsx([MEMBER_HEADER, member_row()])
    response = client_for(leader).post(reverse("members:member-import"), {"file": upload})
    assert response.status_code == 403
    assert not Member.objects.filter(council=council).exists()


def test_import_page_says_logins_have_no_password(staff_client):
    body = staff_client.get(reverse("members:member-import"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "没有密码" in body


# ---------------------------------------------------------------- constituents


def constituent_row(name="李红", phone="13900000001", member="张委员", member_phone="", sector="", community="兴安社区"):
    return [name, phone, member, member_phone, sector, "某某商店", "个体", community, "个体户", ""]


def test_constituents_import(staff_client, council, member_a, member_b, other_sector):
    upload = xlsx([
        CONSTITUENT_HEADER,
        constituent_row(name="示例：李红"),
        constituent_row(phone="１３９ ０００００００１"),
        constituent_row(name="周强", phone="", member="李委员", sector="教育界"),
        constituent_row(name="吴敏", phone="13900000001", member="李委员"),  # same person, another member
    ])
    response = post(staff_client, "members:constituent-import", upload)
    assert response.status_code == 302
    people = {(c.name, c.member.name): c for c in Constituent.objects.filter(council=council)}
    assert set(people) == {("李红", "张委员"), ("周强", "李委员"), ("吴敏", "李委员")}
    assert people[("李红", "张委员")].phone == "13900000001"
    assert people[("李红", "张委员")].sector == member_a.sector  # empty sector: the member's
    assert people[("周强", "李委员")].sector == other_sector


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (constituent_row(member="没有这人"), "联系委员", "未知委员"),
        (constituent_row(member=""), "联系委员", "必填"),
        (constituent_row(sector="不存在界"), "界别", "未知界别"),
        (constituent_row(phone="12345"), "手机号", "12345"),
        (constituent_row(name=""), "姓名", "必填"),
    ],
)
def test_constituent_row_errors_write_nothing(staff_client, council, member_a, row, column, message):
    upload = xlsx([CONSTITUENT_HEADER, constituent_row(name="好行", phone="13900000009"), row])
    response = post(staff_client, "members:constituent-import", upload)
    found = errors(response)
    assert any(r == 3 and c == column and message in m for r, c, m in found), found
    assert not Constituent.objects.filter(council=council).exists()


def test_constituent_duplicates(staff_client, council, member_a):
    ConstituentFactory(member=member_a, phone="13900000005")
    upload = xlsx([
        CONSTITUENT_HEADER,
        constituent_row(phone="13900000001"),
        constituent_row(name="又一个", phone="139 0000 0001"),
        constituent_row(name="库里有", phone="13900000005"),
    ])
    found = errors(post(staff_client, "members:constituent-import", upload))
    assert (3, "手机号", "与本文件第 2 行的手机号相同。") in found
    assert (4, "手机号", "张委员已联系一位使用此手机号的群众。") in found
    assert Constituent.objects.filter(council=council).count() == 1


def test_same_name_members_need_a_phone(staff_client, council, sector, member_a):
    twin = MemberFactory(council=council, sector=sector, name="张委员", phone="13700000007")
    found = errors(post(staff_client, "members:constituent-import", xlsx([CONSTITUENT_HEADER, constituent_row()])))
    assert any("委员手机号" in m for _r, _c, m in found), found
    response = post(
        staff_client, "members:constituent-import",
        xlsx([CONSTITUENT_HEADER, constituent_row(member_phone="137-0000-0007")]),
    )
    assert response.status_code == 302
    assert Constituent.objects.get().member == twin


def test_other_council_members_are_unknown(client_for, other_staff, member_a):
    found = errors(post(client_for(other_staff), "members:constituent-import", xlsx([CONSTITUENT_HEADER, constituent_row()])))
    assert any("未知委员" in m for _r, _c, m in found)
    assert not Constituent.objects.exists()


# ---------------------------------------------------------------- templates


@pytest.mark.parametrize(
    ("url_name", "header"),
    [("members:member-import-template", MEMBER_HEADER), ("members:constituent-import-template", CONSTITUENT_HEADER)],
)
def test_template_download(staff_client, url_name, header, sector, other_sector):
    response = staff_client.get(reverse(url_name))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(BytesIO(response.content))
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == header
    assert ws.cell(row=2, column=1).value.startswith("示例")
    assert [r[0] for r in wb["选项"].iter_rows(values_only=True)] == ["教育界", "经济界"]  # Sector ordering: order, then name
    assert ws.data_validations.dataValidation[0].formula1.startswith("'选项'!")


def test_template_imports_as_is_with_nothing(staff_client, council):
    """The untouched template only has its example row: it is skipped and nothing happens."""
    response = staff_client.get(reverse("members:member-import-template"))
    found = errors(post(staff_client, "members:member-import", SimpleUploadedFile("t.xlsx", response.content)))
    assert any("没有数据行" in m for _r, _c, m in found)

"""Staff pages of the members app: permissions, query budgets, figures and filters."""

import re

import pytest
from django.urls import reverse

from members.models import Member, Platform
from tests.factories import (
    ConstituentFactory,
    ContactLogFactory,
    MemberFactory,
    PlatformFactory,
)

pytestmark = pytest.mark.django_db

READ_URLS = [
    ("members:staff-home", False),
    ("members:member-list", False),
    ("members:member-detail", True),
    ("members:platform-list", False),
    ("members:platform-detail", True),
    ("members:constituent-list", False),
    ("members:coverage", False),
    ("members:member-export", False),
    ("members:constituent-export", False),
    ("activities:contactlog-list", False),
    ("activities:contactlog-export", False),
]
WRITE_URLS = [
    "members:member-import",
    "members:constituent-import",
    "members:member-import-template",
    "members:constituent-import-template",
]


@pytest.fixture
def platform(council, member_a, sector):
    platform = PlatformFactory(council=council, kind=Platform.Kind.LIAISON_POINT, name="工商联联系点")
    platform.members.add(member_a)
    platform.sectors.add(sector)
    return platform


def _url(name, needs_object, member_a, platform):
    if not needs_object:
        return reverse(name)
    obj = member_a if name == "members:member-detail" else platform
    return reverse(name, args=[obj.pk])


@pytest.mark.parametrize(("name", "needs_object"), READ_URLS)
@pytest.mark.parametrize(
    ("persona", "expected"),
    [("admin", 200), ("staff", 200), ("leader", 200), ("member_a", 403), ("other_staff", 404),
     ("security_admin", 403), ("audit_admin", 403)],
)
def test_read_permission_matrix(request, client_for, name, needs_object, persona, expected, member_a, platform):
    url = _url(name, needs_object, member_a, platform)
    response = client_for(request.getfixturevalue(persona)).get(url)
    # Staff of another council see their own (empty) lists; our objects are 404 to them.
    if persona == "other_staff" and not needs_object:
        expected = 200
    assert response.status_code == expected


@pytest.mark.parametrize(("name", "needs_object"), READ_URLS)
def test_anonymous_goes_to_login(anonymous, name, needs_object, member_a, platform):
    response = anonymous.get(_url(name, needs_object, member_a, platform))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", WRITE_URLS)
@pytest.mark.parametrize(
    ("persona", "expected"),
    [("admin", 200), ("staff", 200), ("leader", 403), ("member_a", 403), ("other_staff", 200),
     ("security_admin", 403), ("audit_admin", 403)],
)
def test_import_permission_matrix(request, client_for, name, persona, expected):
    response = client_for(request.getfixturevalue(persona)).get(reverse(name))
    assert response.status_code == expected


def test_other_council_sees_none_of_ours(client_for, other_staff, member_a, platform):
    ConstituentFactory(member=member_a, name="本区群众")
    ContactLogFactory(member=member_a, summary="本区联系")
    client = client_for(other_staff)
    for name in ["members:member-list", "members:platform-list", "members:constituent-list",
                 "members:coverage", "activities:contactlog-list"]:
        body = client.get(reverse(name)).content.decode()
        for name_shown in ("张委员", "工商联联系点", "本区群众"):
            assert name_shown not in body, name


def test_other_council_staff_home_counts_only_theirs(client_for, other_staff, member_a, platform):
    ConstituentFactory(member=member_a)
    response = client_for(other_staff).get(reverse("members:staff-home"))
    assert response.context["coverage"]["active"] == 0
    assert response.context["constituents"] == 0
    assert {k: n for k, _label, n in response.context["platform_kinds"]}["liaison_point"] == 0


# ---------------------------------------------------------------- figures


def test_staff_home_figures(client_for, staff, council, member_a, member_b, platform):
    PlatformFactory.create_batch(2, council=council, kind=Platform.Kind.STUDIO)
    PlatformFactory(council=council, kind=Platform.Kind.WORKSTATION, active=False)
    ConstituentFactory.create_batch(3, member=member_a)
    ConstituentFactory(member=member_b, active=False)
    ContactLogFactory(member=member_a, constituents=[member_a.constituents.first()])
    response = client_for(staff).get(reverse("members:staff-home"))
    kinds = {k: n for k, _label, n in response.context["platform_kinds"]}
    assert kinds == {"liaison_point": 1, "studio": 2, "workstation": 0}
    assert response.context["constituents"] == 3
    assert response.context["contacts_this_month"] == 1
    # member_b has only an inactive constituent: not covered.
    assert response.context["coverage"] == {"active": 2, "covered": 1, "missing": 1, "percent": 50.0}
    body = response.content.decode()
    assert reverse("members:coverage") in body
    assert f'{reverse("members:platform-list")}?kind=studio' in body


def test_coverage_page_lists_who_misses_what(client_for, staff, council, member_a, member_b, sector):
    ConstituentFactory(member=member_a)
    no_zone = MemberFactory(council=council, sector=sector, name="缺区委员", zone="", status=Member.Status.INACTIVE)
    # An inactive member without a zone is not a coverage problem; made active, they are.
    Member.objects.filter(pk=no_zone.pk).update(status=Member.Status.INACTIVE)
    response = client_for(staff).get(reverse("members:coverage"))
    assert [m.name for m in response.context["page"]] == ["李委员"]
    assert response.context["coverage"]["percent"] == 50.0
    body = response.content.decode()
    assert "李委员" in body
    assert "张委员" not in body.split("<tbody>")[1]


def test_full_coverage(client_for, staff, member_a, member_b):
    ConstituentFactory(member=member_a)
    ConstituentFactory(member=member_b)
    response = client_for(staff).get(reverse("members:coverage"))
    assert response.context["coverage"]["percent"] == 100.0
    assert list(response.context["page"]) == []


# ---------------------------------------------------------------- filters


def test_member_list_filters(client_for, staff, member_a, member_b, sector, other_sector):
    ConstituentFactory.create_batch(2, member=member_a)
    client = client_for(staff)

    def names(**params):
        response = client.get(reverse("members:member-list"), params)
        return sorted(m.name for m in response.context["page"])

    assert names() == ["张委员", "李委员"]
    assert names(sector=other_sector.pk) == ["李委员"]
    assert names(problem="no_constituents") == ["李委员"]
    assert names(problem="no_zone") == []
    assert names(q="张") == ["张委员"]
    assert names(q=member_b.phone[-6:]) == ["李委员"]
    response = client.get(reverse("members:member-list"))
    counts = {m.name: m.constituent_count for m in response.context["page"]}
    assert counts == {"张委员": 2, "李委员": 0}


def test_constituent_list_filters_and_phone(client_for, staff, leader, member_a, member_b):
    ConstituentFactory(member=member_a, name="王群众", phone="13812345678", community="兴安社区")
    ConstituentFactory(member=member_b, name="赵群众", community="新建社区", active=False)
    client = client_for(staff)

    def names(**params):
        response = client.get(reverse("members:constituent-list"), params)
        return sorted(c.name for c in response.context["page"])

    assert names(member=member_a.pk) == ["王群众"]
    assert names(community="新建") == ["赵群众"]
    assert names(active="true") == ["王群众"]
    assert names(q="王") == ["王群众"]
    assert "13812345678" in client.get(reverse("members:constituent-list")).content.decode()
    # Leaders read the list, but constituents' phone numbers are masked for them.
    body = client_for(leader).get(reverse("members:constituent-list")).content.decode()
    assert "13812345678" not in body
    assert "138****5678" in body


def test_member_detail_shows_zone_roster_and_contacts(client_for, staff, member_a):
    person = ConstituentFactory(member=member_a, name="王群众")
    ContactLogFactory(member=member_a, constituents=[person], summary="了解企业用工困难")
    body = client_for(staff).get(reverse("members:member-detail", args=[member_a.pk])).content.decode()
    assert member_a.zone in body
    assert "王群众" in body
    assert "了解企业用工困难" in body


def test_platform_list_groups_by_kind(client_for, staff, council, platform):
    PlatformFactory(council=council, kind=Platform.Kind.STUDIO, name="民盟委员工作室")
    response = client_for(staff).get(reverse("members:platform-list"), {"kind": "studio"})
    body = response.content.decode()
    assert "民盟委员工作室" in body
    assert "工商联联系点" not in body


def test_platform_list_paginates(client_for, staff, council):
    PlatformFactory.create_batch(51, council=council, kind=Platform.Kind.WORKSTATION)
    client = client_for(staff)
    first = client.get(reverse("members:platform-list"), {"kind": "workstation"})
    assert len(first.context["page"]) == 50
    assert "page=2" in first.content.decode()
    second = client.get(reverse("members:platform-list"), {"kind": "workstation", "page": 2})
    assert len(second.context["page"]) == 1
    # The kind's heading counts all its platforms, not only those on the page.
    assert '<span class="badge text-bg-light">51</span>' in second.content.decode()


def test_platform_detail_lists_members(client_for, staff, platform):
    body = client_for(staff).get(reverse("members:platform-detail", args=[platform.pk])).content.decode()
    assert "张委员" in body
    assert "经济界" in body


# ---------------------------------------------------------------- query budgets


def _populate(council, sector, committee, n):
    """n members, each with 3 constituents, 2 logs, and all on two platforms; the first
    member (the one whose page is read) keeps n more constituents and n more logs, so the
    detail page's roster and history grow with n too."""
    platforms = [PlatformFactory(council=council, kind=k) for k in (Platform.Kind.STUDIO, Platform.Kind.WORKSTATION)]
    members = []
    for _ in range(n):
        member = MemberFactory(council=council, sector=sector, committee=committee)
        people = ConstituentFactory.create_batch(3, member=member)
        ContactLogFactory(member=member, constituents=people[:2])
        ContactLogFactory(member=member, constituents=people[2:])
        for p in platforms:
            p.members.add(member)
            p.sectors.add(sector)
        members.append(member)
    shown = members[0]
    people = ConstituentFactory.create_batch(n, member=shown)
    for k in range(n):
        ContactLogFactory(member=shown, constituents=people[k : k + 2])
    return platforms[0], shown


@pytest.mark.parametrize("n", [3, 30])
def test_query_budgets(client_for, django_assert_max_num_queries, staff, council, sector, committee, n):
    platform, member = _populate(council, sector, committee, n)
    client = client_for(staff)
    # The navbar's unread count is the user's own counter: no query.
    with django_assert_max_num_queries(6):  # session, user, council, platforms by kind, month's contacts (tally), roster tally (members, "两个1", constituents)
        client.get(reverse("members:staff-home"))
    with django_assert_max_num_queries(9):  # session, user, council, count, page ids, page rows, their last contacts, sector choices, committee choices
        client.get(reverse("members:member-list"))
    with django_assert_max_num_queries(9):  # session, user, council, member, roster, audit entry, platforms, logs, their constituents
        response = client.get(reverse("members:member-detail", args=[member.pk]))
    assert len(response.context["roster"]) == n + 3
    assert len(response.context["logs"]) == min(n + 2, 20)
    with django_assert_max_num_queries(8):  # session, user, council, count, page, their sectors, their members, totals by kind
        client.get(reverse("members:platform-list"))
    with django_assert_max_num_queries(6):  # session, user, council, platform, sectors, members
        client.get(reverse("members:platform-detail", args=[platform.pk]))
    with django_assert_max_num_queries(9):  # session, user, council, capped count, page ids, page rows, audit entry, sector, committee choices
        client.get(reverse("members:constituent-list"))
    with django_assert_max_num_queries(5):  # session, user, council, the "两个1" gaps' count, roster tally
        client.get(reverse("members:coverage"))


# ---------------------------------------------------------------- phone search (privacy)


def test_phone_search_only_for_those_who_see_whole_phones(client_for, staff, leader, member_a):
    """A leader sees 138****5678: searching digits would let them rebuild the hidden ones."""
    ConstituentFactory(member=member_a, name="王群众", phone="13812345678")

    def names(user, q):
        response = client_for(user).get(reverse("members:constituent-list"), {"q": q})
        return [c.name for c in response.context["page"]]

    # The numbers are sealed: a whole number (as typed) or its last four digits are found.
    assert names(staff, "5678") == ["王群众"]
    assert names(staff, "138-1234-5678") == ["王群众"]
    assert names(staff, "1234") == []  # no longer "contains": the digits are not readable
    assert names(leader, "5678") == []
    assert names(leader, "13812345678") == []
    assert names(leader, "王") == ["王群众"]  # name and unit are still searched


def test_phone_search_in_the_filter_for_a_member(rf, member_a, member_b):
    """The filter, used by a member (their own roster's phones only), searches their own
    constituents' phones but not another member's."""
    from members.filters import ConstituentFilter
    from members.models import Constituent

    ConstituentFactory(member=member_a, name="王群众", phone="13812345678")
    ConstituentFactory(member=member_b, name="赵群众", phone="13912345678")  # same last four
    request = rf.get("/", {"q": "5678"})
    request.user = member_a.user
    filterset = ConstituentFilter(request.GET, queryset=Constituent.objects.all(), request=request)
    assert [c.name for c in filterset.qs] == ["王群众"]


@pytest.mark.parametrize("n", [3, 30])
def test_leader_query_budgets(client_for, django_assert_max_num_queries, leader, council, sector, committee, n):
    """A leader sees masked phones: deciding that must not cost a query per constituent."""
    _platform, member = _populate(council, sector, committee, n)
    client = client_for(leader)
    with django_assert_max_num_queries(8):  # session, user, council, member, roster, (leader's member: none), platforms, logs, their constituents
        client.get(reverse("members:member-detail", args=[member.pk]))
    with django_assert_max_num_queries(8):  # session, user, council, capped count, page ids, page rows, (leader's member: none), sector, committee choices
        client.get(reverse("members:constituent-list"))


def test_member_list_reads_rosters_for_its_page_only(client_for, staff, council, sector):
    """The constituents are read for the page's 50 members, after LIMIT: no query aggregates
    every member in reach against their rosters (1.9 s at province scale)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    members = MemberFactory.create_batch(60, council=council, sector=sector)
    ConstituentFactory(member=members[0])
    with CaptureQueriesContext(connection) as captured:
        response = client_for(staff).get(reverse("members:member-list"))
    page = list(response.context["page"])
    assert len(page) == 50
    roster_reads = [q["sql"] for q in captured if '"members_constituent"' in q["sql"]]
    assert len(roster_reads) == 1
    ids = re.search(r'"member_id" IN \(([^)]*)\)', roster_reads[0]).group(1).split(",")
    assert len(ids) == 50
    assert {m.constituent_count for m in page if m.pk == members[0].pk} <= {1}

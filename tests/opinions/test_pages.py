"""Who sees which report and who may decide (the permission matrix), an outsider on every
page, and each page's query budget at two data sizes."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from opinions.models import Report
from tests.factories import MemberFactory, UserFactory
from tests.opinions.helpers import report_in

pytestmark = pytest.mark.django_db

ACTIONS = ["report-edit", "report-forward", "report-adopt", "report-not-use", "instruction-add"]


@pytest.fixture
def personas(tree, member_a, member_b, staff, leader, other_staff, other_member, city_staff,
             province_staff, city_leader, unit_user, security_admin, audit_admin):
    return {
        "author": member_a, "other member": member_b, "district staff": staff,
        "district leader": leader, "sibling district staff": other_staff,
        "sibling district member": other_member, "city staff": city_staff,
        "city leader": city_leader, "province staff": province_staff, "unit": unit_user,
        "security admin": security_admin, "audit admin": audit_admin,
    }


# What each persona gets on a report pending at the district: its page, and a decision.
MATRIX = {
    "author": (200, 403),
    "other member": (404, 403),
    "district staff": (200, 302),
    "district leader": (200, 403),
    "sibling district staff": (404, 404),
    "sibling district member": (404, 403),
    "city staff": (200, 403),  # sees its subtree's reports, decides only in its own queue
    "city leader": (200, 403),
    "province staff": (200, 403),
    "unit": (404, 403),
    "security admin": (404, 403),  # separation of duties: accounts, not the council's work
    "audit admin": (404, 403),
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_permission_matrix(client_for, personas, member_a, staff, who):
    report = report_in("pending", member=member_a, offices=[staff])
    client = client_for(personas[who])
    page, decide = MATRIX[who]
    assert client.get(report.get_absolute_url()).status_code == page
    response = client.post(reverse("opinions:report-adopt", args=[report.pk]),
                           {"version": report.version})
    assert response.status_code == decide
    report.refresh_from_db()
    assert report.state == (Report.State.ADOPTED if decide == 302 else Report.State.PENDING)


@pytest.mark.parametrize(("who", "sees"), [
    ("author", True), ("other member", False), ("district staff", True),
    ("district leader", True), ("sibling district staff", False), ("city staff", True),
    ("city leader", True), ("province staff", True),
])
def test_lists_hold_what_each_may_see(client_for, personas, member_a, staff, who, sees):
    report = report_in("pending", member=member_a, offices=[staff])
    user = personas[who]
    url = reverse("opinions:my-reports" if who.endswith(("author", "member"))
                  else "opinions:report-list")
    rows = list(client_for(user).get(url).context["page"])
    assert (report in rows) is sees


def test_once_forwarded_the_city_decides_and_the_district_only_reads(
        client_for, tree, member_a, staff, city_staff):
    report = report_in("forwarded", member=member_a, offices=[staff])
    assert client_for(staff).get(report.get_absolute_url()).context.get("edit_form") is None
    assert client_for(staff).post(reverse("opinions:report-adopt", args=[report.pk]),
                                  {"version": report.version}).status_code == 403
    page = client_for(city_staff).get(report.get_absolute_url())
    assert page.context["edit_form"] is not None
    assert page.context["can_forward"]


def test_outsiders_get_404_on_every_page(client_for, tree, member_a, staff, other_staff,
                                         other_member, opinion_log):
    report = report_in("pending", member=member_a, offices=[staff])
    outsider = client_for(other_staff)
    assert outsider.get(report.get_absolute_url()).status_code == 404
    for name in ACTIONS:
        response = outsider.post(reverse(f"opinions:{name}", args=[report.pk]),
                                 {"version": report.version, "reason": "x", "title": "x",
                                  "body": "x", "leader": "x", "text": "x",
                                  "given_on": timezone.localdate().isoformat()})
        assert response.status_code == 404, name
    # Another member cannot start a report from someone else's contact.
    response = client_for(other_member).get(reverse("opinions:report-new"),
                                            {"contact_log": opinion_log.pk})
    assert response.status_code == 404
    assert client_for(other_member).get(reverse("opinions:report-list")).status_code == 403
    assert client_for(staff).get(reverse("opinions:report-new")).status_code == 403
    report.refresh_from_db()
    assert report.state == Report.State.PENDING
    assert report.version == 1


def test_anonymous_is_sent_to_login(anonymous, tree, member_a, staff):
    report = report_in("pending", member=member_a, offices=[staff])
    for url in (report.get_absolute_url(), reverse("opinions:report-list"),
                reverse("opinions:my-reports"), reverse("opinions:report-new")):
        response = anonymous.get(url)
        assert response.status_code == 302, url
        assert "login" in response.url, url


# --- query budgets --------------------------------------------------------------------------


def _reports(tree, member_a, staff, size: int) -> Report:
    members = [member_a] + [MemberFactory(council=tree.district) for _ in range(size)]
    last = None
    for i in range(4 * size):
        last = report_in(["pending", "adopted", "instructed", "forwarded"][i % 4],
                         member=members[i % len(members)], offices=[staff])
    UserFactory(username=f"extra{size}", council=tree.district)
    return last


@pytest.mark.parametrize("size", [1, 4])
def test_list_pages_keep_their_budget(client_for, tree, member_a, staff, city_leader,
                                      django_assert_max_num_queries, size):
    _reports(tree, member_a, staff, size)
    for user in (staff, city_leader):
        client = client_for(user)
        # session, user, council, the page's count and rows (member, councils), the queue
        # and adopted counts (one query)
        with django_assert_max_num_queries(6):
            assert client.get(reverse("opinions:report-list"), {"queue": "true"}).status_code == 200
    client = client_for(member_a)
    # session, user (with member), count, rows, recent contacts with opinions
    with django_assert_max_num_queries(5):
        assert client.get(reverse("opinions:my-reports")).status_code == 200


@pytest.mark.parametrize("size", [1, 4])
def test_report_page_keeps_its_budget(client_for, tree, member_a, staff, city_staff,
                                      django_assert_max_num_queries, size):
    report = _reports(tree, member_a, staff, size)  # the last one: forwarded to the city
    for user in (report.member.user, city_staff):
        client = client_for(user)
        # session, user, the report (author, councils), its routings (councils, deciders), their
        # instructions
        with django_assert_max_num_queries(6):
            assert client.get(report.get_absolute_url()).status_code == 200
    client = client_for(member_a)
    with django_assert_max_num_queries(7):
        # session, user, member, unread notices ×2
        assert client.get(reverse("opinions:report-new")).status_code == 200

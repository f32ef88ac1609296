"""The markup behind the accessibility crawl's fixes (tests/e2e/test_accessibility.py runs
axe-core on every page; these check the same things without a browser)."""

import re
from pathlib import Path

from django.urls import reverse

from members.services import notification_send

ROOT = Path(__file__).resolve().parents[1]


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_phone_bell_is_named_by_text_that_holds_its_count(client_for, member_a):
    notification_send(users=[member_a.user], kind="proposal_replied", key="a11y-bell",
                      subject="提案已答复", body="请评价。")
    page = _page(client_for(member_a), reverse("members:member-home"))
    bell = re.search(r'<a [^>]*data-testid="inbox-bell".*?</a>', page, re.S).group(0)
    # An aria-label would replace the visible count in the name (label-content-name-mismatch).
    assert "aria-label" not in bell
    assert re.search(r'<span class="visually-hidden">消息</span>.*>1</span>', bell, re.S)


def test_each_date_of_a_range_filter_has_its_own_name(client_for, audit_admin):
    page = _page(client_for(audit_admin), reverse("members:audit-list"))
    inputs = re.findall(r'<input type="date" name="period_(after|before)"([^>]*)>', page)
    assert [(end, re.search(r'aria-label="([^"]+)"', attrs).group(1)) for end, attrs in inputs] == [
        ("after", "起始日期"), ("before", "截止日期"),
    ]


def test_a_table_that_scrolls_without_links_can_be_scrolled_by_keyboard(client_for, audit_admin, staff,
                                                                        member_a):
    for client, url in [(client_for(audit_admin), reverse("members:audit-list")),
                        (client_for(staff), reverse("members:member-detail", args=[member_a.pk]))]:
        page = _page(client, url)
        assert re.search(r'<div class="table-responsive[^"]*" tabindex="0" role="region" aria-label="[^"]+">',
                         page), url


def test_the_staff_proposal_queues_have_a_main_heading(client_for, staff):
    page = _page(client_for(staff), reverse("proposals:staff-queues"))
    assert re.search(r"<h1[^>]*>\s*提案办理工作台\s*</h1>", page)


def test_action_columns_have_a_header_a_screen_reader_reads(client_for, staff, security_admin):
    for client, url in [(client_for(staff), reverse("activities:rule-list")),
                        (client_for(security_admin), reverse("members:security-home"))]:
        page = _page(client, url)
        assert not re.search(r"<th[^>]*>\s*</th>", page), url


def test_a_search_as_you_type_select_keeps_the_name_of_its_label():
    script = (ROOT / "static" / "js" / "lookup-select.js").read_text()
    assert 'setAttribute("aria-labelledby"' in script


def test_no_page_template_loads_axe():
    # axe-core is vendored for the tests only.
    for template in (ROOT / "templates").rglob("*.html"):
        assert not re.search(r"axe(-core|\.min)", template.read_text()), template


def test_the_platform_section_opened_by_its_link_is_a_whole_page(client_for, staff, council):
    from tests.factories import PlatformFactory

    platform = PlatformFactory(council=council, name="兴安街道工作站")
    client = client_for(staff)
    url = reverse("activities:platform-events", args=[platform.pk])
    page = _page(client, url)  # the link inside the placeholder, followed
    assert re.search(r'<html lang="zh-hans">', page)
    assert re.search(r"<title>\s*兴安街道工作站 · 活动与协商议事\s*</title>", page)
    assert re.search(r"<h1[^>]*>\s*兴安街道工作站 · 活动与协商议事\s*</h1>", page)
    assert 'data-testid="platform-events"' in page
    section = client.get(url, headers={"X-Requested-With": "fetch"})  # what the platform page loads
    assert "<html" not in section.content.decode()
    assert 'data-testid="platform-events"' in section.content.decode()
    assert "X-Requested-With" in section["Vary"]

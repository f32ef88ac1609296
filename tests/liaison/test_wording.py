"""Small wording slips a new user stumbled on: one name for a closed proposal, no "editable"
promise to a leader who cannot edit, no label shown twice."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_dashboard_says_closed_after_handling_as_everywhere_else(client_for, staff):
    client = client_for(staff)
    page = client.get(reverse("liaison:dashboard")).content.decode()
    figure = page.split('data-testid="fig-proposals-closed"')[1].split("</a>")[0]
    assert "已办结" in figure
    assert "已关闭" not in figure


def test_rules_are_editable_for_staff_only(client_for, staff, leader):
    client = client_for(leader)
    note = client.get(reverse("activities:rule-list")).content.decode()
    note = note.split('data-testid="rules-note"')[1].split("</p>")[0]
    assert "可修改" not in note
    client = client_for(staff)
    note = client.get(reverse("activities:rule-list")).content.decode()
    assert "可修改" in note.split('data-testid="rules-note"')[1].split("</p>")[0]


def test_the_compliance_page_names_rules_once(client_for, staff):
    client = client_for(staff)
    page = client.get(reverse("activities:compliance")).content.decode()
    assert page.count("规则</a>") == 1  # the group-by pill; the settings link says 规则设置
    assert "规则设置" in page


def test_the_dashboard_says_when_its_figures_were_computed(client_for, staff, settings):
    """Cached figures may lag the lists: the page says as of when (数据更新于 HH:MM)."""
    import datetime as dt

    import time_machine
    from django.core.cache import cache

    settings.DASHBOARD_CACHE_SECONDS = 120
    cache.clear()
    client = client_for(staff)
    shanghai = dt.timezone(dt.timedelta(hours=8))
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, 0, tzinfo=shanghai), tick=False):
        first = client.get(reverse("liaison:dashboard")).content.decode()
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, 1, tzinfo=shanghai), tick=False):
        second = client.get(reverse("liaison:dashboard")).content.decode()

    def stamp(page):
        return page.split('data-testid="computed-at"')[1].split("</span>")[0]

    assert "数据更新于 10:00" in stamp(first)
    assert "数据更新于 10:00" in stamp(second)  # served from the cache, and says so


@pytest.mark.parametrize("name", ["activities:reminder-list", "proposals:register",
                                  "members:platform-list", "members:coverage"])
def test_every_list_a_dashboard_number_links_to_says_its_total(client_for, staff, member_a,
                                                             council, name):
    """到期必访, 征集提案, platforms, "两个1": the number on the dashboard is checkable."""
    from tests.factories import PlatformFactory

    PlatformFactory(council=council)
    PlatformFactory(council=council)
    response = client_for(staff).get(reverse(name))
    count = response.context["page"].paginator.count
    total = response.content.decode().split('data-testid="list-total"')[1].split("</p>")[0]
    assert f"共 {count} 条" in total

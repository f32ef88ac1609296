"""Small wording slips a new user stumbled on: one name for a closed proposal, no "editable"
promise to a leader who cannot edit, no label shown twice."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_dashboard_says_closed_after_handling_as_everywhere_else(client, staff):
    client.force_login(staff)
    page = client.get(reverse("liaison:dashboard")).content.decode()
    figure = page.split('data-testid="fig-proposals-closed"')[1].split("</a>")[0]
    assert "已办结" in figure
    assert "已关闭" not in figure


def test_rules_are_editable_for_staff_only(client, staff, leader):
    client.force_login(leader)
    note = client.get(reverse("activities:rule-list")).content.decode()
    note = note.split('data-testid="rules-note"')[1].split("</p>")[0]
    assert "可修改" not in note
    client.force_login(staff)
    note = client.get(reverse("activities:rule-list")).content.decode()
    assert "可修改" in note.split('data-testid="rules-note"')[1].split("</p>")[0]


def test_the_compliance_page_names_rules_once(client, staff):
    client.force_login(staff)
    page = client.get(reverse("activities:compliance")).content.decode()
    assert page.count("规则</a>") == 1  # the group-by pill; the settings link says 规则设置
    assert "规则设置" in page

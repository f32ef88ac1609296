"""Query budgets of the staff pages of must-visit rules and campaigns, each at two data sizes
so that an N+1 cannot hide; and the outsider's view of them."""

import pytest
from django.urls import reverse

from activities.models import MustVisitRule, TriggerType
from activities.reminders.services.campaigns import campaign_start
from activities.reminders.services.rules import rules_install_defaults
from tests.activities.reminders.reminder_helpers import TODAY, rule
from tests.factories import ConstituentFactory, MemberFactory, SectorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(council, staff):
    """``n`` sectors (each with a member and a constituent), ``n`` more rules limited to
    sectors, and ``n`` campaigns across the sectors."""

    def make(n):
        rules_install_defaults(council=council)
        sectors = [SectorFactory(council=council, name=f"界别{i}") for i in range(n)]
        for sector in sectors:
            ConstituentFactory(member=MemberFactory(council=council, sector=sector))
        for i in range(n):
            extra = MustVisitRule.objects.create(
                council=council, name=f"定期走访{i}", trigger_type=TriggerType.PERIODIC,
                period_days=30 + i,
            )
            extra.sectors.set(sectors[: 1 + i % 3])
        meeting = rule(council, TriggerType.CAMPAIGN)
        for i in range(n):
            campaign_start(council=council, rule=meeting, title=f"传达会议精神{i}", kind="meeting",
                           sectors=sectors[i % n: i % n + 2], by=staff, today=TODAY)
        return sectors

    return make


@pytest.mark.parametrize("n", [3, 30])
def test_rule_list_budget(n, world, staff, client_for, django_assert_max_num_queries):
    world(n)
    client = client_for(staff)
    # session, user, council (permission scope), rules, their sectors (one prefetch)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("activities:rule-list"))
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="rule-') == 8 + n


@pytest.mark.parametrize("n", [3, 30])
def test_campaign_list_budget(n, world, staff, client_for, django_assert_max_num_queries):
    world(n)
    client = client_for(staff)
    # session, user, council, count, page of campaigns (rule, started by and the two
    # reminder counts joined or subqueried), their sectors (one prefetch)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("activities:campaign-list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(n, response.context["page"].paginator.per_page)


@pytest.mark.parametrize("n", [3, 30])
def test_campaign_launcher_budget(n, world, council, staff, client_for, django_assert_max_num_queries):
    sectors = world(n)
    client = client_for(staff)
    url = reverse("activities:campaign-create")
    # session, user, council, the form's choices (campaign rules, sectors)
    with django_assert_max_num_queries(5):
        assert client.get(url).status_code == 200
    meeting = rule(council, TriggerType.CAMPAIGN)
    data = {"rule": meeting.pk, "title": "传达全会精神", "kind": "meeting", "due_in_days": 30,
            "sectors": [s.pk for s in sectors]}
    # The preview: session, user, council, the chosen rule, the chosen sectors, the rule's
    # own sectors, one COUNT, the form's choices again to render (rules, sectors)
    with django_assert_max_num_queries(9):
        response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["preview"] == n


def test_outsiders_see_none_of_this_councils_rules_or_campaigns(world, other_staff, client_for):
    world(3)
    client = client_for(other_staff)
    body = client.get(reverse("activities:rule-list")).content.decode()
    assert "定期走访0" not in body
    body = client.get(reverse("activities:campaign-list")).content.decode()
    assert "传达会议精神" not in body

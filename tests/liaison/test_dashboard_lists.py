"""The filters the dashboard links with, on the lists of the other apps: must-visits that came
due or were done on time, the compliance page by period, sector, committee and council, the
register by rating and each council's current session, contacts at a platform; a council
filter means its subtree. Outsiders, bad input and query budgets at two data sizes."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from activities.models import ContactLog, Reminder
from tests.liaison.conftest import build_world

REMINDERS = reverse("activities:reminder-list")
COMPLIANCE = reverse("activities:compliance")
REGISTER = reverse("proposals:register")
CONTACTS = reverse("activities:contactlog-list")


def listed(response) -> int:
    assert response.status_code == 200
    return response.context["page"].paginator.count


@pytest.fixture
def sized(request, council, staff, sector, other_sector, committee, other_committee):
    return build_world(council, staff, sectors=[sector, other_sector],
                       committees=[committee, other_committee], size=request.param)


@pytest.mark.parametrize("sized", [1, 3], indirect=True)
def test_reminders_came_due_and_on_time_by_period_sector_committee_council(
        client_for, city_leader, council, sector, committee, sized,
        django_assert_max_num_queries):
    client = client_for(city_leader)
    mine = Reminder.objects.filter(council=council, member__sector=sector,
                                   member__committee=committee)
    query = {"period_after": "2025-06-01", "period_before": "2025-06-30", "sector": sector.pk,
             "committee": committee.pk, "council": council.pk}
    # session, user, council, sector, committee, council (the three filters checked), count,
    # the filter bar's choices (rule, sector, committee, member, council),
    # the page of reminders
    with django_assert_max_num_queries(13):
        due = client.get(REMINDERS, {**query, "state": "due"})
    june = mine.filter(due_on__month=6)
    assert listed(due) == june.filter(state__in=["done", "overdue"]).count() > 0
    assert listed(client.get(REMINDERS, {**query, "on_time": "true"})) == 0  # June: all late
    assert listed(client.get(REMINDERS, {**query, "on_time": "false"})) == june.count()
    early = {**query, "period_after": "2025-03-01", "period_before": "2025-03-31"}
    assert listed(client.get(REMINDERS, {**early, "on_time": "true"})) == mine.filter(
        state="done", on_time=True).count()


@pytest.mark.parametrize("sized", [1, 3], indirect=True)
def test_compliance_takes_the_dashboards_filters(client_for, city_leader, council, sector,
                                                 committee, sized,
                                                 django_assert_max_num_queries):
    client = client_for(city_leader)
    query = {"period_after": "2025-01-01", "period_before": "2025-04-30", "sector": sector.pk,
             "committee": committee.pk, "council": council.pk, "by": "rule"}
    # session, user, council, sector, committee, council (checked), one aggregate
    with django_assert_max_num_queries(7):
        response = client.get(COMPLIANCE, query)
    totals = response.context["totals"]
    # Due in March: per member of the sector and committee, one done on time.
    members = len(sized["members"]) // 2  # the even ones: sector and committee alike
    assert (totals["done"], totals["on_time_count"], totals["overdue_count"]) == (
        members, members, 0)
    assert totals["rate"] == 100
    html = response.content.decode()
    assert "period_after=2025-01-01" in html  # the drill-down keeps the filters
    assert listed(client.get(REMINDERS, {**query, "state": "due"})) == members


@pytest.mark.parametrize("sized", [1, 3], indirect=True)
def test_register_by_rating_and_current_session(client_for, leader, council, sized,
                                                django_assert_max_num_queries):
    client = client_for(leader)
    # session, user, council, figures (the page's total among them), filter choices
    # (session, category, unit, sector, committee), page, its co-signers, assignments and
    # ratings
    with django_assert_max_num_queries(13):
        response = client.get(REGISTER, {"rating": "positive", "current_session": "true",
                                         "council": council.pk})
    closed = len(sized["members"]) // 4  # one closed proposal per size, rated satisfied
    assert listed(response) == closed
    assert listed(client.get(REGISTER, {"rating": "rated"})) == closed
    assert listed(client.get(REGISTER, {"rating": "unsatisfied"})) == 0
    assert listed(client.get(REGISTER, {"current_session": "false"})) == 0


@pytest.mark.parametrize("sized", [1, 3], indirect=True)
def test_contacts_at_a_platform(client_for, leader, sized, django_assert_max_num_queries):
    client = client_for(leader)
    point = sized["point"]
    # session, user, council, platform (checked), count, filter choices (member,
    # sector, committee, tag, platform), page, its constituents
    with django_assert_max_num_queries(12):
        response = client.get(CONTACTS, {"platform": point.pk, "period_after": "2025-06-01"})
    assert listed(response) == ContactLog.objects.filter(platform=point).count() > 0


def test_a_council_filter_means_its_subtree(client_for, city, city_leader, council, world):
    client = client_for(city_leader)
    whole = listed(client.get(REMINDERS, {"council": city.pk}))
    assert whole == listed(client.get(REMINDERS, {"council": council.pk})) > 0
    assert listed(client.get(REGISTER, {"council": city.pk})) == listed(
        client.get(REGISTER, {"council": council.pk})) > 0


def test_outsiders_list_nothing_of_another_council(client_for, other_staff, council, world):
    client = client_for(other_staff)
    assert listed(client.get(REMINDERS, {"state": "due"})) == 0
    assert listed(client.get(REGISTER, {"rating": "rated", "council": council.pk})) == 0
    assert client.get(COMPLIANCE, {"period_after": "2025-01-01"}).context["rows"] == []
    # Another council's sector is not a choice: refused, and nothing listed.
    from tests.factories import SectorFactory

    theirs = SectorFactory(council=council, name="外区的界别")
    response = client.get(REMINDERS, {"sector": theirs.pk})
    assert listed(response) == 0
    assert [str(m) for m in get_messages(response.wsgi_request)]


def test_bad_filters_list_nothing_and_say_which(client_for, city_leader, world):
    from tests.factories import CouncilFactory

    elsewhere = CouncilFactory(name="鸡西市政协")
    client = client_for(city_leader)
    for query in [{"period_after": "2025-13-01"}, {"council": elsewhere.pk},
                  {"on_time": "perhaps"}]:
        response = client.get(REMINDERS, query)
        assert listed(response) == 0, query
        messages = [str(m) for m in get_messages(response.wsgi_request)]
        assert len(messages) == 1, messages
        compliance = client.get(COMPLIANCE, query)
        assert compliance.context["totals"]["total"] == 0, query

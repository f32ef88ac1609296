"""Assigning (交办): the lead and co-handling units are picked by typing through a scoped
lookup (the page carries the chosen units only), units out of reach are refused in Chinese
and change nothing, and the deadline comes prefilled with the usual handling period."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals.models import Assignment, State
from proposals.services import DEFAULT_HANDLING_MONTHS, default_deadline
from tests.proposals.factories import HandlingUnitFactory, proposal_in

pytestmark = pytest.mark.django_db

UNIT_LOOKUP = reverse("proposals:unit-lookup")


@pytest.fixture
def filed(member_a, staff, session, category):
    return proposal_in(State.FILED, proposer=member_a, staff=staff, session=session, category=category)


def select_html(body: str, name: str) -> str:
    match = re.search(rf'<select name="{name}"[^>]*>.*?</select>', body, re.S)
    assert match, f"no select named {name}"
    return match.group(0)


def found(client, q, **params):
    response = client.get(UNIT_LOOKUP, {"q": q, **params})
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


def test_the_form_carries_no_list_of_every_unit(client_for, staff, council, filed):
    """150 units in the council: the lead unit's select holds its empty choice only, the
    co-handling units' none, both read the council's units as one types."""
    HandlingUnitFactory.create_batch(150, council=council)
    body = client_for(staff).get(reverse("proposals:proposal-assign", args=[filed.pk])).content.decode()
    assert body.count("<option") < 10  # the language menu's and the lead unit's empty one
    lead, co = select_html(body, "lead_unit"), select_html(body, "co_units")
    assert lead.count("<option") == 1
    assert co.count("<option") == 0
    assert "multiple" in co
    for select in (lead, co):
        assert f'data-lookup-url="{UNIT_LOOKUP}?council={council.pk}"' in select
    assert body.count("tom-select.complete.min.js") == 1
    assert body.count("js/lookup-select.js") == 1


def test_the_deadline_is_prefilled_with_the_handling_period(client_for, staff, filed):
    body = client_for(staff).get(reverse("proposals:proposal-assign", args=[filed.pk])).content.decode()
    expected = default_deadline(timezone.localdate())
    assert re.search(rf'<input type="date" name="deadline" value="{expected.isoformat()}"', body)
    assert f"默认为自今日起{DEFAULT_HANDLING_MONTHS}个月" in body


@pytest.mark.parametrize(("today", "due"), [
    (date(2026, 11, 30), date(2027, 2, 28)),
    (date(2027, 11, 30), date(2028, 2, 29)),
    (date(2026, 12, 31), date(2027, 3, 31)),
    (date(2026, 1, 31), date(2026, 4, 30)),
    (date(2026, 6, 15), date(2026, 9, 15)),
])
def test_default_deadline_is_three_calendar_months_on(today, due):
    assert DEFAULT_HANDLING_MONTHS == 3
    assert default_deadline(today) == due


def test_the_unit_lookup_finds_any_part_of_the_name_in_reach(client_for, staff, council,
                                                            other_council, handling_unit):
    HandlingUnitFactory(council=council, name="区教育基金会", active=False)
    HandlingUnitFactory(council=other_council, name="外区教育局")
    client = client_for(staff)
    assert found(client, "教育") == ["区教育局"]  # not the retired one, not another council's
    assert found(client, "区 教育") == ["区教育局"]
    assert found(client, "教育", council=council.pk) == ["区教育局"]
    assert found(client, "教育", council=other_council.pk) == []
    assert found(client, "教育", council="x") == []
    assert found(client, "") == []
    row = client.get(UNIT_LOOKUP, {"q": "教育"}).json()["results"][0]
    assert row == {"value": handling_unit.pk, "text": "区教育局", "hint": council.name}


def test_the_unit_lookup_is_for_staff_only(client_for, other_staff, leader, member_a, unit_user,
                                           anonymous, handling_unit):
    """Another council's staff find none of ours; members, leaders and units may not ask."""
    HandlingUnitFactory(council=other_staff.council, name="外区教育局")
    assert found(client_for(other_staff), "教育") == ["外区教育局"]
    assert found(client_for(other_staff), "教育", council=handling_unit.council_id) == []
    for user in (leader, member_a, unit_user):
        assert client_for(user).get(UNIT_LOOKUP, {"q": "教育"}).status_code == 403
    response = anonymous.get(UNIT_LOOKUP, {"q": "教育"})
    assert response.status_code == 302


@pytest.mark.parametrize("n", [3, 60])
def test_unit_lookup_query_budget(client_for, django_assert_max_num_queries, staff, council, n):
    HandlingUnitFactory.create_batch(n, council=council)
    client = client_for(staff)
    with django_assert_max_num_queries(4):  # session, user, council (its reach), matches
        rows = client.get(UNIT_LOOKUP, {"q": "承办"}).json()["results"]
    assert len(rows) == min(n, 20)


def test_units_out_of_reach_are_refused_in_chinese(client_for, staff, filed, handling_unit,
                                                   other_council, council):
    outsider = HandlingUnitFactory(council=other_council, name="外区局")
    retired = HandlingUnitFactory(council=council, name="区撤销局", active=False)
    client = client_for(staff)
    url = reverse("proposals:proposal-assign", args=[filed.pk])
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    for bad in (
        {"lead_unit": handling_unit.pk, "co_units": [outsider.pk]},
        {"lead_unit": handling_unit.pk, "co_units": [retired.pk]},
        {"lead_unit": handling_unit.pk, "co_units": ["x"]},
        {"lead_unit": outsider.pk},
    ):
        response = client.post(url, {"version": filed.version, "deadline": tomorrow, **bad})
        assert response.status_code == 200
        assert "请选择本提案所属政协的在用承办单位。" in response.content.decode()
        assert outsider.name not in response.content.decode()
    filed.refresh_from_db()
    assert filed.state == State.FILED
    assert not Assignment.objects.exists()


def test_a_lead_and_two_co_units_are_assigned(client_for, staff, filed, handling_unit, council):
    co = HandlingUnitFactory.create_batch(2, council=council)
    client = client_for(staff)
    url = reverse("proposals:proposal-assign", args=[filed.pk])
    client.post(url, {"version": filed.version, "lead_unit": handling_unit.pk,
                      "co_units": [u.pk for u in co],
                      "deadline": default_deadline(timezone.localdate()).isoformat()})
    filed.refresh_from_db()
    assert filed.state == State.ASSIGNED
    assert filed.deadline == default_deadline(timezone.localdate())
    assert set(Assignment.objects.filter(proposal=filed, is_lead=False).values_list("unit", flat=True)) == {
        u.pk for u in co}


def test_staff_entering_a_proposal_type_the_proposer(client_for, staff, council, sector, session,
                                                     category, member_a):
    """录入提案: the proposing member is a picker over the serving members in reach (it listed
    all of them — a province's tens of thousands); a chosen one comes back as the only option."""
    from tests.factories import MemberFactory

    MemberFactory.create_batch(150, council=council, sector=sector, committee=member_a.committee)
    client = client_for(staff)
    url = reverse("proposals:staff-proposal-create")
    body = client.get(url).content.decode()
    proposer = select_html(body, "proposer")
    assert proposer.count("<option") == 1
    assert f'data-lookup-url="{reverse("members:member-lookup")}?active=1"' in proposer
    assert body.count("<option") < 40  # sessions, categories, kinds; none of the 150 members
    response = client.post(url, {"session": session.pk, "category": category.pk,
                                 "proposer_kind": "member", "proposer": member_a.pk, "title": ""})
    proposer = select_html(response.content.decode(), "proposer")
    assert proposer.count("<option") == 2
    assert f'<option value="{member_a.pk}" selected>{member_a.name}（{member_a.sector.name}）</option>' in proposer

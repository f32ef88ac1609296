"""Member duty records and duty points: who sees which record, scoring with edited rules and
caps (SQL aggregates), the ranking, the scheme editor, query budgets."""

from __future__ import annotations

import pytest
from django.urls import reverse

from liaison.dashboard import duty
from liaison.dashboard.scope import Params
from liaison.models import DutyScheme
from members.models import Member
from tests.liaison.conftest import build_world


def record_url(member) -> str:
    return reverse("liaison:duty-record", args=[member.pk])


# --- who sees which record ------------------------------------------------------------------


def test_a_member_sees_only_their_own_record(client_for, member_a, member_b):
    client = client_for(member_a)
    assert client.get(record_url(member_a)).status_code == 200
    assert client.get(record_url(member_b)).status_code == 404
    assert client.get(reverse("liaison:my-duty-record")).url == record_url(member_a)


def test_staff_see_every_record_of_their_council_only(client_for, staff, leader, other_staff,
                                                     member_a, other_member):
    assert client_for(staff).get(record_url(member_a)).status_code == 200
    assert client_for(leader).get(record_url(member_a)).status_code == 200
    assert client_for(staff).get(record_url(other_member)).status_code == 404
    assert client_for(other_staff).get(record_url(member_a)).status_code == 404


def test_the_record_counts_what_the_member_did(client_for, world):
    member = world["members"][0]
    response = client_for(member).get(record_url(member), {"from": "2025-01-01", "to": "2025-12-31"})
    record = response.context["record"]
    assert record["constituents"] == 2
    assert record["contacts_total"] == 2
    assert record["visits"] == {"due": 3, "on_time": 1, "overdue": 1, "open": 1}
    assert record["attendance"] == {"signed_up": 1, "attended": 1}
    assert record["consultations"] == 2
    assert record["led"] == []  # handed in today, outside 2025
    everything = client_for(member).get(record_url(member)).context["record"]
    assert [p.state for p in everything["led"]] == ["closed"]  # the draft is not counted
    assert everything["led"][0].reply_label
    assert everything["led"][0].rating_label
    assert len(everything["cosigned"]) == 1
    lines = {line.key: line for line in response.context["lines"]}
    assert lines["contact"].count == 2
    assert lines["contact"].points == 2
    assert response.context["points"] == sum(line.points for line in lines.values())
    assert b"js-print" in response.content


def test_a_period_narrows_the_record(client_for, world):
    member = world["members"][0]
    response = client_for(member).get(record_url(member), {"from": "2025-05-01", "to": "2025-12-31"})
    assert response.context["record"]["contacts_total"] == 1
    assert response.context["record"]["consultations"] == 1


def test_a_reversed_period_is_refused(client_for, world):
    member = world["members"][0]
    response = client_for(member).get(record_url(member), {"from": "2025-12-01", "to": "2025-01-01"})
    assert response.context["form"].has_error("__all__")
    assert response.context["params"].date_from is None


@pytest.mark.parametrize("size", [1, 3])
def test_record_query_budget(client_for, council, staff, sector, other_sector, committee,
                             other_committee, django_assert_max_num_queries, size):
    world = build_world(council, staff, sectors=[sector, other_sector],
                        committees=[committee, other_committee], size=size)
    member = world["members"][0]
    client = client_for(member)
    # session, user, member (with sector, committee, council), member of the user (nav),
    # scheme, contacts by channel, must-visits, attendance, proposals led, co-signed,
    # constituents, consultations, public-opinion reports
    with django_assert_max_num_queries(13):
        assert client.get(record_url(member)).status_code == 200


# --- scoring --------------------------------------------------------------------------------


def _scored(member, scheme, params=None):
    return duty.with_points(Member.objects.filter(pk=member.pk), params or Params(), scheme).get()


def test_default_points_multiply_each_count(world, council):
    member = world["members"][0]
    scheme = DutyScheme(council=council)
    scored = _scored(member, scheme)
    assert (scored.n_contact, scored.n_visit, scored.n_activity, scored.n_consultation) == (2, 1, 1, 2)
    assert scored.pts_contact == 2 * scheme.contact_points
    assert scored.points == sum(getattr(scored, f"pts_{key}") for key, _l in DutyScheme.ITEMS)


def test_edited_rules_and_caps_change_the_points(world, council):
    member = world["members"][0]
    scheme = DutyScheme.objects.create(
        council=council, contact_points=10, contact_cap=15, consultation_points=4,
        consultation_cap=None, visit_points=0,
    )
    scored = _scored(member, scheme)
    assert scored.pts_contact == 15  # 2 × 10 capped at 15
    assert scored.pts_consultation == 8  # 2 × 4, no cap
    assert scored.pts_visit == 0
    lines = {line.key: line for line in duty.explain(scored, scheme)}
    assert lines["contact"].capped
    assert not lines["consultation"].capped


def test_ranking_is_per_sector_and_committee(client_for, staff, world, sector):
    DutyScheme.objects.create(council=staff.council, contact_points=1)
    client = client_for(staff)
    response = client.get(reverse("liaison:points"), {"sector": sector.pk})
    rows = list(response.context["page"])
    assert rows
    assert all(m.sector_id == sector.pk for m in rows)
    assert [m.points for m in rows] == sorted((m.points for m in rows), reverse=True)
    assert rows[0].sector_rank == 1
    everyone = list(client.get(reverse("liaison:points")).context["page"])
    assert {m.sector_rank for m in everyone if m.sector_id == sector.pk} >= {1}


@pytest.mark.parametrize("size", [1, 3])
def test_ranking_query_budget(client_for, council, staff, sector, other_sector, committee,
                              other_committee, django_assert_max_num_queries, size):
    build_world(council, staff, sectors=[sector, other_sector],
                committees=[committee, other_committee], size=size)
    client = client_for(staff)
    # session, user, districts (count), scheme, page count, page of members (annotated,
    # ranked), sectors, committees
    with django_assert_max_num_queries(9):
        assert client.get(reverse("liaison:points")).status_code == 200


def test_members_cannot_open_the_ranking(client_for, member_a, other_staff, council):
    assert client_for(member_a).get(reverse("liaison:points")).status_code == 403
    assert client_for(other_staff).get(reverse("liaison:points"), {"council": council.pk}).status_code == 404


# --- the scheme editor ----------------------------------------------------------------------

SCHEME = {
    "contact_points": 3, "contact_cap": 20, "visit_points": 2, "visit_cap": "",
    "filed_points": 5, "filed_cap": "", "cosigned_points": 1, "cosigned_cap": "",
    "activity_points": 2, "activity_cap": "", "consultation_points": 3, "consultation_cap": "",
    "report_points": 1, "report_cap": "", "adopted_points": 3, "adopted_cap": "",
    "instructed_points": 5, "instructed_cap": "",
}


def test_staff_edit_the_scheme(client_for, staff, council):
    response = client_for(staff).post(reverse("liaison:points-scheme"), SCHEME)
    assert response.status_code == 302
    scheme = DutyScheme.objects.get(council=council)
    assert (scheme.contact_points, scheme.contact_cap, scheme.visit_cap) == (3, 20, None)
    assert scheme.updated_by == staff


def test_bad_scheme_input_changes_nothing(client_for, staff, council):
    response = client_for(staff).post(reverse("liaison:points-scheme"), {**SCHEME, "contact_points": -1})
    assert response.status_code == 200
    assert response.context["form"].has_error("contact_points")
    assert not DutyScheme.objects.filter(council=council).exists()


def test_leaders_and_members_cannot_edit_the_scheme(client_for, leader, member_a, council):
    assert client_for(leader).post(reverse("liaison:points-scheme"), SCHEME).status_code == 403
    assert client_for(member_a).get(reverse("liaison:points-scheme")).status_code == 403
    assert not DutyScheme.objects.filter(council=council).exists()

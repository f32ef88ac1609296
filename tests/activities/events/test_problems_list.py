"""The problems list (the list behind the dashboard's problem figures), its links with the
board, and the board's state form that must not redirect off the site."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.activities.events.event_helpers import ConsultationFactory, ProblemFactory
from tests.factories import PlatformFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
URL = reverse("activities:problem-list")


def _resolved(consultation, on: date, **kwargs):
    return ProblemFactory(consultation=consultation, state="resolved", resolution="已解决",
                          resolved_on=on, **kwargs)


@pytest.fixture
def problems(council, sector):
    """Two sessions at two platforms: one in 2024 (a resolved and an open problem), one in
    2025 (two resolved, one in progress)."""
    studio = PlatformFactory(council=council, name="经济界委员工作室")
    studio.sectors.set([sector])
    station = PlatformFactory(council=council, name="兴安街道委员工作站")
    old = ConsultationFactory(council=council, platform=studio, held_on=date(2024, 5, 10))
    new = ConsultationFactory(council=council, platform=station, held_on=date(2025, 3, 1))
    return {
        "old_resolved": _resolved(old, date(2025, 2, 1)),
        "old_open": ProblemFactory(consultation=old),
        "new_resolved": _resolved(new, date(2025, 3, 20)),
        "new_resolved_2": _resolved(new, date(2025, 4, 5)),
        "new_in_progress": ProblemFactory(consultation=new, state="in_progress"),
        "studio": studio,
        "station": station,
    }


def _listed(client, **query) -> set[int]:
    response = client.get(URL, query)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == len(response.context["page"].object_list)
    return {p.pk for p in response.context["page"]}


def test_filters_by_state_period_resolution_platform_sector_and_council(
        client_for, staff, council, sector, problems):
    client = client_for(staff)
    p = {k: v.pk for k, v in problems.items()}
    assert len(_listed(client)) == 5
    assert _listed(client, state="resolved") == {p["old_resolved"], p["new_resolved"],
                                                 p["new_resolved_2"]}
    # period: when the consultation was held (as the dashboard counts problems solved)
    assert _listed(client, period_after="2025-01-01") == {
        p["new_resolved"], p["new_resolved_2"], p["new_in_progress"]}
    assert _listed(client, state="resolved", period_before="2024-12-31") == {p["old_resolved"]}
    # resolved: when the problem was resolved — the 2024 session's problem was solved in 2025
    assert _listed(client, resolved_after="2025-01-01", resolved_before="2025-03-31") == {
        p["old_resolved"], p["new_resolved"]}
    assert _listed(client, platform=problems["station"].pk) == {
        p["new_resolved"], p["new_resolved_2"], p["new_in_progress"]}
    assert _listed(client, sector=sector.pk) == {p["old_resolved"], p["old_open"]}
    assert len(_listed(client, council=council.pk)) == 5


def test_counts_by_state_follow_the_filters(client_for, leader, problems):
    response = client_for(leader).get(URL, {"period_after": "2025-01-01"})
    counts = {state: n for state, _label, n in response.context["states"]}
    assert counts == {"open": 0, "in_progress": 1, "resolved": 2, "not_solvable": 0}
    page = response.content.decode()
    assert 'data-testid="problem-count">3<' in page


def test_bad_filter_values_are_refused_on_the_form(client_for, staff, problems):
    response = client_for(staff).get(URL, {"state": "gone", "period_after": "2025-13-45"})
    assert response.status_code == 200
    assert set(response.context["filter"].errors) == {"state", "period"}
    assert response.content.decode().count("invalid-feedback") >= 2


def test_paginated(client_for, staff, council):
    consultation = ConsultationFactory(council=council)
    for _ in range(35):
        ProblemFactory(consultation=consultation)
    client = client_for(staff)
    assert len(client.get(URL).context["page"].object_list) == 30
    second = client.get(URL, {"page": 2}).context["page"]
    assert len(second.object_list) == 5


@pytest.mark.parametrize(("persona", "status"), [
    ("staff", 200), ("leader", 200), ("member_a", 403), ("anonymous", 302), ("other_staff", 200),
])
def test_permissions(request, client_for, problems, persona, status):
    user = request.getfixturevalue(persona)
    client = user if persona == "anonymous" else client_for(user)
    response = client.get(URL)
    assert response.status_code == status


def test_outsiders_see_none_of_ours_even_when_asking_for_our_council(
        client_for, other_staff, council, problems):
    client = client_for(other_staff)
    assert _listed(client) == set()
    assert _listed(client, council=council.pk) == set()
    assert _listed(client, platform=problems["station"].pk) == set()


@pytest.mark.parametrize("n", [3, 30])
def test_query_budget(client_for, staff, council, sector, n, django_assert_max_num_queries):
    platform = PlatformFactory(council=council)
    platform.sectors.set([sector])
    for i in range(n):
        consultation = ConsultationFactory(council=council, platform=platform,
                                           held_on=TODAY() - timedelta(days=i + 1))
        ProblemFactory(consultation=consultation)
        _resolved(consultation, TODAY())
    client = client_for(staff)
    # session, user, council, the chosen sector (validated), count, page (with consultation
    # and platform), counts by state, platform and sector choices
    with django_assert_max_num_queries(9):
        response = client.get(URL, {"sector": sector.pk, "period_after": "2020-01-01"})
    assert response.context["page"].paginator.count == 2 * n


def test_board_and_list_link_to_each_other(client_for, staff, council, problems):
    client = client_for(staff)
    station = problems["station"].pk
    board = client.get(reverse("activities:problem-board"), {"platform": station}).content.decode()
    assert f'href="{URL}?platform={station}"' in board
    listing = client.get(URL).content.decode()
    assert f'href="{reverse("activities:problem-board")}"' in listing


def test_a_full_board_column_links_to_the_whole_list(client_for, staff, council):
    consultation = ConsultationFactory(council=council, held_on=TODAY() - timedelta(days=90))
    for i in range(55):
        _resolved(consultation, TODAY() - timedelta(days=i % 80))
    board = client_for(staff).get(reverse("activities:problem-board")).content.decode()
    assert f'href="{URL}?state=resolved"' in board
    assert client_for(staff).get(URL, {"state": "resolved"}).context["page"].paginator.count == 55


# --- the state form's "next" ------------------------------------------------------------------


@pytest.mark.parametrize("target", [
    "https://evil.example/x", "//evil.example/x", "http://testserver.evil.example/",
    "javascript:alert(1)", "///evil.example",
])
def test_state_change_does_not_redirect_off_the_site(client_for, staff, council, target):
    problem = ProblemFactory(consultation=ConsultationFactory(council=council))
    url = reverse("activities:problem-set-state", args=[problem.pk])
    response = client_for(staff).post(url, {"state": "in_progress", "next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("activities:problem-board")
    problem.refresh_from_db()
    assert problem.state == "in_progress"


def test_state_change_returns_to_a_page_of_the_site(client_for, staff, council):
    problem = ProblemFactory(consultation=ConsultationFactory(council=council))
    url = reverse("activities:problem-set-state", args=[problem.pk])
    back = f"{reverse('activities:problem-board')}?platform=3"
    response = client_for(staff).post(url, {"state": "in_progress", "next": back})
    assert response["Location"] == back
    response = client_for(staff).post(url, {"state": "resolved", "resolution": "已修复",
                                            "resolved_on": TODAY().isoformat()})
    assert response["Location"] == reverse("activities:problem-board")

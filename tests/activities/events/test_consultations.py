"""Consultations and their problems: state changes, permissions, query budgets, export,
links to proposals, the platform section."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from activities.events import exports
from activities.events.services import activities as activity_services
from activities.events.services import consultations as services
from activities.models import Activity, Consultation, ConsultationPhoto
from tests.activities.events.event_helpers import (
    ActivityFactory,
    ConsultationFactory,
    ProblemFactory,
    jpeg,
    text_as_jpeg,
)
from tests.factories import ConstituentFactory, MemberFactory, PlatformFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def consultation(council, member_a):
    return ConsultationFactory(council=council, topic="老旧小区改造", members=[member_a])


@pytest.fixture
def problem(consultation):
    return ProblemFactory(consultation=consultation, description="楼道照明损坏")


# --- problem states ---------------------------------------------------------------------


def test_open_to_in_progress_to_resolved(problem, staff):
    services.problem_set_state(problem=problem, by=staff, state="in_progress")
    services.problem_set_state(
        problem=problem, by=staff, state="resolved", resolution="已更换灯具", resolved_on=TODAY()
    )
    problem.refresh_from_db()
    assert problem.state == "resolved"
    assert problem.resolved_on == TODAY()


def test_open_straight_to_not_solvable_needs_a_reason(problem, staff):
    with pytest.raises(ValidationError):
        services.problem_set_state(problem=problem, by=staff, state="not_solvable")
    services.problem_set_state(problem=problem, by=staff, state="not_solvable", resolution="产权不清")
    problem.refresh_from_db()
    assert problem.state == "not_solvable"


@pytest.mark.parametrize(
    ("start", "target"),
    [("in_progress", "open"), ("resolved", "open"), ("resolved", "in_progress"),
     ("not_solvable", "resolved"), ("open", "open"), ("open", "nonsense")],
)
def test_illegal_changes_are_refused(consultation, staff, start, target):
    problem = ProblemFactory(
        consultation=consultation, state=start,
        resolution="已解决" if start in ("resolved", "not_solvable") else "",
        resolved_on=TODAY() if start == "resolved" else None,
    )
    with pytest.raises(ValidationError):
        services.problem_set_state(
            problem=problem, by=staff, state=target, resolution="x", resolved_on=TODAY()
        )
    problem.refresh_from_db()
    assert problem.state == start


@pytest.mark.parametrize(
    ("resolution", "days"),
    [("", 0), ("已解决", None), ("已解决", 1), ("已解决", -30)],  # no text, no date, future, before
)
def test_resolved_needs_how_and_a_sensible_date(problem, staff, resolution, days):
    resolved_on = None if days is None else TODAY() + timedelta(days=days)
    with pytest.raises(ValidationError):
        services.problem_set_state(
            problem=problem, by=staff, state="resolved", resolution=resolution, resolved_on=resolved_on
        )
    problem.refresh_from_db()
    assert problem.state == "open"
    assert problem.resolution == ""


def test_state_change_through_the_page(client_for, staff, problem):
    client = client_for(staff)
    url = reverse("activities:problem-set-state", args=[problem.pk])
    client.post(url, {"state": "resolved", "resolution": ""})
    problem.refresh_from_db()
    assert problem.state == "open"  # refused: no resolution
    response = client.post(url, {"state": "resolved", "resolution": "已修复",
                                 "resolved_on": TODAY().isoformat(), "next": "/activities/problems/"})
    assert response["Location"] == "/activities/problems/"
    problem.refresh_from_db()
    assert problem.state == "resolved"


@pytest.mark.parametrize(("persona", "status"), [("leader", 403), ("member_a", 403), ("other_staff", 404)])
def test_only_own_staff_change_states(request, client_for, problem, persona, status):
    url = reverse("activities:problem-set-state", args=[problem.pk])
    response = client_for(request.getfixturevalue(persona)).post(url, {"state": "in_progress"})
    assert response.status_code == status
    problem.refresh_from_db()
    assert problem.state == "open"


# --- consultations --------------------------------------------------------------------------


def test_create_with_photos_and_refuse_bad_ones(council, staff, member_a):
    made = services.consultation_create(
        council=council, by=staff, topic="停车难", held_on=TODAY(), members=[member_a],
        photos=[jpeg()],
    )
    assert made.photos.get().image.name.startswith(f"consultations/{made.pk}/")
    with pytest.raises(ValidationError):
        services.consultation_create(council=council, by=staff, topic="坏照片", held_on=TODAY(),
                                     photos=[text_as_jpeg()])
    with pytest.raises(ValidationError):
        services.consultation_update(consultation=made, by=staff, topic="改",
                                     photos=[jpeg(f"{i}.jpg") for i in range(20)])
    assert Consultation.objects.count() == 1
    assert ConsultationPhoto.objects.count() == 1
    made.refresh_from_db()
    assert made.topic == "停车难"


def test_create_refuses_other_councils_members(council, staff, other_member):
    with pytest.raises(ValidationError):
        services.consultation_create(council=council, by=staff, topic="x", held_on=TODAY(),
                                     members=[other_member])
    assert Consultation.objects.count() == 0


def test_staff_create_through_the_form(client_for, staff, member_a, council):
    platform = PlatformFactory(council=council)
    response = client_for(staff).post(reverse("activities:consultation-create"), {
        "topic": "农产品销路", "held_on": TODAY().isoformat(), "platform": platform.pk,
        "host": "王主任", "members": [member_a.pk], "officials_count": 2,
        "constituents_count": 12, "photos": [jpeg()],
    })
    consultation = Consultation.objects.get()
    assert response["Location"] == consultation.get_absolute_url()
    assert list(consultation.members.all()) == [member_a]
    assert consultation.photos.count() == 1


def test_problem_added_on_the_detail_page(client_for, staff, consultation):
    url = reverse("activities:problem-create", args=[consultation.pk])
    client_for(staff).post(url, {"description": "路灯不亮", "raised_by": "居民", "responsible_unit": "城管局"})
    client_for(staff).post(url, {"description": ""})
    assert list(consultation.problems.values_list("description", flat=True)) == ["路灯不亮"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("staff", 200), ("leader", 200), ("member_a", 200), ("member_b", 404), ("other_staff", 404)],
)
def test_detail_permissions(request, client_for, consultation, persona, status):
    # A member sees the sessions they took part in, read-only.
    response = client_for(request.getfixturevalue(persona)).get(consultation.get_absolute_url())
    assert response.status_code == status
    if persona == "member_a":
        assert reverse("activities:problem-create", args=[consultation.pk]) not in response.content.decode()


@pytest.mark.parametrize(
    ("url_name", "persona", "status"),
    [("consultation-list", "member_a", 403), ("problem-board", "member_a", 403),
     ("consultation-create", "leader", 403), ("consultation-list", "other_staff", 200)],
)
def test_list_permissions(request, client_for, consultation, url_name, persona, status):
    response = client_for(request.getfixturevalue(persona)).get(reverse(f"activities:{url_name}"))
    assert response.status_code == status
    if status == 200:
        assert "老旧小区改造" not in response.content.decode()


def test_edit_by_outsider_is_404(client_for, other_staff, consultation):
    url = reverse("activities:consultation-edit", args=[consultation.pk])
    assert client_for(other_staff).get(url).status_code == 404


def _sessions(council, n):
    platform = PlatformFactory(council=council)
    members = [MemberFactory(council=council) for _ in range(3)]
    for i in range(n):
        c = ConsultationFactory(council=council, platform=platform, members=members,
                                held_on=TODAY() - timedelta(days=i + 1))
        ProblemFactory(consultation=c)
        ProblemFactory(consultation=c, state="resolved", resolution="已解决", resolved_on=TODAY())
    return platform


@pytest.mark.parametrize("n", [3, 30])
def test_query_budgets(client_for, staff, council, n, django_assert_max_num_queries):
    platform = _sessions(council, n)
    client = client_for(staff)
    first = Consultation.objects.first()
    with django_assert_max_num_queries(7):  # session, user, council, count, problem totals, platform choices, page
        assert client.get(reverse("activities:consultation-list")).status_code == 200
    with django_assert_max_num_queries(8):  # session, user, council, consultation, problems, members, photos
        assert client.get(first.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(9):  # session, user, council, counts, 4 columns, platforms
        assert client.get(reverse("activities:problem-board")).status_code == 200
    with django_assert_max_num_queries(5):  # session, user, council, consultations, audit entry
        response = client.get(reverse("activities:consultation-export"))
        assert response.status_code == 200
        b"".join(response.streaming_content)  # written as it is sent: its queries here
    # session, user, council, platform, activity totals, session totals, problems resolved,
    # platform members, activities + their sectors, sessions
    with django_assert_max_num_queries(11):
        assert client.get(reverse("activities:platform-events", args=[platform.pk])).status_code == 200


def test_list_shows_the_totals(client_for, staff, council):
    _sessions(council, 4)
    html = client_for(staff).get(reverse("activities:consultation-list")).content.decode()
    assert 'data-testid="consultation-count">4<' in html
    assert 'data-testid="resolved-count">4<' in html


def test_list_by_month_of_the_day_held(client_for, staff, council):
    """The month filter on a plain date: 30 September is September, 1 October is not."""
    from datetime import date

    ConsultationFactory(council=council, topic="九月末议事", held_on=date(2024, 9, 30))
    ConsultationFactory(council=council, topic="十月初议事", held_on=date(2024, 10, 1))
    client = client_for(staff)
    september = client.get(reverse("activities:consultation-list"), {"month": "2024-09"})
    assert [c.topic for c in september.context["page"]] == ["九月末议事"]
    refused = client.get(reverse("activities:consultation-list"), {"month": "2024-13"})
    assert "month" in refused.context["filter"].form.errors


def test_board_columns(client_for, staff, council):
    _sessions(council, 2)
    html = client_for(staff).get(reverse("activities:problem-board")).content.decode()
    assert 'data-testid="count-open">2<' in html
    assert 'data-testid="count-resolved">2<' in html


def test_export_reads_back(client_for, staff, council):
    _sessions(council, 2)
    response = client_for(staff).get(reverse("activities:consultation-export"))
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    with translation.override("zh-hans"):
        assert list(rows[0]) == exports.consultation_headers()
    assert len(rows) == 3
    assert rows[1][4] == 3  # members
    assert rows[1][7:9] == (2, 1)  # raised, resolved


# --- links ----------------------------------------------------------------------------------


def test_contact_log_can_point_to_a_consultation(consultation, member_a):
    from tests.factories import ContactLogFactory

    log = ContactLogFactory(member=member_a, consultation=consultation)
    assert list(consultation.contact_logs.all()) == [log]


def test_problem_and_consultation_link_to_a_proposal(client_for, staff, member_a, problem, consultation):
    from tests.proposals.factories import ProposalFactory

    proposal = ProposalFactory(proposer=member_a)
    client = client_for(staff)
    client.post(reverse("activities:problem-link-proposal", args=[problem.pk]), {"proposal": proposal.pk})
    client.post(reverse("activities:consultation-link-proposal", args=[consultation.pk]),
                {"proposal": proposal.pk})
    problem.refresh_from_db()
    consultation.refresh_from_db()
    assert problem.proposal == proposal
    assert consultation.proposal == proposal


def test_another_councils_proposal_is_refused(staff, other_member, problem):
    from tests.proposals.factories import ProposalFactory

    foreign = ProposalFactory(proposer=other_member)
    with pytest.raises(ValidationError):
        services.problem_to_proposal(problem=problem, proposal=foreign, by=staff)
    problem.refresh_from_db()
    assert problem.proposal is None


# --- the platform section -------------------------------------------------------------------


def test_platform_section_counts(client_for, staff, council, sector, other_sector):
    platform = PlatformFactory(council=council)
    platform.members.add(MemberFactory(council=council), MemberFactory(council=council))
    ActivityFactory(council=council, platform=platform, title="跨界义诊", sectors=[sector, other_sector],
                    state=Activity.State.HELD, constituents_reached=30,
                    starts_at=timezone.now() - timedelta(days=2))
    ActivityFactory(council=council, platform=platform, constituents_reached=99)  # planned: not yet
    c = ConsultationFactory(council=council, platform=platform, constituents_count=12)
    ProblemFactory(consultation=c, state="resolved", resolution="好", resolved_on=TODAY())
    html = client_for(staff).get(reverse("activities:platform-events", args=[platform.pk])).content.decode()
    assert 'data-testid="platform-activity-count">2<' in html
    assert 'data-testid="platform-consultation-count">1<' in html
    assert 'data-testid="platform-reached">42<' in html
    assert "跨界义诊" in html


def test_platform_section_outsider_is_404(client_for, other_staff, council):
    platform = PlatformFactory(council=council)
    url = reverse("activities:platform-events", args=[platform.pk])
    assert client_for(other_staff).get(url).status_code == 404


def test_named_constituents_on_an_activity(council, staff, member_a):
    person = ConstituentFactory(member=member_a)
    activity = ActivityFactory(council=council)
    activity_services.activity_update(activity=activity, by=staff, constituents=[person])
    assert list(activity.constituents.all()) == [person]

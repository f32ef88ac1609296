"""The dashboard counts what arrived by QR code, what it became and how fast it was
triaged; each number links to the queue filtered alike, which counts exactly that number —
for the period filter, a district and a city's roll-up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import ContactLog, Reminder
from activities.reminders.services import sweep
from liaison.intake import services
from liaison.intake.models import Submission
from members.models import Council
from proposals.models import Session
from tests.factories import CouncilFactory, UserFactory
from tests.liaison.conftest import at
from tests.liaison.intake.conftest import submission
from tests.liaison.test_dashboard_links import check_figure, figures_of
from tests.proposals.factories import SessionFactory, proposal_in

pytestmark = pytest.mark.django_db
URL = reverse("liaison:dashboard")
# Recent days: a difficulty older than the follow-up window makes no must-visit.
TODAY = timezone.localdate()
EARLY, LATE = TODAY - timedelta(days=5), TODAY - timedelta(days=1)


def build(staff, member, platform, size: int = 1) -> None:
    """Of each of two days: waiting, closed, merged, an opinion passed on that became a
    proposal, a difficulty passed on that was visited, one that was not yet."""
    session = (Session.objects.filter(council=platform.council).first()
               or SessionFactory(council=platform.council, is_current=True))
    for _ in range(size):
        for day in (EARLY, LATE):
            def arrived(day=day, **fields):
                return submission(platform, submitted_at=at(day), phone="", **fields)

            arrived()
            services.submission_close(by=staff, submission=arrived(), reason="spam")
            first = arrived()
            services.submission_merge(by=staff, submission=arrived(), into=first)
            opinion = services.submission_assign(by=staff, submission=arrived(), member=member)
            ContactLog.objects.filter(pk=opinion.contact_log_id).update(
                proposal=proposal_in("filed", proposer=member, staff=staff, session=session))
            # Counted once the nightly job has copied the log's proposal onto the message.
            assert services.submission_outcomes_refresh() == 1
            assert services.submission_outcomes_refresh() == 0
            for visited in (True, False):
                done = services.submission_assign(
                    by=staff, submission=arrived(category="difficulty"), member=member,
                    difficulty_kind="hardship")
                # The follow-up the flag makes on commit (made here: the test's transaction
                # does not commit), then, for one of them, visited.
                sweep.reminders_for_difficulty(contact_log=done.contact_log)
                if visited:
                    visits = Reminder.objects.filter(flagged_by_id=done.contact_log_id)
                    assert visits.update(state="done") == 1
    # Triaged a day after arrival, on average.
    for row in Submission.objects.exclude(state="new"):
        Submission.objects.filter(pk=row.pk).update(triaged_at=row.submitted_at + timedelta(days=1))


def intake_figures(response) -> dict:
    return {k: f for k, f in figures_of(response).items() if k.startswith("intake-")}


@pytest.mark.parametrize("query", [{}, {"from": str(TODAY - timedelta(days=2)), "to": str(TODAY)}],
                         ids=["all", "period"])
def test_every_qr_number_equals_its_list(client_for, leader, staff, member_a, platform,
                                         other_platform, django_capture_on_commit_callbacks, query):
    with django_capture_on_commit_callbacks(execute=True):
        build(staff, member_a, platform)
    submission(other_platform)  # another council's: never counted here
    client = client_for(leader)
    response = client.get(URL, query)
    assert response.status_code == 200
    figures = intake_figures(response)
    per_day = {"intake-arrived": 7, "intake-awaiting": 2, "intake-assigned": 3, "intake-merged": 1,
               "intake-closed": 1, "intake-solved": 1, "intake-proposal": 1}
    days = 1 if query else 2
    assert {k: f.value for k, f in figures.items()} == {k: n * days for k, n in per_day.items()}
    for figure in figures.values():
        check_figure(client, figure)
    assert response.context["intake_triage_hours"] == 24.0
    assert "24.0" in response.content.decode()


def test_a_city_counts_its_districts(client_for, staff, member_a, platform, council,
                                     django_capture_on_commit_callbacks):
    city = CouncilFactory(name="七台河市政协", level=Council.Level.CITY)
    Council.objects.filter(pk=council.pk).update(parent=city)
    with django_capture_on_commit_callbacks(execute=True):
        build(staff, member_a, platform)
    city_leader = UserFactory(username="city_leader", role="leader", council=city)
    client = client_for(city_leader)
    for query in ({}, {"council": council.pk}):
        figures = intake_figures(client.get(URL, query))
        assert figures["intake-arrived"].value == 14
        for figure in figures.values():
            check_figure(client, figure)


def test_the_dashboard_query_count_does_not_grow(client_for, leader, staff, member_a, platform,
                                                 django_assert_max_num_queries, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    client = client_for(leader)
    counts = []
    for _size in (1, 3):
        build(staff, member_a, platform, size=2)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]

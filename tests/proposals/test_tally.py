"""The proposal tally (``proposals.tally``): a council's session's proposals per state, filed
or not, and outcome — what the unnarrowed dashboards and the report count. It must equal the
proposals after every kind of write, be rebuilt by ``rollups_rebuild``, and be what those
figures read."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from proposals import services
from proposals.models import Proposal, ProposalTally, Rating, State
from tests.factories import MemberFactory
from tests.proposals.factories import (
    HandlingUnitFactory,
    SessionFactory,
    proposal_in,
    unit_login,
)

pytestmark = pytest.mark.django_db


def counted_from_proposals() -> Counter:
    return Counter(
        (p.council_id, p.session_id, p.state, p.number is not None, p.latest_reply,
         p.counted_rating)
        for p in Proposal.objects.all()
    )


def tallied() -> Counter:
    return Counter({
        (t.council_id, t.session_id, t.state, t.filed, t.latest_reply, t.counted_rating):
        t.proposals for t in ProposalTally.objects.all()
    })


def assert_tally_right():
    assert tallied() == counted_from_proposals()


@pytest.fixture
def unit(council):
    unit = HandlingUnitFactory(council=council, name="区教育局")
    unit_login(unit, "edu")
    return unit


def test_the_tally_follows_every_write(staff, member_a, unit, session):
    cosigner = MemberFactory(council=member_a.council)
    draft = proposal_in(State.DRAFT, proposer=member_a, staff=staff)
    assert_tally_right()
    assert tallied()[(draft.council_id, session.pk, State.DRAFT, False, "", "")] == 1
    services.proposal_submit(proposal=draft, by=member_a.user)
    assert_tally_right()
    for state in (State.RETURNED, State.NOT_FILED, State.FILED):
        proposal_in(state, proposer=member_a, staff=staff)
        assert_tally_right()
    proposal = proposal_in(State.ASSIGNED, proposer=member_a, staff=staff, unit=unit,
                           cosigners=[cosigner])
    assert_tally_right()
    proposal = services.proposal_reply(proposal=proposal, by=unit.users.first(), category="B",
                                       text="正在办理。")
    assert_tally_right()
    proposal = services.proposal_rate(proposal=proposal, by=member_a.user, value="satisfied")
    assert_tally_right()
    proposal = services.proposal_rate(proposal=proposal, by=cosigner.user, value="unsatisfied")
    assert_tally_right()
    lead = proposal_in(State.FILED, proposer=member_a, staff=staff)
    other = proposal_in(State.UNDER_REVIEW, proposer=member_a, staff=staff)
    services.proposal_merge(proposal=other, by=staff, into=lead)
    assert_tally_right()
    # Outside the services: a rating removed, a proposal moved to another session, deleted.
    Rating.objects.filter(proposal=proposal).delete()
    assert_tally_right()
    moved = Proposal.objects.get(pk=lead.pk)
    moved.session = SessionFactory(council=moved.council, term=10, number=5, name="十届五次")
    moved.save()
    assert_tally_right()
    Proposal.objects.get(pk=draft.pk).delete()
    assert_tally_right()
    assert sum(tallied().values()) == Proposal.objects.count()


def test_a_save_that_changes_no_counted_column_recounts_nothing(member_a, staff, session):
    proposal = proposal_in(State.SUBMITTED, proposer=member_a, staff=staff)
    proposal.internal_note = "已电话联系提案人"
    with CaptureQueriesContext(connection) as queries:
        proposal.save(update_fields=["internal_note"])
    assert not [q for q in queries.captured_queries if "proposaltally" in q["sql"]]


def test_rollups_rebuild_recounts_the_tally(staff, member_a, unit, session, other_council):
    proposal_in(State.CLOSED, proposer=member_a, staff=staff, unit=unit, reply_category="C")
    proposal_in(State.SUBMITTED, proposer=member_a, staff=staff)
    right = tallied()
    ProposalTally.objects.update(proposals=99)
    ProposalTally.objects.create(council=other_council, session=SessionFactory(council=other_council),
                                 state=State.FILED, filed=True, proposals=5)
    call_command("rollups_rebuild")
    assert tallied() == right == counted_from_proposals()
    call_command("rollups_rebuild")  # twice: nothing changes
    assert tallied() == right


def test_the_unnarrowed_figures_read_the_tally_not_the_proposals(staff, member_a, unit, session,
                                                                  sector):
    from liaison.dashboard.figures import proposal_figures
    from liaison.dashboard.scope import Params, Scope

    proposal_in(State.CLOSED, proposer=member_a, staff=staff, unit=unit, reply_category="A")
    proposal_in(State.FILED, proposer=member_a, staff=staff)
    with CaptureQueriesContext(connection) as queries:
        counts = proposal_figures(Scope(user=staff), Params(None, None, None, None, None))
    assert (counts["collected"], counts["filed"], counts["closed"]) == (2, 2, 1)
    assert counts["reply_A"] == 1
    assert counts["rating_satisfied"] == 1
    assert not [q for q in queries.captured_queries if 'FROM "proposals_proposal"' in q["sql"]]
    # The proposer's sector (which a member may change) is counted from the proposals.
    member_a.sector = sector
    member_a.save()
    with CaptureQueriesContext(connection) as queries:
        narrowed = proposal_figures(Scope(user=staff), Params(sector_id=sector.pk))
    assert narrowed["collected"] == 2
    assert [q for q in queries.captured_queries if 'FROM "proposals_proposal"' in q["sql"]]


def test_the_nightly_council_task_recounts_the_tally_and_outcome(staff, member_a, unit, session):
    from activities.contacts.tasks import rollups_rebuild_council_task

    proposal = proposal_in(State.CLOSED, proposer=member_a, staff=staff, unit=unit,
                           reply_category="C")
    right = tallied()
    Proposal.objects.filter(pk=proposal.pk).update(latest_reply="", counted_rating="")
    ProposalTally.objects.update(proposals=7)
    rollups_rebuild_council_task.delay(council_id=member_a.council_id)
    assert Proposal.objects.values_list("latest_reply", "counted_rating").get(pk=proposal.pk) == (
        "C", "satisfied")
    assert tallied() == right == counted_from_proposals()


def test_the_unfiltered_register_figures_read_the_tally(staff, member_a, unit, session, client_for,
                                                       other_council):
    """The register's collected / filed / closed, unfiltered, are the tally's sums of the
    user's reach (drafts and other councils left out) and equal what a filter that keeps
    every row counts from the proposals; its paginator counts nothing of its own."""
    from django.urls import reverse

    from tests.proposals.factories import proposal_in as made

    made(State.CLOSED, proposer=member_a, staff=staff, unit=unit, reply_category="A")
    made(State.FILED, proposer=member_a, staff=staff)
    made(State.SUBMITTED, proposer=member_a, staff=staff)
    made(State.DRAFT, proposer=member_a, staff=staff)
    elsewhere = MemberFactory(council=other_council)
    made(State.SUBMITTED, proposer=elsewhere,
         staff=MemberFactory(council=other_council).user)
    client = client_for(staff)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("proposals:register"))
    assert page.context["figures"] == {"collected": 3, "filed": 2, "closed": 1}
    assert page.context["page"].paginator.count == 3
    counted = [q["sql"] for q in queries.captured_queries
               if 'FROM "proposals_proposal"' in q["sql"] and "COUNT(" in q["sql"]]
    assert counted == []
    # A filter keeping every row counts the proposals themselves: the same figures.
    narrowed = client.get(reverse("proposals:register"), {"current_session": "true"})
    assert narrowed.context["figures"] == {"collected": 3, "filed": 2, "closed": 1}

"""Each proposal keeps its outcome — the latest reply's category and the rating it counts
with — in two columns (``proposals.outcome``) that the dashboard's figures and the register's
filters read. They must equal what the replies and ratings say after every kind of write."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from proposals import outcome, services
from proposals.models import Proposal, Rating, State
from tests.factories import MemberFactory
from tests.proposals.factories import HandlingUnitFactory, proposal_in, unit_login

pytestmark = pytest.mark.django_db


def from_the_rows(proposal: Proposal) -> tuple[str, str]:
    row = (
        Proposal.objects.filter(pk=proposal.pk)
        .annotate(_reply=outcome.latest_reply(), _rating=outcome.counted_rating())
        .values_list("_reply", "_rating").get()
    )
    return row[0] or "", row[1] or ""


def kept(proposal: Proposal) -> tuple[str, str]:
    return Proposal.objects.values_list("latest_reply", "counted_rating").get(pk=proposal.pk)


@pytest.fixture
def unit(council):
    unit = HandlingUnitFactory(council=council, name="区教育局")
    unit_login(unit, "edu")
    return unit


def test_the_columns_follow_every_write(staff, member_a, unit, session):
    cosigner = MemberFactory(council=member_a.council)
    proposal = proposal_in(State.ASSIGNED, proposer=member_a, staff=staff, unit=unit,
                           cosigners=[cosigner])
    assert kept(proposal) == ("", "")

    proposal = services.proposal_reply(proposal=proposal, by=unit.users.first(), category="B",
                                       text="正在办理。")
    assert kept(proposal) == from_the_rows(proposal) == ("B", "")
    assert (proposal.latest_reply, proposal.counted_rating) == ("B", "")

    proposal = services.proposal_rate(proposal=proposal, by=member_a.user, value="satisfied")
    assert kept(proposal) == from_the_rows(proposal) == ("B", "satisfied")
    # The co-signer's 不满意 makes the round unsatisfied and sends it back (round 2).
    proposal = services.proposal_rate(proposal=proposal, by=cosigner.user, value="unsatisfied")
    assert proposal.state == State.ASSIGNED
    assert kept(proposal) == from_the_rows(proposal) == ("B", "unsatisfied")

    proposal = services.proposal_reply(proposal=proposal, by=unit.users.first(), category="A",
                                       text="已解决。")
    assert kept(proposal) == from_the_rows(proposal) == ("A", "unsatisfied")
    proposal = services.proposal_rate(proposal=proposal, by=member_a.user, value="basically")
    assert kept(proposal) == from_the_rows(proposal) == ("A", "basically")
    proposal = services.proposal_rate(proposal=proposal, by=cosigner.user, value="satisfied")
    assert proposal.state == State.CLOSED
    assert kept(proposal) == from_the_rows(proposal) == ("A", "basically")
    # A later save of the object the services returned does not carry old values back.
    proposal.refresh_from_db()
    assert (proposal.latest_reply, proposal.counted_rating) == ("A", "basically")

    # A rating removed (the admin site, or a correction in the database's shell).
    Rating.objects.filter(proposal=proposal, round=2).delete()
    assert kept(proposal) == from_the_rows(proposal) == ("A", "unsatisfied")


def test_rollups_rebuild_recomputes_the_columns(staff, member_a, unit, session):
    proposal = proposal_in(State.CLOSED, proposer=member_a, staff=staff, unit=unit,
                           reply_category="C")
    Proposal.objects.filter(pk=proposal.pk).update(latest_reply="", counted_rating="")
    call_command("rollups_rebuild")
    assert kept(proposal) == ("C", "satisfied")


def test_the_dashboard_figures_do_not_read_replies_or_ratings(staff, member_a, unit, session):
    """At province scale, looking up each proposal's latest reply and rating was the slowest
    query of an uncached dashboard (two subqueries for each of thousands of proposals)."""
    from liaison.dashboard.figures import proposal_figures
    from liaison.dashboard.scope import Params, Scope

    proposal_in(State.CLOSED, proposer=member_a, staff=staff, unit=unit, reply_category="A")
    with CaptureQueriesContext(connection) as queries:
        counts = proposal_figures(Scope(user=staff), Params(None, None, None, None, None))
    assert counts["reply_A"] == 1
    assert counts["rating_satisfied"] == 1
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "proposals_reply" not in sql
    assert "proposals_rating" not in sql

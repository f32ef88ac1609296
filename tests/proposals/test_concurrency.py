"""Concurrency on PostgreSQL: row locks make numbering gapless under concurrent filing, and
of two staff acting on one proposal at once exactly one wins (the other gets a conflict).

Run with DATABASE_URL=postgres://… (``.ci/run`` does); ``make test`` leaves them out."""

import threading

import pytest
from django.db import close_old_connections, connection

from proposals import services
from proposals.models import Proposal, ProposalEvent, Session, State
from tests.proposals.factories import proposal_in

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.fail("The concurrency tests need PostgreSQL (set DATABASE_URL)")


def run_together(jobs):
    """Run the callables in threads released at the same instant; return what each returned
    or raised."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def worker(i, job):
        try:
            barrier.wait()
            results[i] = job()
        except Exception as exc:  # the outcome is what we test
            results[i] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_concurrent_filing_never_duplicates_or_skips(staff, member_a):
    proposals = [proposal_in(State.UNDER_REVIEW, proposer=member_a, staff=staff) for _ in range(12)]
    results = run_together(
        [lambda p=p: services.proposal_file(proposal=p, by=staff) for p in proposals]
    )
    assert all(isinstance(r, Proposal) for r in results), results
    numbers = sorted(Proposal.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 13))
    assert Session.objects.get().last_number == 12


def test_two_staff_filing_one_proposal_one_wins(staff, admin, member_a):
    p = proposal_in(State.UNDER_REVIEW, proposer=member_a, staff=staff)
    mine, theirs = Proposal.objects.get(pk=p.pk), Proposal.objects.get(pk=p.pk)
    results = run_together([
        lambda: services.proposal_file(proposal=mine, by=staff),
        lambda: services.proposal_file(proposal=theirs, by=admin),
    ])
    winners = [r for r in results if isinstance(r, Proposal)]
    losers = [r for r in results if isinstance(r, services.ProposalConflictError)]
    assert (len(winners), len(losers)) == (1, 1), results
    assert Proposal.objects.get(pk=p.pk).number == 1
    assert Session.objects.get().last_number == 1
    assert ProposalEvent.objects.filter(proposal=p, action="file").count() == 1


def test_file_and_return_at_once_one_wins(staff, admin, member_a):
    p = proposal_in(State.UNDER_REVIEW, proposer=member_a, staff=staff)
    mine, theirs = Proposal.objects.get(pk=p.pk), Proposal.objects.get(pk=p.pk)
    results = run_together([
        lambda: services.proposal_file(proposal=mine, by=staff),
        lambda: services.proposal_return(proposal=theirs, by=admin, reason="请补充调研数据"),
    ])
    assert sum(isinstance(r, Proposal) for r in results) == 1, results
    assert sum(isinstance(r, services.ProposalConflictError) for r in results) == 1, results
    p.refresh_from_db()
    assert p.state in {State.FILED, State.RETURNED}
    assert ProposalEvent.objects.filter(proposal=p, action__in=["file", "return"]).count() == 1

"""Two offices' staff deciding on one report at once on PostgreSQL: the row lock lets one
decide, the other is told the report changed meanwhile; one level's decision, never two.

Run with DATABASE_URL=postgres://… (``.ci/run`` does); ``make test`` leaves them out."""

import pytest
from django.db import connection

from opinions import services
from opinions.models import Report, ReportRouting
from tests.opinions.helpers import report_in
from tests.proposals.test_concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.fail("The concurrency tests need PostgreSQL (set DATABASE_URL)")


def test_forward_and_not_use_at_once_one_wins(tree, staff, admin, member_a):
    report = report_in("pending", member=member_a, offices=[staff])
    mine, theirs = Report.objects.get(pk=report.pk), Report.objects.get(pk=report.pk)
    results = run_together([
        lambda: services.report_forward(report=mine, by=staff),
        lambda: services.report_not_use(report=theirs, by=admin, reason="内容重复"),
    ])
    assert sum(isinstance(r, Report) for r in results) == 1, results
    assert sum(isinstance(r, services.ReportError) for r in results) == 1, results
    decided = ReportRouting.objects.filter(report=report).exclude(decision="pending")
    assert decided.count() == 1
    report.refresh_from_db()
    assert report.version == 2

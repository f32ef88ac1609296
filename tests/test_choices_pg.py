"""Pages read their selects' choices with plain queries, not server-side cursors (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ConstituentFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_the_log_form_opens_no_server_side_cursor(client, member_a):
    """Django reads a select's choices through ``QuerySet.iterator()``: on PostgreSQL, outside
    a transaction, a WITH HOLD cursor (DECLARE, FETCH, CLOSE) for each select's few rows —
    four on this page, which members open more than any other."""
    if connection.vendor != "postgresql":
        pytest.skip("server-side cursors are PostgreSQL's")
    ConstituentFactory(member=member_a)
    client.force_login(member_a.user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("activities:contactlog-create"))
    assert response.status_code == 200
    declared = [q["sql"][:80] for q in queries.captured_queries if q["sql"].startswith("DECLARE")]
    assert declared == []


@pytest.mark.parametrize("url_name", [
    "proposals:register", "members:constituent-list", "members:member-list",
    "activities:contactlog-list",
])
def test_filter_bars_open_no_server_side_cursor(client_for, staff, url_name):
    """The filter bars' selects (sectors, committees, sessions, categories, units) were read
    the same way: five DECLARE/FETCH/CLOSE exchanges on the proposal register."""
    if connection.vendor != "postgresql":
        pytest.skip("server-side cursors are PostgreSQL's")
    client = client_for(staff)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(url_name))
    assert response.status_code == 200
    declared = [q["sql"][:80] for q in queries.captured_queries if q["sql"].startswith("DECLARE")]
    assert declared == []

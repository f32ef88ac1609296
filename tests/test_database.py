"""How the portal's connections to PostgreSQL are set up."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.postgres
@pytest.mark.django_db
def test_queries_are_not_jit_compiled():
    """The portal's queries run in milliseconds; compiling one (when its estimated cost passes
    jit_above_cost) cost 15-30 ms of a dashboard's 2-40 ms queries at province scale."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@pytest.mark.postgres
@pytest.mark.django_db
def test_only_big_plans_start_parallel_workers():
    """Two workers' start-up cost more than the small plans of the pages (rollups, indexes)
    read; a scan of millions of rows still goes parallel."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW parallel_setup_cost")
        assert float(cursor.fetchone()[0]) == 10000


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_query_run_often_is_planned_once_per_connection():
    """Parameters are bound by the server and psycopg prepares a query its connection has run
    five times: PostgreSQL then plans it once per connection. Planning a query over the
    month-partitioned tables cost up to ten times reading its rows (a member's home page)."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    from members.models import Council

    connection.ensure_connection()
    assert connection.connection.prepare_threshold == 5
    for n in range(7):
        list(Council.objects.filter(name=f"nowhere-{n}").values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%FROM "members_council" WHERE "members_council"."name" = $1%'],
        )
        assert cursor.fetchone()[0] == 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_bulk_write_bigger_than_one_statement_is_split():
    """The server binds at most 65,535 parameters a statement. bulk_create sends PostgreSQL
    one array a column (Django 5.2), but bulk_update writes three parameters a row, and a
    deletion looks up the rows referring to the deleted ones with one parameter each: past
    the limit they are split into several statements, as on SQLite and Oracle."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL limit")
    from members.models import User

    assert connection.features.max_query_params == 65535
    count = 65535 // 3 + 500
    User.objects.bulk_create(User(username=f"bulk-{n}") for n in range(count))
    users = list(User.objects.filter(username__startswith="bulk-").only("pk"))
    for user in users:
        user.first_name = "x"
    User.objects.bulk_update(users, ["first_name"])
    assert User.objects.filter(username__startswith="bulk-", first_name="x").count() == count

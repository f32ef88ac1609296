"""What every dashboard statement is built from: ``Clause`` (SQL and its parameters), the
reach (``reach``: the councils ``Scope.rows`` reads), the period (``span`` on a date or
datetime column, ``in_period`` on the tallies), the filters (``narrowing``, ``sessions``), the
activities the figures count (``held``), a month in the local time zone (``month_of``), and
the statements' tables, text and rows (``statement``, ``fetch_rows``)."""

from __future__ import annotations

from django.conf import settings
from django.db import connections, router
from django.utils import timezone

from activities.common.tallies import period_ranges
from activities.models import (
    Activity,
    ActivityKind,
    Channel,
    Consultation,
    ContactDay,
    ContactLog,
    ContactLogTag,
    ContactTally,
    LinkTag,
    Problem,
    Reminder,
    ReminderTally,
)
from liaison.dashboard.scope import Params, Scope
from liaison.intake.models import Submission
from members import permissions
from members.models import Committee, Council, Member, Platform, RosterTally, Sector
from opinions.models import Report
from proposals.models import Proposal, ProposalTally, Session


class Clause:
    """A piece of SQL and its parameters."""

    def __init__(self, sql: str = "1 = 1", params: tuple | list = ()):
        self.sql, self.params = sql, list(params)

    def __and__(self, other: Clause) -> Clause:
        return Clause(f"({self.sql}) AND ({other.sql})", self.params + other.params)


_TABLES: dict[str, dict[str, str]] = {}


def table_names(connection) -> dict[str, str]:
    """The tables' quoted names, for the connection's kind of database (read once: quoting
    two dozen names cost more than building a statement)."""
    if connection.vendor in _TABLES:
        return _TABLES[connection.vendor]
    models = {"council": Council, "sector": Sector, "committee": Committee, "platform": Platform,
              "roster": RosterTally, "contacts": ContactTally, "activity": Activity,
              "consultation": Consultation, "session": Session, "problem": Problem,
              "report": Report, "member": Member, "contact_day": ContactDay,
              "activity_sectors": Activity.sectors.through, "activity_tags": Activity.tags.through,
              "tag": LinkTag, "log_tag": ContactLogTag, "contact_log": ContactLog,
              "submission": Submission, "reminder": Reminder, "reminder_tally": ReminderTally,
              "activity_kind": ActivityKind, "proposal": Proposal,
              "proposal_tally": ProposalTally}
    tables = {name: connection.ops.quote_name(model._meta.db_table)
              for name, model in models.items()}
    _TABLES[connection.vendor] = tables
    return tables


def _subtree(column: str, council_id: int) -> Clause:
    """``column`` among the councils of ``council_id`` and under it."""
    subtree = permissions.subtree_ids(council_id)
    return Clause(f"{column} IN ({subtree.sql})", subtree.params)


def reach(connection, scope: Scope, column: str) -> Clause:
    """``column`` (a council id) limited to the councils ``scope.rows`` reads for the
    dashboards: no user (the ``report`` command), every council or the drill-down's; a
    superuser, every council; staff and leaders, their council and, for a city or province,
    its subtree; anyone else, none (the dashboards are for council readers alone)."""
    user, clause = scope.user, Clause()
    if user is not None:
        kind, council_id = permissions.reach_of(user)
        if not permissions.can_read_council(user) or kind == permissions.REACH_NONE:
            return Clause("1 = 0")
        if kind == permissions.REACH_OWN:
            clause = Clause(f"{column} = %s", (council_id,))
        elif kind == permissions.REACH_SUBTREE:
            clause = _subtree(column, council_id)
    if scope.council_id is not None and scope.own_only:
        clause = clause & Clause(f"{column} = %s", (scope.council_id,))
    elif scope.council_id is not None:
        clause = clause & _subtree(column, scope.council_id)
    return clause


CHANNELS = [value for value, _label in Channel.choices]
OPERATORS = {"gte": ">=", "lt": "<", "lte": "<="}


def span(connection, params: Params, column: str, *, is_datetime: bool) -> Clause:
    """The period on a date or datetime column (``Params.bounds``, both ends inclusive)."""
    clause = Clause()
    for lookup, value in params.bounds(is_datetime=is_datetime):
        adapted = (connection.ops.adapt_datetimefield_value(value) if is_datetime
                   else connection.ops.adapt_datefield_value(value))
        clause = clause & Clause(f"{column} {OPERATORS[lookup]} %s", (adapted,))
    return clause


def in_period(connection, params: Params, prefix: str) -> Clause:
    """The tally rows (``prefix``: the table's alias and a dot) that add up to the period,
    as ``PeriodTallyQuerySet.in_period``."""
    parts, values = [], []
    for period, first, end in period_ranges(params.date_from, params.date_to):
        part = [f"{prefix}period = %s"]
        values.append(period)
        if first:
            part.append(f"{prefix}start >= %s")
            values.append(connection.ops.adapt_datefield_value(first))
        if end:
            part.append(f"{prefix}start < %s")
            values.append(connection.ops.adapt_datefield_value(end))
        parts.append("(" + " AND ".join(part) + ")")
    return Clause(" OR ".join(parts), values)


def connection_for(model):
    return connections[router.db_for_read(model)]


def statement(connection, sql: str, clauses: list[Clause]) -> Clause:
    """``sql`` with its ``{tables}``, ``{order}`` (a column named as a keyword) and the
    clauses' SQL as ``{c0}``, ``{c1}``… (in that order in the text), with their parameters."""
    text = sql.format(**table_names(connection), order=connection.ops.quote_name("order"),
                      **{f"c{i}": c.sql for i, c in enumerate(clauses)})
    return Clause(text, [value for clause in clauses for value in clause.params])


def fetch(connection, query: Clause) -> list[tuple]:
    """The rows of ``query`` (a ``statement``)."""
    with connection.cursor() as cursor:
        cursor.execute(query.sql, query.params)
        return cursor.fetchall()


def fetch_rows(connection, sql: str, clauses: list[Clause]) -> list[tuple]:
    """The rows of ``sql`` (``statement``)."""
    return fetch(connection, statement(connection, sql, clauses))


def union_all(statements: list[Clause]) -> Clause:
    """The statements' rows, one after another (UNION ALL)."""
    return Clause(" UNION ALL ".join(s.sql for s in statements),
                  [value for s in statements for value in s.params])


def narrowing(params: Params, sector: str | None, committee: str | None) -> Clause:
    """The sector and committee filters on the given columns (``Params.narrowing``)."""
    clause = Clause()
    for column, value in params.narrowing(sector, committee):
        clause = clause & Clause(f"{column} = %s", (value,))
    return clause


def month_of(connection, column: str, *, is_datetime: bool) -> Clause:
    """The first day of ``column``'s month (of a datetime's local day), as ``TruncMonth``
    gives it; ``month_key`` reads it back."""
    tzname = timezone.get_current_timezone_name() if is_datetime and settings.USE_TZ else None
    return Clause(*connection.ops.date_trunc_sql("month", column, (), tzname))


def month_key(value) -> str:
    """A truncated month as "YYYY-MM", whether the database gives a date, a datetime or (on
    SQLite) their text."""
    return str(value)[:7]


def held(connection, scope: Scope, params: Params) -> Clause:
    """The activities ``figures.activity_rows`` reads (as ``a``): held in the period, in
    reach, narrowed by one of their sectors and by the organising committee."""
    clause = (Clause("a.state = %s", (Activity.State.HELD,))
              & span(connection, params, "a.starts_at", is_datetime=True)
              & reach(connection, scope, "a.council_id"))
    if params.sector_id:
        through = table_names(connection)["activity_sectors"]
        clause = clause & Clause(
            f"EXISTS (SELECT 1 FROM {through} x WHERE x.activity_id = a.id AND x.sector_id = %s)",
            (params.sector_id,))
    if params.committee_id:
        clause = clause & Clause("a.committee_id = %s", (params.committee_id,))
    return clause


def counts(template: str, values: list) -> Clause:
    """One count per value, ``template`` with ``%s`` for the value: ``a, b, c``."""
    return Clause(", ".join(template for _value in values), values)


def sessions(connection, params: Params, column: str) -> Clause:
    """The chosen session(s), or the current session of every council in reach, on a session
    id column (``scope.current_session_q``)."""
    if params.session_ids:
        return Clause(f"{column} IN ({', '.join(['%s'] * len(params.session_ids))})",
                      params.session_ids)
    if params.session_id:
        return Clause(f"{column} = %s", (params.session_id,))
    table = table_names(connection)["session"]
    return Clause(f"{column} IN (SELECT z.id FROM {table} z WHERE z.is_current = %s)", (True,))



"""The dashboard's breakdown tables written once in SQL, with the reach and the period as
clauses that say what ``Scope.rows`` and the filters say.

Built through the ORM, an uncached province dashboard spent nine tenths of its figures' CPU
building and compiling querysets, and a tenth running them (46.8 against 4.3 ms on one
machine, 75 against 9 on a slower one: ``bench/province/dashboard_orm.py``). The breakdown
tables were the dearest to build: a row per child council, sector, committee or platform,
each with two or three correlated sums, which the ORM built anew on every request (a
province's four tables: 28 ms of CPU on the slower machine). Their statements are written
here once, as ``members.home`` writes the member home's; a statement only varies in how many
councils and period bounds it names.

Every statement takes its reach from ``reach(scope, column)``: the councils ``scope.rows``
reads, as a clause on a council id column (``tests/liaison/test_dashboard_sql.py`` checks
the two agree for every kind of user and drill-down). Table and column names come from the
models.
"""

from __future__ import annotations

from django.db import connections, router

from activities.common.tallies import period_ranges
from activities.models import Activity, Consultation, ContactTally, Problem
from liaison.dashboard.scope import Params, Scope
from members import permissions
from members.models import Committee, Council, Member, Platform, RosterTally, Sector
from opinions.models import Report
from proposals.models import Session


class Clause:
    """A piece of SQL and its parameters."""

    def __init__(self, sql: str = "1 = 1", params: tuple | list = ()):
        self.sql, self.params = sql, list(params)

    def __and__(self, other: Clause) -> Clause:
        return Clause(f"({self.sql}) AND ({other.sql})", self.params + other.params)


def _tables(connection) -> dict[str, str]:
    models = {"council": Council, "sector": Sector, "committee": Committee, "platform": Platform,
              "roster": RosterTally, "contacts": ContactTally, "activity": Activity,
              "consultation": Consultation, "session": Session, "problem": Problem,
              "report": Report, "member": Member}
    return {name: connection.ops.quote_name(model._meta.db_table) for name, model in models.items()}


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
    if user is not None and not permissions.is_superuser(user):
        if not permissions.can_read_council(user) or user.council_id is None:
            return Clause("1 = 0")
        if user.council.level == Council.Level.DISTRICT:
            clause = Clause(f"{column} = %s", (user.council_id,))
        else:
            clause = _subtree(column, user.council_id)
    if scope.council_id is not None and scope.own_only:
        clause = clause & Clause(f"{column} = %s", (scope.council_id,))
    elif scope.council_id is not None:
        clause = clause & _subtree(column, scope.council_id)
    return clause


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


def _connection(model):
    return connections[router.db_for_read(model)]


def _rows(connection, sql: str, clauses: list[Clause]) -> list[tuple]:
    """``sql`` with its ``{tables}``, ``{order}`` (a column named as a keyword), the clauses'
    SQL as ``{c0}``, ``{c1}``… (in that order in the text) and their parameters bound."""
    text = sql.format(**_tables(connection), order=connection.ops.quote_name("order"),
                      **{f"c{i}": c.sql for i, c in enumerate(clauses)})
    with connection.cursor() as cursor:
        cursor.execute(text, [value for clause in clauses for value in clause.params])
        return cursor.fetchall()


# --- the tables -----------------------------------------------------------------------------

# One row per council in reach (with its parent) and one per council and figure; each child
# council's subtree (three levels at most) is summed from them by ``council_figures``.
COUNCILS_SQL = """
SELECT 'council', c.id, COALESCE(c.parent_id, 0), c.name, c.level, 0, 0
  FROM {council} c WHERE {c0}
UNION ALL
SELECT 'roster', t.council_id, 0, '', '', SUM(t.members), SUM(t.constituents)
  FROM {roster} t WHERE {c1} GROUP BY t.council_id
UNION ALL
SELECT 'contacts', t.council_id, 0, '', '', SUM(t.logs), 0
  FROM {contacts} t WHERE {c2} GROUP BY t.council_id
UNION ALL
SELECT 'consultations', k.council_id, 0, '', '', COUNT(*), 0
  FROM {consultation} k WHERE {c3} GROUP BY k.council_id
UNION ALL
SELECT 'activities', a.council_id, 0, '', '', COUNT(*), 0
  FROM {activity} a WHERE {c4} GROUP BY a.council_id
ORDER BY 4, 2
"""


def council_figures(scope: Scope, params: Params, root_id: int | None) -> list[dict]:
    """Each child council of ``root_id`` (None: the top councils, for a superuser of no
    council) in reach, in the order of their names, with its subtree's serving members and
    active constituents (the roster tally), contacts (the contact tally) and consultations
    and activities held in the period."""
    connection = _connection(Council)
    rows = _rows(connection, COUNCILS_SQL, [
        reach(connection, scope, "c.id"),
        reach(connection, scope, "t.council_id"),
        Clause("t.dimension = %s", (ContactTally.Dimension.CHANNEL,))
        & in_period(connection, params, "t.") & reach(connection, scope, "t.council_id"),
        span(connection, params, "k.held_on", is_datetime=False)
        & reach(connection, scope, "k.council_id"),
        Clause("a.state = %s", (Activity.State.HELD,))
        & span(connection, params, "a.starts_at", is_datetime=True)
        & reach(connection, scope, "a.council_id"),
    ])
    parent: dict[int, int] = {}
    children: dict[int, dict] = {}
    figures = []
    top = 0 if root_id is None else root_id  # a top council's parent reads 0
    for part, pk, up, name, level, a, b in rows:
        if part == "council":
            parent[pk] = up
            if up == top:
                children[pk] = {"pk": pk, "name": name, "level": level, "n_members": 0,
                                "n_constituents": 0, "n_contacts": 0, "n_consultations": 0,
                                "n_activities": 0}
        else:
            figures.append((part, pk, a or 0, b or 0))
    for part, pk, a, b in figures:
        child = _child_of(pk, parent, children)
        if child is None:
            continue  # the viewed council's own: in no child's subtree
        if part == "roster":
            children[child]["n_members"] += a
            children[child]["n_constituents"] += b
        else:
            children[child][f"n_{part}"] += a
    return list(children.values())


def _child_of(council_id: int | None, parent: dict[int, int], children: dict) -> int | None:
    """The child council (a key of ``children``) whose subtree holds ``council_id``."""
    for _level in range(3):
        if council_id in children:
            return council_id
        council_id = parent.get(council_id)
    return None


PLATFORMS_SQL = """
SELECT p.id, p.name, p.kind, p.active, p.council_id,
       COALESCE((SELECT SUM(t.logs) FROM {contacts} t WHERE t.item_id = p.id AND {c0}), 0),
       (SELECT COUNT(*) FROM {activity} a WHERE a.platform_id = p.id AND {c1}),
       (SELECT COUNT(*) FROM {consultation} k WHERE k.platform_id = p.id AND {c2})
  FROM {platform} p WHERE {c3}
 ORDER BY p.kind, p.name, p.id
"""


def platform_figures(scope: Scope, params: Params) -> list[dict]:
    """Every platform in reach with its contacts (the contact tally), activities held and
    consultations in the period."""
    connection = _connection(Platform)
    rows = _rows(connection, PLATFORMS_SQL, [
        Clause("t.dimension = %s", (ContactTally.Dimension.PLATFORM,))
        & in_period(connection, params, "t."),
        Clause("a.state = %s", (Activity.State.HELD,))
        & span(connection, params, "a.starts_at", is_datetime=True),
        span(connection, params, "k.held_on", is_datetime=False),
        reach(connection, scope, "p.council_id"),
    ])
    return [{"pk": pk, "name": name, "kind": kind, "active": bool(active), "council_id": council,
             "n_contacts": contacts, "n_activities": activities, "n_consultations": consultations}
            for pk, name, kind, active, council, contacts, activities, consultations in rows]


# The roster tally's rows of the sectors (or committees) in reach, summed per sector.
SECTORS_SQL = """
SELECT s.id, s.name, s.is_key, s.council_id, COALESCE(r.members, 0), COALESCE(r.constituents, 0)
  FROM {sector} s
  LEFT JOIN (SELECT t.sector_id, SUM(t.members) AS members, SUM(t.constituents) AS constituents
               FROM {roster} t WHERE {c0} GROUP BY t.sector_id) r ON r.sector_id = s.id
 WHERE {c1}
 ORDER BY s.council_id, s.{order}, s.name, s.id
"""


def sector_figures(scope: Scope) -> list[dict]:
    """Each sector in reach with its serving members and active constituents (the roster
    tally: the member's sector for members, the constituent's for constituents)."""
    connection = _connection(Sector)
    rows = _rows(connection, SECTORS_SQL, [reach(connection, scope, "t.council_id"),
                                           reach(connection, scope, "s.council_id")])
    return [{"pk": pk, "name": name, "is_key": bool(is_key), "council_id": council,
             "n_members": members, "n_constituents": constituents}
            for pk, name, is_key, council, members, constituents in rows]


COMMITTEES_SQL = """
SELECT m.id, m.name, m.council_id, COALESCE(r.members, 0), COALESCE(r.constituents, 0),
       (SELECT COUNT(*) FROM {activity} a WHERE a.committee_id = m.id AND {c0})
  FROM {committee} m
  LEFT JOIN (SELECT t.committee_id, SUM(t.members) AS members,
                    SUM(t.constituents) AS constituents
               FROM {roster} t WHERE {c1} GROUP BY t.committee_id) r ON r.committee_id = m.id
 WHERE {c2}
 ORDER BY m.council_id, m.{order}, m.name, m.id
"""


def committee_figures(scope: Scope, params: Params) -> list[dict]:
    """Each special committee in reach with its serving members and their active
    constituents (the roster tally) and activities held in the period."""
    connection = _connection(Committee)
    rows = _rows(connection, COMMITTEES_SQL, [
        Clause("a.state = %s", (Activity.State.HELD,))
        & span(connection, params, "a.starts_at", is_datetime=True),
        reach(connection, scope, "t.council_id"),
        reach(connection, scope, "m.council_id"),
    ])
    return [{"pk": pk, "name": name, "council_id": council, "n_members": members,
             "n_constituents": constituents, "n_activities": activities}
            for pk, name, council, members, constituents, activities in rows]


# The filter bar's choices: (kind, id, name, a, b, extra), sorted by the caller.
REFERENCE_SQL = """
SELECT 'session', s.id, s.name, -s.term, -s.number, CASE WHEN s.is_current THEN 1 ELSE 0 END
  FROM {session} s WHERE {c0}
UNION ALL
SELECT 'sector', x.id, x.name, x.{order}, 0, x.council_id FROM {sector} x WHERE {c1}
UNION ALL
SELECT 'committee', m.id, m.name, m.{order}, 0, m.council_id FROM {committee} m WHERE {c2}
UNION ALL
SELECT 'council', c.id, c.name, 0, 0, c.parent_id FROM {council} c WHERE {c3}
"""


def reference_rows(scope: Scope, root_id: int | None) -> list[tuple]:
    """Sessions, sectors and committees in ``scope``, and every council the user reaches
    (without the drill-down), as ``figures.reference`` describes them; the sectors and
    committees of ``root_id`` alone, unless the user is a superuser or there is no root."""
    connection = _connection(Session)
    whole = root_id is None or (scope.user is not None and permissions.is_superuser(scope.user))

    def own(column: str) -> Clause:
        return reach(connection, scope, column) & (
            Clause() if whole else Clause(f"{column} = %s", (root_id,)))

    return _rows(connection, REFERENCE_SQL, [
        reach(connection, scope, "s.council_id"),
        own("x.council_id"),
        own("m.council_id"),
        reach(connection, Scope(user=scope.user), "c.id"),
    ])


# --- headline figures -----------------------------------------------------------------------


def _by(params: Params, sector: str | None, committee: str | None) -> Clause:
    """The sector and committee filters on the given columns (``Params.narrowing``)."""
    clause = Clause()
    for column, value in params.narrowing(sector, committee):
        clause = clause & Clause(f"{column} = %s", (value,))
    return clause


ROSTER_SQL = """
SELECT COALESCE(SUM(t.members), 0), COALESCE(SUM(t.members_missing), 0),
       COALESCE(SUM(t.constituents), 0)
  FROM {roster} t WHERE {c0}
"""


def roster_figures(scope: Scope, params: Params) -> dict:
    """Serving members, those missing "两个1" and active constituents: the roster tally's
    sum, narrowed by its sector and committee."""
    connection = _connection(RosterTally)
    (active, missing, constituents), = _rows(connection, ROSTER_SQL, [
        reach(connection, scope, "t.council_id") & _by(params, "t.sector_id", "t.committee_id"),
    ])
    return {"active": active, "missing": missing, "constituents": constituents}


CONSULTATIONS_SQL = """
SELECT COUNT(DISTINCT k.id), COUNT(p.id),
       COALESCE(SUM(CASE WHEN p.state = {c0} THEN 1 ELSE 0 END), 0)
  FROM {consultation} k LEFT JOIN {problem} p ON p.consultation_id = k.id
 WHERE {c1}
"""


def consultation_figures(scope: Scope, params: Params) -> dict:
    """Consultations held in the period, the problems they raised and those solved."""
    connection = _connection(Consultation)
    (held, raised, solved), = _rows(connection, CONSULTATIONS_SQL, [
        Clause("%s", (Problem.State.RESOLVED,)),
        span(connection, params, "k.held_on", is_datetime=False)
        & reach(connection, scope, "k.council_id"),
    ])
    return {"held": held, "raised": raised, "solved": solved}


OPINIONS_SQL = """
SELECT COUNT(*),
       COALESCE(SUM(CASE WHEN r.state = {c0} THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN r.times_forwarded > 0 THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN r.state = {c1} THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN r.instructed_at IS NOT NULL THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN r.state = {c2} THEN 1 ELSE 0 END), 0)
  FROM {report} r {join}
 WHERE {c3}
"""


def opinion_figures(scope: Scope, params: Params) -> dict:
    """社情民意信息 submitted in the period, narrowed by the author's sector and committee:
    pending, forwarded, adopted, instructed, not used."""
    connection = _connection(Report)
    S = Report.State
    narrowed = bool(params.sector_id or params.committee_id)
    text = OPINIONS_SQL.replace(
        "{join}", "JOIN {member} a ON a.id = r.member_id" if narrowed else "")
    (submitted, pending, forwarded, adopted, instructed, not_used), = _rows(connection, text, [
        Clause("%s", (S.PENDING,)), Clause("%s", (S.ADOPTED,)), Clause("%s", (S.NOT_USED,)),
        span(connection, params, "r.submitted_at", is_datetime=True)
        & reach(connection, scope, "r.council_id") & _by(params, "a.sector_id", "a.committee_id"),
    ])
    return {"submitted": submitted, "pending": pending, "forwarded": forwarded,
            "adopted": adopted, "instructed": instructed, "not_used": not_used}

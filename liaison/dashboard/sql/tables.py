"""The breakdown tables (a row per child council, platform, sector or committee) and the
filter bar's choices."""

from __future__ import annotations

from activities.models import (
    Activity,
    ContactTally,
)
from liaison.dashboard.scope import Params, Scope
from liaison.dashboard.sql.clauses import (
    Clause,
    connection_for,
    fetch_rows,
    in_period,
    reach,
    sessions,
    span,
)
from members import permissions
from members.models import Committee, Council, Platform, Sector
from proposals.models import Session

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
    connection = connection_for(Council)
    rows = fetch_rows(connection, COUNCILS_SQL, [
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
    connection = connection_for(Platform)
    rows = fetch_rows(connection, PLATFORMS_SQL, [
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


# The roster tally's rows of the sectors in reach, summed per sector, and the session's filed
# proposals per sector: a member's proposal counts for the member's sector, a collective one
# for its proposing sector (a proposal has one kind of proposer).
SECTORS_SQL = """
SELECT s.id, s.name, s.is_key, s.council_id, COALESCE(r.members, 0), COALESCE(r.constituents, 0),
       COALESCE(f.n, 0)
  FROM {sector} s
  LEFT JOIN (SELECT t.sector_id, SUM(t.members) AS members, SUM(t.constituents) AS constituents
               FROM {roster} t WHERE {c0} GROUP BY t.sector_id) r ON r.sector_id = s.id
  LEFT JOIN (SELECT COALESCE(p.proposer_sector_id, m.sector_id) AS sector_id, COUNT(*) AS n
               FROM {proposal} p LEFT JOIN {member} m ON m.id = p.proposer_id
              WHERE p.number IS NOT NULL AND {c1} GROUP BY 1) f ON f.sector_id = s.id
 WHERE {c2}
 ORDER BY s.council_id, s.{order}, s.name, s.id
"""


def sector_figures(scope: Scope, params: Params) -> list[dict]:
    """Each sector in reach with its serving members and active constituents (the roster
    tally: the member's sector for members, the constituent's for constituents) and the
    session's filed proposals."""
    connection = connection_for(Sector)
    rows = fetch_rows(connection, SECTORS_SQL, [
        reach(connection, scope, "t.council_id"),
        reach(connection, scope, "p.council_id") & sessions(connection, params, "p.session_id"),
        reach(connection, scope, "s.council_id"),
    ])
    return [{"pk": pk, "name": name, "is_key": bool(is_key), "council_id": council,
             "n_members": members, "n_constituents": constituents, "n_proposals_filed": filed}
            for pk, name, is_key, council, members, constituents, filed in rows]


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
    connection = connection_for(Committee)
    rows = fetch_rows(connection, COMMITTEES_SQL, [
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
    connection = connection_for(Session)
    whole = root_id is None or (scope.user is not None and permissions.is_superuser(scope.user))

    def own(column: str) -> Clause:
        return reach(connection, scope, column) & (
            Clause() if whole else Clause(f"{column} = %s", (root_id,)))

    return fetch_rows(connection, REFERENCE_SQL, [
        reach(connection, scope, "s.council_id"),
        own("x.council_id"),
        own("m.council_id"),
        reach(connection, Scope(user=scope.user), "c.id"),
    ])



"""The dashboard's breakdown tables: one row per platform, sector, special committee or
child council, with their counts in one statement per table (a fixed number of queries,
whatever the number of rows), written in SQL (``liaison.dashboard.sql``: the ORM cost ten
times their running to build). Members, constituents and contacts are sums over the rollups
(``RosterTally``, ``ContactTally``), never counts over the rows. The filed proposals
per sector are a GROUP BY over the session's proposals in the same statement; narrowed by
sector or committee, the proposals per child council are one through the ORM."""

from __future__ import annotations

from django.db.models import Count, IntegerField, Subquery

from liaison.dashboard import sql
from liaison.dashboard.scope import Params, Scope, current_session_q
from proposals.models import Proposal
from proposals.models import State as ProposalState


class SubqueryCount(Subquery):
    """COUNT(*) of a correlated subquery: a per-row count without joining (and multiplying)
    the outer rows."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset.order_by().values("pk"), **kwargs)


def platform_rows(scope: Scope, params: Params) -> list[dict]:
    """Every platform with its contacts (from the daily counts), activities held and
    consultations in the period (``sql.platform_figures``)."""
    return sql.platform_figures(scope, params)


def sector_rows(scope: Scope, params: Params) -> list[dict]:
    """Each sector's serving members and active constituents (from the roster tally: the
    member's sector for members, the constituent's for constituents) and the session's filed
    proposals (``sql.sector_figures``)."""
    return sql.sector_figures(scope, params)


def committee_rows(scope: Scope, params: Params) -> list[dict]:
    """Each committee's serving members and their active constituents (the roster tally)
    and activities held (``sql.committee_figures``)."""
    return sql.committee_figures(scope, params)


def council_rows(scope: Scope, params: Params, root_id: int | None,
                 proposals: dict[tuple, int] | None = None) -> list[dict]:
    """Roll-up: each child council of ``root_id`` with its subtree's figures, in one statement
    written in SQL (``sql.council_figures``). ``proposals``: ``proposals_per_council``'s
    answer, when the caller has it already."""
    rows = sql.council_figures(scope, params, root_id)
    if proposals is None:
        proposals = proposals_per_council(scope, params)
    for row in rows:
        row["n_proposals"] = sum(
            n for (council, parent, grandparent), n in proposals.items()
            if row["pk"] in (council, parent, grandparent)
        )
    return rows


def proposals_per_council(scope: Scope, params: Params) -> dict[tuple, int]:
    """The session's proposals (drafts aside) per council, keyed by the council and its parent
    and grandparent, in one GROUP BY: a child council's subtree sums the keys that name it.
    A correlated count per child read every current proposal in reach once per child."""
    return {
        (council, parent, grandparent): n
        for council, parent, grandparent, n in (
            scope.rows(Proposal).exclude(state=ProposalState.DRAFT).filter(current_session_q(params))
            .order_by().values_list("council_id", "council__parent_id", "council__parent__parent_id")
            .annotate(n=Count("pk"))
        )
    }


def council_tallies(groups) -> dict[tuple, int]:
    """``proposals_per_council`` from ``figures.proposal_groups(..., by_council=True)``
    (drafts aside), without a second read of the proposals."""
    tallies: dict[tuple, int] = {}
    for state, _filed, _reply, _rating, council, parent, grandparent, n in groups:
        if state != ProposalState.DRAFT:
            key = (council, parent, grandparent)
            tallies[key] = tallies.get(key, 0) + n
    return tallies

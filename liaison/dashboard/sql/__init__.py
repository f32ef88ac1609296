"""The dashboard's statements written once in SQL, with the reach and the period as clauses
that say what ``Scope.rows`` and the filters say.

Built through the ORM, an uncached province dashboard spent nine tenths of its figures' CPU
building and compiling querysets, and a tenth running them (46.8 against 4.3 ms on one
machine, 75 against 9 on a slower one: ``bench/province/dashboard_orm.py``). So every figure
is written here once, as ``members.home`` writes the member home's: the breakdown tables (a
row per child council, sector, committee or platform), the filter bar's choices (read on
every request, cached figures or not) and the headline figures. A statement only varies in
how many councils, period bounds and filters it names.

Every statement takes its reach from ``reach(scope, column)``: the councils ``scope.rows``
reads, as a clause on a council id column; its period from ``span`` and ``in_period``; the
activities from ``held``, the report's ``activity_rows`` (``tests/liaison/test_dashboard_sql.py``
holds each equal to the ORM's for every kind of user, drill-down, period and filter). Table
and column names come from the models; what differs between SQLite and PostgreSQL (a month
in the local time zone, the time between two moments) is the backend's own SQL.
"""

from __future__ import annotations

from liaison.dashboard.sql.clauses import Clause, held, in_period, reach, sessions, span
from liaison.dashboard.sql.headline import (
    consultation_figures,
    intake_figures,
    opinion_figures,
    proposal_groups,
    reminder_figures,
    roster_figures,
)
from liaison.dashboard.sql.tables import (
    committee_figures,
    council_figures,
    platform_figures,
    reference_rows,
    sector_figures,
)
from liaison.dashboard.sql.trends import (
    activity_figures,
    activity_groups,
    contact_figures,
    tag_figures,
)

__all__ = [
    "Clause", "activity_figures", "activity_groups", "committee_figures", "consultation_figures",
    "contact_figures", "council_figures", "held", "in_period", "intake_figures",
    "opinion_figures", "platform_figures", "proposal_groups", "reach", "reference_rows",
    "reminder_figures", "roster_figures", "sector_figures", "sessions", "span", "tag_figures",
]

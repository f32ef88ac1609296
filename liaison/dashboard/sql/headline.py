"""The headline figures: the roster, consultations, 社情民意信息, messages by QR code,
must-visits and proposals."""

from __future__ import annotations

from datetime import timedelta

from activities.models import (
    Consultation,
    Problem,
    Reminder,
)
from liaison.dashboard.scope import Params, Scope
from liaison.dashboard.sql.clauses import (
    Clause,
    connection_for,
    counts,
    fetch_rows,
    in_period,
    narrowing,
    reach,
    sessions,
    span,
)
from liaison.intake.models import Submission
from members.models import RosterTally
from opinions.models import Report
from proposals.models import Proposal

ROSTER_SQL = """
SELECT COALESCE(SUM(t.members), 0), COALESCE(SUM(t.members_missing), 0),
       COALESCE(SUM(t.constituents), 0)
  FROM {roster} t WHERE {c0}
"""


def roster_figures(scope: Scope, params: Params) -> dict:
    """Serving members, those missing "两个1" and active constituents: the roster tally's
    sum, narrowed by its sector and committee."""
    connection = connection_for(RosterTally)
    (active, missing, constituents), = fetch_rows(connection, ROSTER_SQL, [
        reach(connection, scope, "t.council_id") & narrowing(params, "t.sector_id", "t.committee_id"),
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
    connection = connection_for(Consultation)
    (held, raised, solved), = fetch_rows(connection, CONSULTATIONS_SQL, [
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
    connection = connection_for(Report)
    S = Report.State
    narrowed = bool(params.sector_id or params.committee_id)
    text = OPINIONS_SQL.replace(
        "{join}", "JOIN {member} a ON a.id = r.member_id" if narrowed else "")
    (submitted, pending, forwarded, adopted, instructed, not_used), = fetch_rows(connection, text, [
        Clause("%s", (S.PENDING,)), Clause("%s", (S.ADOPTED,)), Clause("%s", (S.NOT_USED,)),
        span(connection, params, "r.submitted_at", is_datetime=True)
        & reach(connection, scope, "r.council_id") & narrowing(params, "a.sector_id", "a.committee_id"),
    ])
    return {"submitted": submitted, "pending": pending, "forwarded": forwarded,
            "adopted": adopted, "instructed": instructed, "not_used": not_used}


INTAKE_SQL = """
SELECT COUNT(*), {c0},
       COALESCE(SUM(CASE WHEN s.state = {c1} AND s.proposal_id IS NOT NULL THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN s.state = {c2} AND EXISTS (
           SELECT 1 FROM {reminder} r WHERE r.flagged_by_id = s.contact_log_id AND r.state = {c3}
       ) THEN 1 ELSE 0 END), 0),
       AVG(CASE WHEN s.triaged_at IS NOT NULL THEN {c4} END)
  FROM {submission} s WHERE {c5}
"""


def intake_figures(scope: Scope, params: Params) -> dict:
    """Messages that arrived by QR code in the period: by state, the assigned ones that
    became a proposal or a difficulty visited (a done must-visit flagged by the message's
    log), and the mean hours from arrival to triage."""
    connection = connection_for(Submission)
    S = Submission.State
    states = [S.NEW, S.ASSIGNED, S.MERGED, S.CLOSED]
    (arrived, *by_state, proposal, solved, wait), = fetch_rows(connection, INTAKE_SQL, [
        counts("COALESCE(SUM(CASE WHEN s.state = %s THEN 1 ELSE 0 END), 0)", states),
        Clause("%s", (S.ASSIGNED,)), Clause("%s", (S.ASSIGNED,)),
        Clause("%s", (Reminder.State.DONE,)),
        Clause(*connection.ops.subtract_temporals(
            "DateTimeField", ("s.triaged_at", ()), ("s.submitted_at", ()))),
        span(connection, params, "s.submitted_at", is_datetime=True)
        & reach(connection, scope, "s.council_id"),
    ])
    figures = dict(zip(["awaiting", "assigned", "merged", "closed"], by_state, strict=True))
    if wait is not None and not isinstance(wait, timedelta):
        wait = timedelta(microseconds=wait)  # SQLite: the mean of microseconds
    figures.update(arrived=arrived, proposal=proposal, solved=solved,
                   triage_hours=round(wait.total_seconds() / 3600, 1) if wait is not None else None)
    return figures


REMINDER_TALLY_SQL = """
SELECT COALESCE(SUM(t.due), 0), COALESCE(SUM(t.on_time), 0), COALESCE(SUM(t.overdue), 0)
  FROM {reminder_tally} t WHERE {c0}
"""
REMINDERS_SQL = """
SELECT COALESCE(SUM(CASE WHEN r.state IN ({c0}, {c1}) THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN r.state = {c2} AND r.on_time THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN r.state = {c3} THEN 1 ELSE 0 END), 0)
  FROM {reminder} r JOIN {member} m ON m.id = r.member_id
 WHERE {c4}
"""


def reminder_figures(scope: Scope, params: Params) -> dict:
    """Must-visits that came due in the period: done on time, done late, overdue. From the
    must-visit tally or, narrowed by sector or committee, from the reminders of that
    sector's or committee's members (the tally has no member)."""
    connection = connection_for(Reminder)
    S = Reminder.State
    if not (params.sector_id or params.committee_id):
        (due, on_time, overdue), = fetch_rows(connection, REMINDER_TALLY_SQL, [
            in_period(connection, params, "t.") & reach(connection, scope, "t.council_id"),
        ])
    else:
        (due, on_time, overdue), = fetch_rows(connection, REMINDERS_SQL, [
            Clause("%s", (S.DONE,)), Clause("%s", (S.OVERDUE,)), Clause("%s", (S.DONE,)),
            Clause("%s", (S.OVERDUE,)),
            span(connection, params, "r.due_on", is_datetime=False)
            & reach(connection, scope, "r.council_id")
            & narrowing(params, "m.sector_id", "m.committee_id"),
        ])
    return {"due": due, "on_time": on_time, "overdue": overdue}


PROPOSAL_GROUPS_SQL = """
SELECT {rows}.state, {filed}, {rows}.latest_reply, {rows}.counted_rating{councils}, {n}
  FROM {{{table}}} {rows}{joins}
 WHERE {{c0}}
 GROUP BY {rows}.state, {filed}, {rows}.latest_reply, {rows}.counted_rating{councils}
"""


def proposal_groups(scope: Scope, params: Params, *, by_council: bool = False) -> list[tuple]:
    """The session's proposals counted by state, filed or not, and the outcome columns each
    proposal keeps (``proposals.outcome``); ``by_council`` adds the council and its parent and
    grandparent, from which the roll-up table sums each child's subtree
    (``breakdowns.proposals_per_council``). A few hundred groups at most.

    Unnarrowed, they are the proposal tally's rows (``proposals.tally``, kept on every write);
    a sector or committee (the proposer's: a member's, or the collective proposer itself,
    which a member may change) is counted from the proposals themselves."""
    connection = connection_for(Proposal)
    narrowed = bool(params.sector_id or params.committee_id)
    rows = "p" if narrowed else "t"
    joins = ""
    if by_council:
        joins = (f" JOIN {{council}} c ON c.id = {rows}.council_id"
                 " LEFT JOIN {council} cp ON cp.id = c.parent_id")
    where = reach(connection, scope, f"{rows}.council_id") & sessions(
        connection, params, f"{rows}.session_id")
    if narrowed:
        joins += " LEFT JOIN {member} m ON m.id = p.proposer_id"
        for field, value in params.narrowing("sector_id", "committee_id"):
            where = where & Clause(f"(m.{field} = %s OR p.proposer_{field} = %s)", (value, value))
    text = PROPOSAL_GROUPS_SQL.format(
        rows=rows, table="proposal" if narrowed else "proposal_tally",
        filed="p.number IS NOT NULL" if narrowed else "t.filed",
        councils=f", {rows}.council_id, c.parent_id, cp.parent_id" if by_council else "",
        n="COUNT(*)" if narrowed else "SUM(t.proposals)", joins=joins)
    return [tuple(row) for row in fetch_rows(connection, text, [where])]


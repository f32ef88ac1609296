"""The register's (提案汇总) figures and pages, read a session at a time.

The register lists proposals by session (the latest term and session first), then by number
(unfiled ones last on PostgreSQL), then by id. Sorting a province's proposals joined to their
session to take one page read every proposal in reach (20,000, and more each year). The
sessions of a reach are few (a council holds one a year): the figures are counted per
session, in the one query that counted them anyway (from the tally when nothing narrows the
list), so the view knows where each session's rows start, and a page's ids are read from the
index on (session, number, id) of the session or sessions it falls in: as many index entries
as the page's offset into its session, not the province's proposals.

Sessions of different councils with the same term and number (every district's 十届四次) are
one run: their rows interleave by number, as the sort over the joined session interleaved
them. A run of several sessions is read as a ``UNION ALL`` of each session's rows ordered by
(number, id), which PostgreSQL merges from each session's index scan (a Merge Append).

A narrowed list (a filter, a search) of few rows is read whole once instead (``matches``):
its figures counted and its page's ids sorted in Python, not read twice by the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from django.db import connections
from django.db.models import Count, Q, Sum

from members.pagination import page_of
from proposals.models import ProposalTally, State

FIGURES = ("collected", "filed", "closed")

# The session a run's branch is compiled for, replaced by each session's id: no session has
# it, and no other parameter of the register's rows is a number this large.
_SESSION = 2_147_483_647

# A narrowed list of at most this many rows is read whole once (``matches``).
MATCHES_CAP = 2_500


@dataclass(frozen=True)
class Run:
    """The sessions sharing a term and number, and how many of the listed rows they hold."""

    sessions: tuple[int, ...]
    rows: int


def session_figures(user, rows, *, narrowed: bool) -> list[dict]:
    """Collected / filed / closed per session of ``rows``, with the session's term and
    number: from the tally of ``user``'s reach unless the list is ``narrowed`` (a filter or a
    search), else counted over the rows."""
    if narrowed:
        counted = rows.order_by().values("session_id", "session__term", "session__number")
        counted = counted.annotate(
            collected=Count("pk"),
            filed=Count("pk", filter=Q(number__isnull=False)),
            closed=Count("pk", filter=Q(state=State.CLOSED)),
        )
    else:
        tally = ProposalTally.objects.visible_to(user).exclude(state=State.DRAFT).order_by()
        counted = tally.values("session_id", "session__term", "session__number").annotate(
            collected=Sum("proposals", default=0),
            filed=Sum("proposals", filter=Q(filed=True), default=0),
            closed=Sum("proposals", filter=Q(state=State.CLOSED), default=0),
        )
    return list(counted)


def matches(rows, cap: int | None = None) -> list[tuple] | None:
    """A narrowed list's rows, all of them in one read, as (id, session, its term, its
    number, number, state): the figures are counted and the page's ids sorted from them
    (``figures_of``, ``in_order``) instead of reading the matches twice, once to count them
    per session and once more for the page — a word too short for trigrams reads every
    proposal of the reach each time (a province's 20,000: 15 ms each). None when there are
    more than ``cap``: a filter as wide as "closed" (13,000 of a province) is counted and
    paged by the database, as before, after reading ``cap`` + 1 rows (``MATCHES_CAP``
    unless given)."""
    cap = MATCHES_CAP if cap is None else cap
    found = list(
        rows.select_related(None).prefetch_related(None).order_by()
        .values_list("pk", "session_id", "session__term", "session__number", "number", "state")
        [: cap + 1]
    )
    return None if len(found) > cap else found


def figures_of(found: list[tuple]) -> list[dict]:
    """``session_figures`` of the rows ``matches`` read."""
    per_session: dict[int, dict] = {}
    for _pk, session, term, session_number, number, state in found:
        row = per_session.get(session)
        if row is None:
            row = per_session[session] = {
                "session_id": session, "session__term": term, "session__number": session_number,
                "collected": 0, "filed": 0, "closed": 0,
            }
        row["collected"] += 1
        row["filed"] += number is not None
        row["closed"] += state == State.CLOSED
    return list(per_session.values())


def in_order(found: list[tuple], *, nulls_last: bool) -> list[int]:
    """The ids of the rows ``matches`` read in the register's order: the session's term and
    number descending (sessions sharing both interleaved), the number (unfiled ones last
    where the database sorts NULL last, as PostgreSQL does), the id."""
    def key(row):
        _pk, _session, term, session_number, number = row[:5]
        unfiled = number is None if nulls_last else number is not None
        return (-term, -session_number, unfiled, number or 0, row[0])

    return [row[0] for row in sorted(found, key=key)]


def totals(per_session: list[dict]) -> dict:
    return {name: sum(row[name] for row in per_session) for name in FIGURES}


def runs(per_session: list[dict]) -> list[Run]:
    """The sessions in the register's order (term, then number, descending), those sharing
    both in one run."""
    def key(row):
        return (-row["session__term"], -row["session__number"])

    ordered = sorted((row for row in per_session if row["collected"]), key=key)
    return [
        Run(tuple(row["session_id"] for row in group), sum(row["collected"] for row in group))
        for group in (list(g) for _key, g in groupby(ordered, key=key))
    ]


class RegisterIds:
    """The ids of ``rows`` in the register's order, sliced as a paginator slices: one query
    per run the slice falls in (the page's rows, plus its offset into its first run).

    ``sparse``: a filter or a search chose the rows, which their own indexes find (the state's,
    the title's trigrams) or which are read all (a word too short for trigrams): a run's
    matches are then sorted in one query (2,000 assigned ones of a province's current
    sessions: 2 ms), instead of walking each session's index past the rows that do not
    match (9 ms) and planning a branch per session (25 ms with a search's joins)."""

    def __init__(self, rows, run_list: list[Run], *, sparse: bool = False):
        self.rows = rows.select_related(None).prefetch_related(None).order_by()
        self.runs = run_list
        self.sparse = sparse

    def __len__(self) -> int:
        return sum(run.rows for run in self.runs)

    def __getitem__(self, window: slice) -> list[int]:
        ids, start = [], 0
        for run in self.runs:
            low, high = max(window.start - start, 0), min(window.stop - start, run.rows)
            if low < high:
                ids += self._ids(run, low, high)
            start += run.rows
            if start >= window.stop:
                break
        return ids

    def _ids(self, run: Run, low: int, high: int) -> list[int]:
        # "number" ascending, as the list always sorted it: unfiled (NULL) last on
        # PostgreSQL, first on SQLite.
        if len(run.sessions) == 1 or self.sparse:
            one = self.rows.filter(session_id__in=run.sessions).order_by("number", "id")
            return list(one.values_list("pk", flat=True)[low:high])
        return self._merged_ids(run, low, high)

    def _merged_ids(self, run: Run, low: int, high: int) -> list[int]:
        """A run of several sessions: each session's rows in order, merged. PostgreSQL
        merges ordered branches (a Merge Append of each session's index scan) only when
        the ``UNION ALL`` is a subquery of the ordered query, hence the SQL around it;
        SQLite refuses ordered branches and sorts the run's rows.

        The branches differ in their session only: one is compiled (a province's current
        sessions are eleven, and compiling each branch with its reach cost more than the
        query) and repeated with each session's id."""
        connection = connections[self.rows.db]
        ordered = connection.features.supports_slicing_ordering_in_compound
        part = self.rows.filter(session_id=_SESSION).values_list("id", "number")
        # Each branch ordered and capped at the slice's end: PostgreSQL then walks each
        # session's index from its start (the join to the reach's councils a nested loop)
        # rather than sorting each session's rows.
        sql, params = (part.order_by("number", "id")[:high] if ordered else part).query.sql_with_params()
        at = params.index(_SESSION)
        branch = f"({sql})" if ordered else sql
        union = " UNION ALL ".join([branch] * len(run.sessions))
        params = [value for pk in run.sessions for value in (*params[:at], pk, *params[at + 1:])]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT * FROM ({union}) AS run ORDER BY 2, 1 LIMIT %s OFFSET %s",
                [*params, high - low, low],
            )
            return [row[0] for row in cursor.fetchall()]


def page(rows, run_list: list[Run], request, per_page: int = 50, *, sparse: bool = False):
    """The requested page of ``rows`` (bad or out-of-range numbers fall back to the nearest
    page): its ids by session run, then the page's rows whole in one query (and the
    queryset's prefetches)."""
    ids = RegisterIds(rows, run_list, sparse=sparse)
    return page_of(rows, request, per_page, ids=ids, count=len(ids))


def listing(user, rows, page_rows, request, *, narrowed: bool) -> tuple[list[dict], object]:
    """The register's figures per session and the requested page of ``page_rows`` (``rows``
    with the page's columns): a narrowed list of few rows from one read of them
    (``matches``), any other counted (from the tally when not narrowed) and its page's ids
    read by session run."""
    found = matches(rows) if narrowed else None
    if found is not None:
        nulls_last = connections[rows.db].features.nulls_order_largest
        ids = in_order(found, nulls_last=nulls_last)
        return figures_of(found), page_of(page_rows, request, ids=ids, count=len(ids))
    per_session = session_figures(user, rows, narrowed=narrowed)
    return per_session, page(page_rows, runs(per_session), request, sparse=narrowed)

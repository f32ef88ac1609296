"""Keeping the roster rollups equal to the members and constituents they count.

Two rollups, read by the dashboards, the staff overview, the coverage page and the report
instead of counting a million constituents:

- ``Member.active_constituents``: each member's active constituents ("两个1": a serving
  member with none, or without a zone, is missing);
- ``RosterTally``: per council, sector and special committee, serving members, those missing
  "两个1", and active constituents (``members.models.rollups``).

Kept two ways, as ``DESIGN.md`` asks:

- in the transaction of every write, by the services that write (``members.services``, the
  imports, the demo): ``roster_change`` for constituents put on or taken off a roster (an
  ``UPDATE … SET n = n + d`` on the members, which locks them, then one
  ``INSERT … ON CONFLICT DO UPDATE`` on the tally), ``members_added`` /
  ``member_changed`` / ``member_removed`` for members. Never read-modify-write in Python:
  every change is an increment, and what it depends on (the member's committee, status,
  zone, count) is read under the member's row lock.
- ``roster_rebuild()``: both recounted from the rows (``manage.py rollups_rebuild``, the
  nightly job), the tables locked against writers meanwhile.

Lock order, everywhere: a constituent, then its member(s), then tally rows (sorted by key).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce

from members.common.increments import add_to_rows, column_put_right
from members.common.locks import tables_locked
from members.models import Constituent, Council, Member, RosterTally
from members.models.rollups import NONE

_GRAIN = ["council_id", "sector_id", "committee_id"]
_COUNTS = ["members", "members_missing", "constituents"]

Key = tuple[int, int, int]  # council, sector, committee (NONE: none)


@dataclass(frozen=True)
class MemberState:
    """What of a member the tally depends on, as stored."""

    council_id: int
    sector_id: int
    committee_id: int
    active: bool
    has_zone: bool
    constituents: int

    @classmethod
    def of(cls, member: Member) -> MemberState:
        return cls(member.council_id, member.sector_id, member.committee_id or NONE,
                   member.status == Member.Status.ACTIVE, bool(member.zone),
                   member.active_constituents)

    @property
    def key(self) -> Key:
        return (self.council_id, self.sector_id, self.committee_id)

    @property
    def missing(self) -> bool:
        return self.active and (not self.has_zone or self.constituents <= 0)


class Deltas:
    """Signed changes to tally rows, summed by key, written by one upsert."""

    def __init__(self):
        self.rows: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0])

    def member(self, state: MemberState, sign: int) -> None:
        row = self.rows[state.key]
        row[0] += sign * state.active
        row[1] += sign * state.missing

    def constituents(self, key: Key, n: int) -> None:
        self.rows[key][2] += n

    def write(self) -> None:
        tally_add(self.rows)


def tally_add(rows: dict[Key, list[int]]) -> None:
    """Add each row's (members, missing, constituents) to its tally row: one upsert."""
    add_to_rows(RosterTally, _GRAIN, _COUNTS,
                [(*key, *counts) for key, counts in rows.items() if any(counts)])


# --- members ---------------------------------------------------------------------------------


def members_added(members: Iterable[Member]) -> None:
    """Count members just inserted (one, or an import's batch), in the inserting transaction."""
    deltas = Deltas()
    for member in members:
        deltas.member(MemberState.of(member), +1)
    deltas.write()


def member_locked(member_id: int) -> Member:
    """The member's stored row, locked until the transaction ends (``FOR UPDATE``: roster
    changes and contact logs of the member wait, and see the change when they go on)."""
    return Member.objects.select_for_update().get(pk=member_id)


def member_changed(before: MemberState, after: MemberState, *, member_id: int) -> None:
    """A member's sector, committee, status or zone changed (``before`` read under
    ``member_locked``): the member moves between tally rows, and their constituents with them
    when the committee changed."""
    deltas = Deltas()
    deltas.member(before, -1)
    deltas.member(after, +1)
    if before.committee_id != after.committee_id or before.council_id != after.council_id:
        for sector_id, n in roster_by_sector(member_id).items():
            deltas.constituents((before.council_id, sector_id, before.committee_id), -n)
            deltas.constituents((after.council_id, sector_id, after.committee_id), +n)
    deltas.write()


def member_removed(before: MemberState) -> None:
    """A member deleted (only one with no constituents can be: they are protected)."""
    deltas = Deltas()
    deltas.member(before, -1)
    deltas.write()


def roster_by_sector(member_id: int) -> dict[int, int]:
    """The member's active constituents per constituent sector (the member's index)."""
    return dict(
        Constituent.objects.filter(member_id=member_id, active=True)
        .order_by().values_list("sector_id").annotate(n=Count("pk"))
    )


# --- constituents ----------------------------------------------------------------------------


def roster_change(changes: Iterable[tuple[int, int, int]]) -> None:
    """Active constituents put on (+n) or taken off (−n) rosters: ``changes`` are
    ``(member id, the constituent's sector id, n)`` — a new or reactivated constituent is +1,
    one deactivated or deleted −1, a move or a sector change one of each.

    Two statements on the members, whatever their number: each member's counter goes up or
    down by its sum (``UPDATE … SET active_constituents = active_constituents + d``, which
    locks the rows until the transaction ends), then their committee, status, zone and new
    count are read under that lock. Then one upsert on the tally: the constituents' rows,
    and the member's row where the change crosses zero ("两个1" gained or lost)."""
    by_member: dict[int, int] = defaultdict(int)
    by_sector: dict[tuple[int, int], int] = defaultdict(int)
    for member_id, sector_id, n in changes:
        by_member[member_id] += n
        by_sector[(member_id, sector_id)] += n
    if not by_member:
        return
    if len(by_member) > 1:
        # Several members (a move, an import): lock them in one order, by id, before changing
        # them. Changed by delta, two moves between the same members in opposite directions —
        # or a ring of three — each held one member and waited for the next: a deadlock.
        list(Member.objects.filter(pk__in=list(by_member)).order_by("pk")
             .select_for_update().values_list("pk", flat=True))
    by_delta: dict[int, list[int]] = defaultdict(list)
    for member_id, n in sorted(by_member.items()):
        by_delta[n].append(member_id)
    for n, ids in sorted(by_delta.items()):  # a move (net 0) still locks its member
        Member.objects.filter(pk__in=ids).update(active_constituents=F("active_constituents") + n)
    states = {m.pk: MemberState.of(m) for m in Member.objects.filter(pk__in=list(by_member)).only(
        "council_id", "sector_id", "committee_id", "status", "zone", "active_constituents")}
    deltas = Deltas()
    for (member_id, sector_id), n in by_sector.items():
        state = states[member_id]
        deltas.constituents((state.council_id, sector_id, state.committee_id), n)
    for member_id, n in by_member.items():
        after = states[member_id]
        before = replace(after, constituents=after.constituents - n)
        if before.missing != after.missing:
            deltas.member(before, -1)
            deltas.member(after, +1)
    deltas.write()


def constituents_added(constituents: Iterable[Constituent]) -> None:
    """Count constituents just inserted (an import's batch, the demo's)."""
    roster_change((c.member_id, c.sector_id, +1) for c in constituents if c.active)


# --- the raw aggregate and the rebuild -------------------------------------------------------


def raw_counters(councils=None) -> dict[int, int]:
    """Every member's active constituents, counted (members with none: absent)."""
    rows = Constituent.objects.filter(active=True)
    if councils is not None:
        rows = rows.filter(council_id__in=councils)
    return dict(rows.order_by().values_list("member_id").annotate(n=Count("pk")))


def raw_tally(councils=None) -> dict[Key, tuple[int, int, int]]:
    """The tally computed from the rows (only rows with something to count): what
    ``RosterTally`` must equal. Two GROUP BY queries."""
    members = Member.objects.filter(status=Member.Status.ACTIVE)
    constituents = Constituent.objects.filter(active=True)
    if councils is not None:
        members = members.filter(council_id__in=councils)
        constituents = constituents.filter(council_id__in=councils)
    has_roster = Exists(Constituent.objects.filter(member_id=OuterRef("pk"), active=True))
    totals: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0])
    for council_id, sector_id, committee_id, n, missing in (
        members.order_by()
        .values_list("council_id", "sector_id", Coalesce("committee_id", Value(NONE)))
        .annotate(n=Count("pk"), missing=Count("pk", filter=Q(zone="") | ~has_roster))
    ):
        totals[(council_id, sector_id, committee_id)][0:2] = [n, missing]
    for council_id, sector_id, committee_id, n in (
        constituents.order_by()
        .values_list("council_id", "sector_id", Coalesce("member__committee_id", Value(NONE)))
        .annotate(n=Count("pk"))
    ):
        totals[(council_id, sector_id, committee_id)][2] = n
    return {key: tuple(counts) for key, counts in totals.items()}


def stored_tally(councils=None) -> dict[Key, tuple[int, int, int]]:
    """The tally as stored, rows with nothing to count left out (a row emptied by a change
    stays, at zero)."""
    rows = RosterTally.objects.all()
    if councils is not None:
        rows = rows.filter(council_id__in=councils)
    return {
        tuple(row[:3]): tuple(row[3:])
        for row in rows.values_list(*_GRAIN, *_COUNTS)
        if any(row[3:])
    }


def roster_rebuild(*, council: Council | int | None = None) -> int:
    """Recount the members' counters and the tally of ``council`` (every council if None)
    from the rows, in one transaction; returns the tally rows written. Idempotent.

    On PostgreSQL the members and the tally are locked against writers (``EXCLUSIVE``:
    readers go on) first, members first as every writer takes them: a roster change in
    flight either committed before and is counted, or waits and adds itself after."""
    ids = None
    if council is not None:
        ids = [council if isinstance(council, int) else council.pk]
    with transaction.atomic():
        tables_locked(Member, RosterTally, mode="EXCLUSIVE")
        _rebuild_counters(ids)
        rows = RosterTally.objects.all() if ids is None else RosterTally.objects.filter(council_id__in=ids)
        rows.delete()
        fresh = [
            RosterTally(council_id=key[0], sector_id=key[1], committee_id=key[2],
                        members=n[0], members_missing=n[1], constituents=n[2])
            for key, n in sorted(raw_tally(ids).items())
        ]
        RosterTally.objects.bulk_create(fresh, batch_size=1000)
    return len(fresh)


def _rebuild_counters(councils) -> int:
    """Put right the counters that differ from the count (only those rows are written)."""
    members = Member.objects.all() if councils is None else Member.objects.filter(council_id__in=councils)
    return column_put_right(members, "active_constituents", raw_counters(councils))

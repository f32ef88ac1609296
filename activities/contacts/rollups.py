"""Keeping the contact counts the dashboards read equal to the contact logs.

- ``ContactDay``: logs per council, local day, channel, the member's sector and committee,
  and platform — every dimension at once (the contact-log list's totals, and the dashboard's
  figures when narrowed by sector or committee);
- ``ContactTally``: the same summed per day and per month along one dimension at a time —
  channel, sector, committee, platform — a few thousand rows for a province's two years,
  which the dashboards read when not narrowed; and the logs per "四联四助" tag, counted from
  the logs' tags (``ContactLogTag``), not from ``ContactDay``.

Two ways, as ``DESIGN.md`` asks:

- In the transaction of every write (``services``): ``contact_day_add`` adds a new log,
  ``contact_day_remove`` takes an edited or deleted log off, and ``on_member_changed`` moves
  a member's logs to their new sector or special committee (``members.events.
  member_changed``). Each is one ``INSERT … ON CONFLICT DO UPDATE`` of increments per table
  (PostgreSQL and SQLite share the syntax). The member's sector and committee are read under
  the member's row lock (``member_grain``), so a log and a change of the member never miss
  each other.
- ``rollups_rebuild(council=…, since=… | full=…)`` — the daily rows recounted from the logs
  and the tally summed again from them, per council in one transaction (``DELETE`` then
  ``INSERT … SELECT … GROUP BY``). Idempotent. By default incremental: only the days of the
  logs added since the last rebuild (``ContactDayMark``: a bulk load, or rows written outside
  the services) and the last ``RECENT_DAYS`` days (and their months' tally); a council never
  rebuilt, or ``full=True``, is recounted whole. Run nightly, a task per council
  (``activities.tasks.rollups_rebuild_council_task``), and by ``manage.py rollups_rebuild``.

The day is the local date (``TIME_ZONE``) of ``contacted_at``, as the dashboard's period
filter and monthly trend count it.

Lock order, as everywhere: constituents, then the member, then rollup rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Count, DateField, F, Max, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from activities.common.tallies import month_after
from activities.contacts.models import (
    NONE,
    ContactDay,
    ContactDayMark,
    ContactLog,
    ContactTally,
)
from activities.tags.models import ContactLogTag
from members.common.clock import start_of
from members.common.increments import add_to_rows
from members.common.locks import tables_locked
from members.models import Council, Member

_GRAIN = ["council_id", "day", "channel", "sector_id", "committee_id", "platform_id"]
_COUNTS = ["logs", "constituent_contacts"]
_TALLY_GRAIN = ["council_id", "dimension", "period", "start", "channel", "item_id"]
# The incremental rebuild recounts today and this many days before it as well: where late
# logging and any drift are likeliest, at the cost of a few hundred rows.
RECENT_DAYS = 2


def member_grain(member_id: int) -> tuple[int, int]:
    """The member's sector and committee (``NONE``: none), the member's row locked
    (``FOR NO KEY UPDATE``) until the transaction ends: a change of the member waits for the
    log, or the log for the change, and each sees the other."""
    sector_id, committee_id = (
        Member.objects.select_for_update(no_key=True).filter(pk=member_id)
        .values_list("sector_id", "committee_id").get()
    )
    return sector_id, committee_id or NONE


def contact_days_add(rows: Iterable[tuple]) -> None:
    """Add each row's counts (``_GRAIN + _COUNTS`` order; negative to take off) to its daily
    row: one upsert, rows in grain order so that two writers lock them in the same order. Rows
    left with no log are deleted. (The counts are signed: a count that had drifted below what
    a write takes off goes negative until the rebuild, rather than failing the write.)"""
    totals: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        totals[tuple(row[:6])][0] += row[6]
        totals[tuple(row[:6])][1] += row[7]
    values = [(*grain, *counts) for grain, counts in totals.items() if any(counts)]
    add_to_rows(ContactDay, _GRAIN, _COUNTS, values)
    _delete_emptied(ContactDay, _GRAIN, values)
    tallies: dict[tuple, int] = defaultdict(int)
    for grain, (logs, _people) in totals.items():
        for row in _tally_grains(*grain):
            tallies[row] += logs
    tally_values = [(*grain, logs) for grain, logs in tallies.items() if logs]
    add_to_rows(ContactTally, _TALLY_GRAIN, ["logs"], tally_values)
    _delete_emptied(ContactTally, _TALLY_GRAIN, tally_values)


def _delete_emptied(model, grain: list[str], values: list[tuple]) -> None:
    """Delete the rows a negative change left with no log."""
    emptied = Q()
    for value in values:
        if value[len(grain)] < 0:
            emptied |= Q(**dict(zip(grain, value, strict=False)))
    if emptied:
        model.objects.filter(emptied, logs__lte=0).delete()


def _tally_grains(council_id, day, channel, sector_id, committee_id, platform_id):
    """The ``ContactTally`` rows a daily row adds to: its day's and its month's, per channel,
    sector, committee and (if any) platform."""
    for period, start in (("d", day), ("m", day.replace(day=1))):
        yield (council_id, "channel", period, start, channel, NONE)
        yield (council_id, "sector", period, start, "", sector_id)
        yield (council_id, "committee", period, start, "", committee_id)
        if platform_id != NONE:
            yield (council_id, "platform", period, start, "", platform_id)


def tags_add(log: ContactLog, tag_ids: Iterable[int], sign: int) -> None:
    """Add ``log`` (``sign`` 1) to, or take it (-1) off, the day's and the month's tally rows
    of each of its tags."""
    day = timezone.localtime(log.contacted_at).date()
    values = [
        (log.council_id, ContactTally.Dimension.TAG, period, start, "", tag_id, sign)
        for tag_id in sorted(set(tag_ids))
        for period, start in (("d", day), ("m", day.replace(day=1)))
    ]
    if values:
        add_to_rows(ContactTally, _TALLY_GRAIN, ["logs"], values)
        _delete_emptied(ContactTally, _TALLY_GRAIN, values)


def _grain(log: ContactLog, sector_id: int, committee_id: int) -> tuple:
    return (log.council_id, timezone.localtime(log.contacted_at).date(), log.channel, sector_id,
            committee_id, log.platform_id or NONE)


def contact_day_add(log: ContactLog, *, constituents: int, tags: Iterable[int] = ()) -> None:
    """Count ``log`` (reaching ``constituents`` people, tagged ``tags``) in its day's row and
    its tags' tally: call it inside the transaction that writes the log, after its other
    writes (it locks the member)."""
    contact_days_add([(*_grain(log, *member_grain(log.member_id)), 1, constituents)])
    tags_add(log, tags, 1)


def contact_day_remove(log: ContactLog, *, constituents: int, tags: Iterable[int] = ()) -> None:
    """Take ``log`` (as stored, reaching ``constituents`` people, tagged ``tags``) off its
    day's row, which goes when no log is left in it, and off its tags' tally: the reverse of
    ``contact_day_add``."""
    contact_days_add([(*_grain(log, *member_grain(log.member_id)), -1, -constituents)])
    tags_add(log, tags, -1)


def on_member_changed(*, member: Member, sector_id: int, committee_id: int) -> None:
    """``members.events.member_changed``: the member's logs leave the rows of their old sector
    and committee for the new ones. One GROUP BY over the member's logs (their index), one
    upsert. The member is locked by the change (``members.rollups.member_locked``)."""
    moved = []
    for row in raw_counts(ContactLog.objects.filter(member_id=member.pk)):
        council_id, day, channel, new_sector, new_committee, platform_id, logs, people = row
        moved.append((council_id, day, channel, sector_id, committee_id or NONE, platform_id,
                      -logs, -people))
        moved.append(row)
    contact_days_add(moved)


def raw_counts(logs=None):
    """The contact logs grouped by the rollup's grain, counted: the aggregate ``ContactDay``
    must equal (the rebuild inserts it; the tests compare with it). Columns in ``_GRAIN +
    _COUNTS`` order."""
    logs = ContactLog.objects.all() if logs is None else logs
    return (
        logs.order_by()
        .annotate(
            _day=TruncDate("contacted_at"),
            _sector=F("member__sector_id"),
            _committee=Coalesce(F("member__committee_id"), Value(NONE)),
            _platform=Coalesce(F("platform_id"), Value(NONE)),
        )
        .values_list("council_id", "_day", "channel", "_sector", "_committee", "_platform")
        .annotate(
            _logs=Count("pk", distinct=True),
            _constituents=Count("contactlogconstituent"),
        )
    )


# --- the rebuild -----------------------------------------------------------------------------


def rollups_rebuild(
    *, council: Council | int | None = None, since: date | None = None, full: bool = False,
    today: date | None = None,
) -> int:
    """Recount the daily rows of ``council`` (every council if None) from the logs: from the
    day ``since`` on; every day with ``full``; otherwise the days touched since the last
    rebuild (see the module). One transaction per council; returns the rows written.

    On PostgreSQL the table is locked against writes (``SHARE ROW EXCLUSIVE``, readers go on)
    for the council's transaction: a log being written waits and adds itself after the
    rebuild, or has committed before it and is counted by it — never both, never neither.
    """
    if council is None:
        ids = list(Council.objects.order_by("pk").values_list("pk", flat=True))
    else:
        ids = [council if isinstance(council, int) else council.pk]
    today = today or timezone.localdate()
    written = 0
    for council_id in ids:
        with transaction.atomic():
            written += _rebuild_one(council_id, since=since, full=full, today=today)
    return written


def _rebuild_one(council_id: int, *, since: date | None, full: bool, today: date) -> int:
    tables_locked(ContactDay, ContactTally, mode="SHARE ROW EXCLUSIVE")
    top = ContactLog.objects.aggregate(top=Max("pk"))["top"] or 0
    mark = ContactDayMark.objects.filter(council_id=council_id).first()
    if since is not None:
        runs = [(since, None)]
    elif full or mark is None:
        runs = None
    else:
        runs = _touched_days(council_id, mark.last_log_id, today)
    written = _recount(council_id, runs)
    _retally(council_id, runs)
    ContactDayMark.objects.update_or_create(
        council_id=council_id, defaults={"last_log_id": top, "rebuilt_at": timezone.now()}
    )
    return written


Runs = list[tuple[date, date | None]] | None  # (first, last) days, last None: on; None: all


def _touched_days(council_id: int, last_log_id: int, today: date) -> Runs:
    """The days of the council's logs added after ``last_log_id`` (the primary key's index),
    and the recent days, as runs of consecutive days."""
    added = (
        ContactLog.objects.filter(council_id=council_id, pk__gt=last_log_id)
        .annotate(_day=TruncDate("contacted_at")).order_by()
        .values_list("_day", flat=True).distinct()
    )
    days = set(added) | {today - timedelta(days=n) for n in range(RECENT_DAYS + 1)}
    return _runs(sorted(days))


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs: one range each in the SQL."""
    runs: list[list[date]] = []
    for day in days:
        if runs and day - runs[-1][1] == timedelta(days=1):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [(first, last) for first, last in runs]


def _on(field: str, runs: Runs, *, moment: bool = False) -> Q:
    """The runs as a filter on a date ``field`` (or on a datetime one, by local days)."""
    if runs is None:
        return Q()
    q = Q(pk__in=[])
    for first, last in runs:
        part = Q(**{f"{field}__gte": start_of(first) if moment else first})
        if last is not None:
            part &= (Q(**{f"{field}__lt": start_of(last + timedelta(days=1))}) if moment
                     else Q(**{f"{field}__lte": last}))
        q |= part
    return q


def _insert(model, columns: list[str], rows) -> int:
    """``INSERT INTO … SELECT``: ``rows`` (a queryset) straight into ``model``'s table."""
    select, params = rows.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) {select}", params)
        return cursor.rowcount


def _recount(council_id: int, runs: Runs) -> int:
    """The council's daily rows of those days, recounted from the logs."""
    ContactDay.objects.filter(council_id=council_id).filter(_on("day", runs)).delete()
    logs = ContactLog.objects.filter(council_id=council_id).filter(_on("contacted_at", runs, moment=True))
    return _insert(ContactDay, _GRAIN + _COUNTS, raw_counts(logs))


def _retally(council_id: int, runs: Runs) -> None:
    """The council's tally of those days and of the months they fall in, summed again from
    the daily rows (a few statements, however many days)."""
    months = None if runs is None else [
        (first.replace(day=1), last and month_after(last) - timedelta(days=1)) for first, last in runs
    ]
    rows = ContactTally.objects.filter(council_id=council_id)
    rows.filter(Q(period="d") & _on("start", runs)).delete()
    rows.filter(Q(period="m") & _on("start", months)).delete()
    for period, spans in (("d", runs), ("m", months)):
        for dimension in ContactTally.Dimension.values:
            if dimension == ContactTally.Dimension.TAG:
                links = ContactLogTag.objects.filter(contact_log__council_id=council_id).filter(
                    _on("contacted_at", spans, moment=True)
                )
                _insert(ContactTally, [*_TALLY_GRAIN, "logs"], tag_tally_counts(links, period))
                continue
            days = ContactDay.objects.filter(council_id=council_id).filter(_on("day", spans))
            _insert(ContactTally, [*_TALLY_GRAIN, "logs"], tally_counts(days, dimension, period))


def tally_counts(days, dimension: str, period: str):
    """Daily rows summed into ``ContactTally``'s grain (``_TALLY_GRAIN`` + logs) for one
    dimension and period: what the tally must equal."""
    item = {"channel": Value(NONE), "sector": F("sector_id"), "committee": F("committee_id"),
            "platform": F("platform_id")}[dimension]
    if dimension == ContactTally.Dimension.PLATFORM:
        days = days.exclude(platform_id=NONE)
    return (
        days.order_by()
        .annotate(
            _dimension=Value(dimension), _period=Value(period),
            _start=F("day") if period == "d" else TruncMonth("day", output_field=DateField()),
            _channel=F("channel") if dimension == ContactTally.Dimension.CHANNEL else Value(""),
            _item=item,
        )
        .values_list("council_id", "_dimension", "_period", "_start", "_channel", "_item")
        .annotate(_logs=Sum("logs"))
    )


def tag_tally_counts(links, period: str):
    """The logs' tags (``ContactLogTag`` rows) counted into ``ContactTally``'s grain for the
    "tag" dimension and one period: what those tally rows must equal. The day is the local
    date of the log's time, as for the other dimensions."""
    start = TruncDate("contacted_at") if period == "d" else TruncMonth("contacted_at", output_field=DateField())
    return (
        links.order_by()
        .annotate(
            _council=F("contact_log__council_id"), _dimension=Value(ContactTally.Dimension.TAG),
            _period=Value(period), _start=start, _channel=Value(""), _item=F("tag_id"),
        )
        .values_list("_council", "_dimension", "_period", "_start", "_channel", "_item")
        .annotate(_logs=Count("pk"))
    )

"""Keeping the daily contact counts (``ContactDay``) equal to the contact logs.

Two ways, as ``DESIGN.md`` asks:

- In the transaction of every write (``services``): ``contact_day_add`` adds a new log to
  its row, ``contact_day_remove`` takes an edited or deleted log off its old one, and
  ``on_member_changed`` moves a member's logs to their new sector or special committee
  (``members.events.member_changed``). Each is an ``INSERT … ON CONFLICT DO UPDATE`` of
  increments (PostgreSQL and SQLite share the syntax). The member's sector and committee are
  read under the member's row lock (``member_grain``), so a log and a change of the member
  never miss each other.
- ``rollups_rebuild(council=…, since=… | full=…)`` — rows recounted from the logs, per
  council in one transaction: ``DELETE`` then ``INSERT … SELECT … GROUP BY``. Idempotent.
  By default incremental: only the days of the logs added since the last rebuild
  (``ContactDayMark``, a bulk load or rows written outside the services) and the last
  ``RECENT_DAYS`` days; a council never rebuilt, or ``full=True``, is recounted whole.
  Run nightly (``activities.tasks.rollups_rebuild_task``) and by ``manage.py rollups_rebuild``.

The day is the local date (``TIME_ZONE``) of ``contacted_at``, as the dashboard's period
filter and monthly trend count it.

Lock order, as everywhere: constituents, then the member, then rollup rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Count, F, Max, Q, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from activities.contacts.models import NONE, ContactDay, ContactDayMark, ContactLog
from members.common.increments import add_to_rows
from members.models import Council, Member

_GRAIN = ["council_id", "day", "channel", "sector_id", "committee_id", "platform_id"]
_COUNTS = ["logs", "constituent_contacts"]
# The incremental rebuild recounts today and this many days before it as well: where late
# logging and any drift are likeliest, at the cost of a few hundred rows.
RECENT_DAYS = 2


def _table() -> str:
    return connection.ops.quote_name(ContactDay._meta.db_table)


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
    taken_off = [value for value in values if value[6] < 0]
    if taken_off:
        emptied = Q()
        for value in taken_off:
            emptied |= Q(**dict(zip(_GRAIN, value[:6], strict=False)))
        ContactDay.objects.filter(emptied, logs__lte=0).delete()


def _grain(log: ContactLog, sector_id: int, committee_id: int) -> tuple:
    return (log.council_id, timezone.localtime(log.contacted_at).date(), log.channel, sector_id,
            committee_id, log.platform_id or NONE)


def contact_day_add(log: ContactLog, *, constituents: int) -> None:
    """Count ``log`` (reaching ``constituents`` people) in its day's row: call it inside the
    transaction that writes the log, after its other writes (it locks the member)."""
    contact_days_add([(*_grain(log, *member_grain(log.member_id)), 1, constituents)])


def contact_day_remove(log: ContactLog, *, constituents: int) -> None:
    """Take ``log`` (as stored, reaching ``constituents`` people) off its day's row, which
    goes when no log is left in it: the reverse of ``contact_day_add``."""
    contact_days_add([(*_grain(log, *member_grain(log.member_id)), -1, -constituents)])


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
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {_table()} IN SHARE ROW EXCLUSIVE MODE")
    top = ContactLog.objects.aggregate(top=Max("pk"))["top"] or 0
    mark = ContactDayMark.objects.filter(council_id=council_id).first()
    if since is not None:
        days = Q(contacted_at__gte=_start(since)), Q(day__gte=since)
    elif full or mark is None:
        days = Q(), Q()
    else:
        days = _touched_days(council_id, mark.last_log_id, today)
    written = _recount(council_id, *days)
    ContactDayMark.objects.update_or_create(
        council_id=council_id, defaults={"last_log_id": top, "rebuilt_at": timezone.now()}
    )
    return written


def _touched_days(council_id: int, last_log_id: int, today: date) -> tuple[Q, Q]:
    """The days of the council's logs added after ``last_log_id`` (the primary key's index),
    and the recent days: as a filter on the logs and one on the daily rows."""
    added = (
        ContactLog.objects.filter(council_id=council_id, pk__gt=last_log_id)
        .annotate(_day=TruncDate("contacted_at")).order_by()
        .values_list("_day", flat=True).distinct()
    )
    days = set(added) | {today - timedelta(days=n) for n in range(RECENT_DAYS + 1)}
    on_logs, on_rows = Q(pk__in=[]), Q(pk__in=[])
    for first, last in _runs(sorted(days)):
        on_logs |= Q(contacted_at__gte=_start(first), contacted_at__lt=_start(last + timedelta(days=1)))
        on_rows |= Q(day__gte=first, day__lte=last)
    return on_logs, on_rows


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs: one range each in the SQL."""
    runs: list[list[date]] = []
    for day in days:
        if runs and day - runs[-1][1] == timedelta(days=1):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [(first, last) for first, last in runs]


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _recount(council_id: int, on_logs: Q, on_rows: Q) -> int:
    logs = ContactLog.objects.filter(council_id=council_id).filter(on_logs)
    ContactDay.objects.filter(council_id=council_id).filter(on_rows).delete()
    select, params = raw_counts(logs).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {_table()} ({', '.join(_GRAIN + _COUNTS)}) {select}", params)
        return cursor.rowcount

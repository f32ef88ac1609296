"""Keeping the daily contact counts (``ContactDay``) equal to the contact logs.

Two ways, as ``DESIGN.md`` asks:

- ``contact_day_add(log, constituents=n)`` — in the transaction that writes the log
  (``services.contact_log_create``): one ``INSERT … ON CONFLICT DO UPDATE`` that adds the log
  to its row (PostgreSQL and SQLite share the syntax).
- ``rollups_rebuild(council=…, since=…)`` — the rows recounted from the logs, per council in
  one transaction: ``DELETE`` then ``INSERT … SELECT … GROUP BY``. Idempotent; run nightly
  (``activities.tasks.rollups_rebuild_task``) and by ``manage.py rollups_rebuild``. It puts right what
  the per-log upkeep cannot see: a member moved to another sector or special committee, a
  log edited or deleted in the admin.

The day is the local date (``TIME_ZONE``) of ``contacted_at``, as the dashboard's period
filter and monthly trend count it.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import connection, transaction
from django.db.models import Count, F, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from activities.contacts.models import NONE, ContactDay, ContactLog
from members.models import Council

_GRAIN = ["council_id", "day", "channel", "sector_id", "committee_id", "platform_id"]
_COUNTS = ["logs", "constituent_contacts"]


def _table() -> str:
    return connection.ops.quote_name(ContactDay._meta.db_table)


def contact_day_add(log: ContactLog, *, constituents: int) -> None:
    """Count ``log`` (reaching ``constituents`` people) in its day's row: call it inside the
    transaction that creates the log, with ``log.member`` loaded (no query for it)."""
    day = timezone.localtime(log.contacted_at).date()
    member = log.member
    row = [log.council_id, day, log.channel, member.sector_id, member.committee_id or NONE,
           log.platform_id or NONE, 1, constituents]
    table = _table()
    columns = ", ".join(_GRAIN + _COUNTS)
    add = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in _COUNTS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(row))}) "
            f"ON CONFLICT ({', '.join(_GRAIN)}) DO UPDATE SET {add}",
            row,
        )


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


def rollups_rebuild(*, council: Council | int | None = None, since: date | None = None) -> int:
    """Recount the rows of ``council`` (every council if None) from the logs, from the day
    ``since`` on (everything if None). One transaction per council; returns the rows written.

    On PostgreSQL the table is locked against writes (``SHARE ROW EXCLUSIVE``, readers go on)
    for the council's transaction: a log being written waits and adds itself after the
    rebuild, or has committed before it and is counted by it — never both, never neither.
    """
    if council is None:
        ids = list(Council.objects.order_by("pk").values_list("pk", flat=True))
    else:
        ids = [council if isinstance(council, int) else council.pk]
    written = 0
    for council_id in ids:
        with transaction.atomic():
            written += _rebuild_one(council_id, since)
    return written


def _rebuild_one(council_id: int, since: date | None) -> int:
    table = _table()
    logs = ContactLog.objects.filter(council_id=council_id)
    rows = ContactDay.objects.filter(council_id=council_id)
    if since is not None:
        logs = logs.filter(contacted_at__gte=timezone.make_aware(datetime.combine(since, time.min)))
        rows = rows.filter(day__gte=since)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        rows.delete()
        select, params = raw_counts(logs).query.sql_with_params()
        cursor.execute(f"INSERT INTO {table} ({', '.join(_GRAIN + _COUNTS)}) {select}", params)
        return cursor.rowcount

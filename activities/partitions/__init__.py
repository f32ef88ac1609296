"""Monthly partitions of the history tables on PostgreSQL (docs/PARTITIONING.md).

The contact logs and their constituent links (by ``contacted_at``, the local month: Asia/
Shanghai midnight of the 1st), the reminders (by ``trigger_on``, the day of their occasion) and
the daily contact counts (by ``day``) are declaratively partitioned by month, each with a
``DEFAULT`` partition for rows outside the months made so far (a contact typed with a date
years back). The database's primary key is (id, partition key); Django keeps ``id`` as the
primary key, unique in practice because the one identity sequence of the parent hands it out.

- ``partition_table`` turns a plain table into a partitioned one (the migration
  ``activities.0021_partitioned_history``, on PostgreSQL only: SQLite keeps plain tables);
- ``partitions_ensure`` makes the months ahead (the daily job, ``manage.py partitions_ensure``)
  and, with ``first``, months back; idempotent;
- ``activities.partitions.archive`` detaches old months into compressed CSV files in the
  backup storage, and puts them back.

Every function here acts only on PostgreSQL and does nothing elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import connection, transaction
from django.utils import timezone

from activities.common.tallies import month_after, month_start

# How many months past the current one have partitions (the job keeps them made).
MONTHS_AHEAD = 3


@dataclass(frozen=True)
class Family:
    """A partitioned table: its name and its partition key, a ``timestamptz`` split at local
    midnight or a ``date``."""

    table: str
    key: str
    timestamp: bool

    def partition(self, month: date) -> str:
        return f"{self.table}_p{month:%Y%m}"

    @property
    def default(self) -> str:
        return f"{self.table}_default"

    def bound(self, month: date) -> str:
        """The literal that starts ``month``: local midnight of the 1st, or the date."""
        if not self.timestamp:
            return month.isoformat()
        start = datetime.combine(month, time.min, tzinfo=timezone.get_default_timezone())
        return start.isoformat(sep=" ")

    def month_of(self, value) -> date:
        if self.timestamp:
            value = timezone.localtime(value, timezone.get_default_timezone()).date()
        return month_start(value)


CONTACT_LOGS = Family("activities_contactlog", "contacted_at", timestamp=True)
CONTACT_LINKS = Family("activities_contactlogconstituent", "contacted_at", timestamp=True)
REMINDERS = Family("activities_reminder", "trigger_on", timestamp=False)
CONTACT_DAYS = Family("activities_contactday", "day", timestamp=False)
FAMILIES = (CONTACT_LOGS, CONTACT_LINKS, REMINDERS, CONTACT_DAYS)

# The composite foreign keys into the logs (the tables carry a copy of the log's time). NO
# ACTION and deferred like Django's own; ON UPDATE CASCADE: a log moved to another day (and
# so perhaps to another partition) takes its rows along.
LOG_REFERENCES = {
    "activities_contactlogconstituent": "contactlogconstituent_log_fk",
    "activities_contactlogtag": "contactlogtag_log_fk",
}


def log_reference_sql(table: str) -> str:
    return (
        f'ALTER TABLE "{table}" ADD CONSTRAINT "{LOG_REFERENCES[table]}" '
        "FOREIGN KEY (contact_log_id, contacted_at) "
        f'REFERENCES "{CONTACT_LOGS.table}" (id, contacted_at) '
        "ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED"
    )


def months_between(first: date, last: date) -> list[date]:
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = month_after(month)
    return months


def _rows(cursor, sql: str, params=None) -> list[tuple]:
    cursor.execute(sql, params or [])
    return cursor.fetchall()


def is_partitioned(family: Family, cursor=None) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as own:
        rows = _rows(cursor or own, "SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)",
                     [family.table])
    return bool(rows) and rows[0][0] == "p"


def partition_months(family: Family) -> list[date]:
    """The months that have a partition, oldest first."""
    prefix = f"{family.table}_p"
    with connection.cursor() as cursor:
        names = _rows(cursor, """
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = to_regclass(%s)""", [family.table])
    months = []
    for (name,) in names:
        stamp = name[len(prefix):] if name.startswith(prefix) else ""
        if len(stamp) == 6 and stamp.isdigit():
            months.append(date(int(stamp[:4]), int(stamp[4:]), 1))
    return sorted(months)


def _month_sql(family: Family, month: date) -> str:
    return f"FOR VALUES FROM ('{family.bound(month)}') TO ('{family.bound(month_after(month))}')"


def checks_settled(cursor) -> None:
    """Run the deferred foreign-key checks this transaction has pending now: PostgreSQL alters,
    detaches and attaches no table that has some."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def references_drop(cursor, table: str) -> list[str]:
    """Drop the foreign keys that point at ``table``; returns the statements that make them
    again."""
    checks_settled(cursor)
    rows = _rows(cursor, """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE contype = 'f' AND confrelid = to_regclass(%s) AND conparentid = 0""", [table])
    again = []
    for source, name, definition in rows:
        cursor.execute(f'ALTER TABLE {source} DROP CONSTRAINT "{name}"')
        again.append(f'ALTER TABLE {source} ADD CONSTRAINT "{name}" {definition}')
    return again


def partition_create(family: Family, month: date, cursor) -> bool:
    """Make ``month``'s partition of ``family`` unless it exists; rows of that month that
    went to the default partition meanwhile move into it. Returns whether it was made."""
    name = family.partition(month)
    if _rows(cursor, "SELECT to_regclass(%s)", [name])[0][0] is not None:
        return False
    bounds = [family.bound(month), family.bound(month_after(month))]
    within = f'"{family.key}" >= %s AND "{family.key}" < %s'
    waiting = _rows(cursor, f'SELECT EXISTS (SELECT 1 FROM "{family.default}" WHERE {within})',
                    bounds)[0][0]
    if not waiting:
        cursor.execute(f'CREATE TABLE "{name}" PARTITION OF "{family.table}" '
                       f"{_month_sql(family, month)}")
        return True
    # PostgreSQL will not carve a range out of a default partition that holds rows of it: the
    # rows move to a new table first, which is then attached. The foreign keys pointing at
    # the table are made again afterwards (and so checked again).
    again = references_drop(cursor, family.table)
    cursor.execute(f'CREATE TABLE "{name}" (LIKE "{family.table}" '
                   "INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)")
    cursor.execute(f'WITH moved AS (DELETE FROM "{family.default}" WHERE {within} RETURNING *) '
                   f'INSERT INTO "{name}" SELECT * FROM moved', bounds)
    cursor.execute(f'ALTER TABLE "{family.table}" ATTACH PARTITION "{name}" '
                   f"{_month_sql(family, month)}")
    for statement in again:
        cursor.execute(statement)
    return True


def partitions_ensure(*, ahead: int = MONTHS_AHEAD, first: date | None = None,
                      today: date | None = None, last: date | None = None) -> list[str]:
    """Make the partitions of every month from ``first`` (default: the current month) to
    ``ahead`` months past the current one (or to ``last``'s month), for every partitioned
    table. Idempotent; returns the names of the partitions made. Nothing on SQLite."""
    if connection.vendor != "postgresql":
        return []
    today = today or timezone.localdate()
    if last is None:
        last = month_start(today)
        for _ in range(ahead):
            last = month_after(last)
    made = []
    with transaction.atomic(), connection.cursor() as cursor:
        for family in FAMILIES:
            if not is_partitioned(family, cursor):
                continue
            # One maker at a time per table (the job and a command run by hand).
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [family.table])
            for month in months_between(first or today, last):
                if partition_create(family, month, cursor):
                    made.append(family.partition(month))
    return made


# --- Turning a plain table into a partitioned one (the migration) ----------------------


def _identity_next(cursor, table: str) -> int:
    (sequence,) = _rows(cursor, "SELECT pg_get_serial_sequence(%s, 'id')", [table])[0]
    used = _rows(cursor, f'SELECT coalesce(max(id), 0) FROM "{table}"')[0][0]
    if sequence:
        used = max(used, _rows(cursor, "SELECT coalesce(pg_sequence_last_value(%s), 0)",
                               [sequence])[0][0])
    return used + 1


def _data_months(family: Family, cursor) -> list[date]:
    low, high = _rows(cursor, f'SELECT min("{family.key}"), max("{family.key}") '
                              f'FROM "{family.table}"')[0]
    if low is None:
        return []
    return months_between(family.month_of(low), family.month_of(high))


def partition_table(family: Family, *, today: date | None = None,
                    ahead: int = MONTHS_AHEAD) -> None:
    """Turn ``family``'s plain table into a table partitioned by month with the same columns,
    rows, checks, indexes, unique constraints and outgoing foreign keys (under the same
    names), the primary key becoming (id, key): partitions for the months its rows span and
    ``ahead`` months past ``today``, and a default one. The foreign keys pointing at the table
    are dropped (the caller makes what replaces them). Run inside the migration's
    transaction; PostgreSQL only."""
    table, old = family.table, f"{family.table}__unpartitioned"
    with connection.cursor() as cursor:
        references_drop(cursor, table)
        indexes = _rows(cursor, """
            SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i
            JOIN pg_class c ON c.oid = i.indexrelid
            WHERE i.indrelid = to_regclass(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid
                                                              AND k.conrelid = i.indrelid)""",
                        [table])
        constraints = _rows(cursor, """
            SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conrelid = to_regclass(%s) AND contype IN ('p', 'u', 'f')
            ORDER BY contype DESC, conname""", [table])
        next_id = _identity_next(cursor, table)
        months = _data_months(family, cursor)
        for name, _kind, _definition in constraints:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN id DROP IDENTITY IF EXISTS')
        cursor.execute(f'ALTER TABLE "{table}" RENAME TO "{old}"')
        cursor.execute(f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING DEFAULTS '
                       "INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS) "
                       f'PARTITION BY RANGE ("{family.key}")')
        cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN id ADD GENERATED BY DEFAULT AS '
                       f"IDENTITY (START WITH {next_id})")
        today = today or timezone.localdate()
        last = month_start(today)
        for _ in range(ahead):
            last = month_after(last)
        first = min([*months, month_start(today)])
        for month in months_between(first, max([*months, last])):
            cursor.execute(f'CREATE TABLE "{family.partition(month)}" PARTITION OF "{table}" '
                           f"{_month_sql(family, month)}")
        cursor.execute(f'CREATE TABLE "{family.default}" PARTITION OF "{table}" DEFAULT')
        cursor.execute(f'INSERT INTO "{table}" SELECT * FROM "{old}"')
        cursor.execute(f'DROP TABLE "{old}"')
        for name, kind, definition in constraints:
            if kind == "p":
                definition = f'PRIMARY KEY (id, "{family.key}")'
            elif kind == "u" and family.key not in definition:
                raise ValueError(f"{table}.{name} must hold the partition key {family.key}")
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute(f'ANALYZE "{table}"')

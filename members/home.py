"""What a member's home page reads: its three counts and the latest contacts, in SQL (the
navbar's unread count is the user's own counter, ``User.unread_notices``).

A member opens the home page more than any other page, and building these reads through the
ORM cost more than running them: the counts (then four subqueries in one statement) took 2.9 ms of
CPU to compile against 0.1 ms to send, and the latest contacts with their people's names
1.7 ms against 0.2 (``bench/member_pages.py``, province data). The statements are written
here once; the tables' names come from the models, so ``members`` still names nothing of
``activities`` (the contact logs are reached through the member's reverse relation).

The member is the scope: every statement is bounded by the member's id, and the caller got
the member from ``permissions.member_of``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import TypeVar

from django.db import connections, router

from members.common.literals import literal
from members.common.urls import address_of
from members.models import Constituent, Member

D = TypeVar("D", date, datetime)

# The month's first day is written into the statement (``members.common.literals``).
COUNTS_SQL = """
SELECT (SELECT COUNT(*) FROM {constituent} WHERE member_id = %s AND active),
       (SELECT COUNT(*) FROM {constituent}
         WHERE member_id = %s AND active AND last_contacted_at IS NULL),
       (SELECT COUNT(*) FROM {log} WHERE member_id = %s AND contacted_at >= {since})
"""

# The latest logs first (the logs' own order), as their index on (member, time) gives them.
# The limit is written into the statement, as the ORM writes it: PostgreSQL plans a prepared
# query once, and with the limit a parameter that plan took ten times the CPU to run
# (2.7 ms against 0.2 at province scale).
RECENT_SQL = """
SELECT id, contacted_at, channel, summary FROM {log}
WHERE member_id = %s ORDER BY contacted_at DESC, id DESC LIMIT {limit:d}
"""

# The same, among the logs since the first day of the month before last (``LOOK_BACK``),
# the day written into the statement (``members.common.literals``): planned for it,
# PostgreSQL reads those months' partitions alone. Without it every month's partition is
# opened and locked, more than the backend's few fast-path lock slots, and with eight
# requests at once such a statement served a third of what the bounded one did (pgbench,
# province data). Nine members in ten have five contacts there; for the others the
# unbounded statement follows.
RECENT_SINCE_SQL = """
SELECT id, contacted_at, channel, summary FROM {log}
WHERE member_id = %s AND contacted_at >= {since}
ORDER BY contacted_at DESC, id DESC LIMIT {limit:d}
"""

# The latest contacts are looked for first in this month and the two before it.
LOOK_BACK = 2

# The people each log reached, read from the links of the logs' own months alone: the links
# are partitioned by month on PostgreSQL, and bounding the time lets it skip the other
# months' partitions (``members.common.spans``). In the people's own order (name, id). The
# bounds (the first and the last of the logs' times, read just before) are written into the
# statement (``members.common.literals``): planned for them, the statement reads those months'
# partitions alone, where one plan prepared for any bounds still opened every month's when it
# ran (the home's PostgreSQL CPU 0.70 -> 0.45 ms a request, bench/member_pages.py). Its text
# differs from request to request, so it is never prepared: psycopg still counts it among the
# last 100 statements it tracks per connection (as it does a search's), which only delays the
# preparing of a statement run less often than that.
REACHED_SQL = """
SELECT k.contact_log_id, c.id, c.name FROM {link} k
JOIN {constituent} c ON c.id = k.constituent_id
WHERE k.contact_log_id IN ({logs}) AND k.contacted_at BETWEEN {first} AND {last}
ORDER BY c.name, c.id
"""


@dataclass(frozen=True)
class Counts:
    constituents: int
    never_contacted: int
    this_month: int


@dataclass(frozen=True)
class Reached:
    pk: int
    name: str


@dataclass
class RecentContact:
    """A logged contact as the home page lists it."""

    pk: int
    contacted_at: datetime
    channel: str
    summary: str
    reached: list[Reached]

    def get_absolute_url(self) -> str:
        return address_of("activities:contactlog-detail")(self.pk)

    def get_channel_display(self) -> str:
        return _channel_labels().get(self.channel, self.channel)


def _log_model():
    return Member._meta.get_field("contact_logs").related_model


@cache
def _channel_labels() -> dict:
    """Each channel's label (lazily translated), built once per process, not once a row."""
    return dict(_log_model()._meta.get_field("channel").flatchoices)


@cache
def _table_names() -> dict[str, str]:
    log = _log_model()
    return {
        "constituent": Constituent._meta.db_table,
        "log": log._meta.db_table,
        "link": log._meta.get_field("constituents").remote_field.through._meta.db_table,
    }


def _connection():
    return connections[router.db_for_read(Constituent)]


def _sql(connection, template: str, **extra) -> str:
    quoted = {name: connection.ops.quote_name(table) for name, table in _table_names().items()}
    return template.format(**quoted, **extra)


def _datetime(connection, value) -> datetime:
    """A datetime column as the ORM gives it (SQLite hands back text, in UTC)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value
    return connection.ops.convert_datetimefield_value(value, None, connection)


def counts(member: Member, since: datetime) -> Counts:
    """The member's active constituents, those never contacted, and the contacts logged
    since ``since``."""
    connection = _connection()
    with connection.cursor() as cursor:
        cursor.execute(
            _sql(connection, COUNTS_SQL, since=literal(connection, since)),
            [member.pk, member.pk, member.pk],
        )
        return Counts(*cursor.fetchone())


def months_back(month_start: D, months: int) -> D:
    """The first day (a date), or first (local) midnight (a datetime), of the month
    ``months`` before ``month_start``'s."""
    for _ in range(months):
        month_start = (month_start - timedelta(days=1)).replace(day=1)
    return month_start


def recent_contacts(member: Member, limit: int, *, month_start: datetime) -> list[RecentContact]:
    """The member's ``limit`` latest contact logs, each with the people it reached: looked
    for since the first day of the month ``LOOK_BACK`` months before ``month_start``'s (this
    month's first midnight), and among all only if fewer are there."""
    connection = _connection()
    since = literal(connection, months_back(month_start, LOOK_BACK))
    with connection.cursor() as cursor:
        cursor.execute(_sql(connection, RECENT_SINCE_SQL, limit=int(limit), since=since), [member.pk])
        rows = cursor.fetchall()
        if len(rows) < limit:  # the latest ones found were all of them since
            cursor.execute(_sql(connection, RECENT_SQL, limit=int(limit)), [member.pk])
            rows = cursor.fetchall()
        logs = [RecentContact(pk, _datetime(connection, at), channel, summary, [])
                for pk, at, channel, summary in rows]
        if not logs:
            return logs
        times = [log.contacted_at for log in logs]
        cursor.execute(
            _sql(connection, REACHED_SQL, logs=", ".join(["%s"] * len(logs)),
                 first=literal(connection, min(times)), last=literal(connection, max(times))),
            [log.pk for log in logs],
        )
        by_log = {log.pk: log.reached for log in logs}
        for log_id, pk, name in cursor.fetchall():
            by_log[log_id].append(Reached(pk, name))
    return logs

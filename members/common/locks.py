"""One run of a job per council at a time, across every worker on every machine.

The scheduled jobs fan out into one task per council (``members.tasks.councils_fan_out``).
Each is idempotent, so two runs of the same council at once — a parent enqueued twice (beat
and an operator), a message handed again to a second worker — are safe, but both would do
the whole work. Under ``council_job_lock`` the second waits for the first and then finds its
work done (the sweep's watermark makes that run cheap): the lock saves work, the jobs' own
idempotency keeps the data right.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


def _job_key(job: str) -> int:
    """A signed 32-bit number for ``job``, the same in every process."""
    return zlib.crc32(job.encode()) - 2**31


@contextmanager
def council_job_lock(job: str, council_id: int) -> Iterator[None]:
    """Hold PostgreSQL's session advisory lock on (``job``, ``council_id``) for the block:
    another holder of the same pair waits. Session level, not a transaction's: the job runs
    a transaction per step. A worker that dies takes its session, and the lock, with it.

    No lock on SQLite (a laptop's single process) or inside a transaction (a test's, or a
    caller's: an error there would leave the unlock unable to run), where the caller's own
    transaction already decides what runs together."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    key = [_job_key(job), council_id]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s::int, %s::int)", key)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s::int, %s::int)", key)


def tables_locked(*models, mode: str) -> None:
    """Lock the tables of ``models``, in that order, in ``mode`` (``SHARE``, ``SHARE ROW
    EXCLUSIVE``, ``EXCLUSIVE``) until the caller's transaction ends: the rollup rebuilds keep
    writers out while they recount. PostgreSQL only (SQLite writes one transaction at a time)."""
    if connection.vendor != "postgresql":
        return
    if mode not in {"SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE"}:
        raise ValueError(f"not a lock mode the rebuilds take: {mode!r}")
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(model._meta.db_table)} IN {mode} MODE")

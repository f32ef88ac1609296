"""Reads that may be a few seconds old go to a PostgreSQL streaming replica.

With ``DATABASE_REPLICA_URL`` set, settings add the ``replica`` alias, ``ReplicaRouter`` and
``PinAfterWriteMiddleware``. Nothing reads the replica unless it asked to: the dashboards,
reports, exports and lists say so with ``@lag_tolerant_view`` (code outside a request with
``with lag_tolerant():``). A router that sent every read there would break what a user
expects to see right after a write, and ``select_for_update`` or any read inside a
transaction, so these stay on the primary whatever the scope:

- a read inside a transaction of the primary (a service's ``atomic()``);
- every request of a browser that sent a write (any unsafe method) in the last
  ``REPLICA_PIN_SECONDS`` (a cookie, ``PinAfterWriteMiddleware``): the page after a write
  shows it;
- every read while the replica is unreachable or lags more than ``REPLICA_MAX_LAG_SECONDS``
  (``replica_usable``, measured at most once every ``REPLICA_CHECK_SECONDS`` per process).

A replica that fails during a page is given up (for ``REPLICA_RETRY_SECONDS``) and the page
is made again from the primary: a replica's failure costs time, never a 500.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections

log = logging.getLogger(__name__)

REPLICA = "replica"
PIN_COOKIE = "primary_until"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Set inside a "may read stale data" scope (a context variable: right per thread and per task).
_lag_tolerant = contextvars.ContextVar("replica_lag_tolerant", default=False)


def configured() -> bool:
    return REPLICA in connections.settings


# --- the scope ------------------------------------------------------------------------------


@contextmanager
def lag_tolerant():
    """Reads inside may come from the replica (when it is there, current enough, and the
    primary holds no transaction of the caller's)."""
    token = _lag_tolerant.set(True)
    try:
        yield
    finally:
        _lag_tolerant.reset(token)


def _in_transaction() -> bool:
    """Whether the primary's connection is inside an ``atomic()`` of the portal's own. The
    test runner's wrapping transaction does not count: Django's own ``durable`` check makes
    the same exception, so that a test sees what a request sees."""
    blocks = connections[DEFAULT_DB_ALIAS].atomic_blocks
    return any(not getattr(block, "_from_testcase", False) for block in blocks)


def read_alias() -> str:
    """The database a read goes to now."""
    if (
        _lag_tolerant.get()
        and configured()
        and not _in_transaction()
        and replica_usable()
    ):
        return REPLICA
    return DEFAULT_DB_ALIAS


class ReplicaRouter:
    """Reads: ``read_alias()``. Writes and migrations: the primary only — also for an object
    read from the replica and then saved."""

    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is the primary's copy: rows read from either may point at each other.
        return {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None}

    def allow_migrate(self, db, app_label, **hints):
        return db == DEFAULT_DB_ALIAS


# --- the replica's health -------------------------------------------------------------------

# "No WAL to replay" is no lag: an idle primary sends no transactions, and the time of the last
# one replayed grows old while the replica is exactly current. That holds only while a WAL
# receiver runs (a replica cut off from its primary also has nothing left to replay); the row
# of pg_stat_wal_receiver is there for any role, its details only for pg_read_all_stats.
# clock_timestamp(), not now(): the check may run inside an export's open transaction.
LAG_SQL = """
SELECT pg_is_in_recovery(),
       pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
         AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver),
       EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())
"""


@dataclass(frozen=True)
class Verdict:
    usable: bool
    kind: str  # "current", "behind", "unreachable", "failed", "not_standby", "unknown"
    reason: str
    until: float  # _monotonic() after which the replica is measured again


_monotonic = time.monotonic  # the verdicts' clock (tests move it)
_verdict: Verdict | None = None
_measuring = threading.Lock()


def replica_usable() -> bool:
    """Whether reads may go to the replica: reachable and at most ``REPLICA_MAX_LAG_SECONDS``
    behind. Measured at most once every ``REPLICA_CHECK_SECONDS`` per process (after a
    failure to connect, every ``REPLICA_RETRY_SECONDS``): the verdict is kept in the process.
    While one thread measures, the others go by the previous verdict (none yet: primary)."""
    verdict = _verdict
    if verdict is not None and _monotonic() < verdict.until:
        return verdict.usable
    if not _measuring.acquire(blocking=False):
        return verdict is not None and verdict.usable
    try:
        _set_verdict(_measure())
    finally:
        _measuring.release()
    return _verdict.usable


def _measure() -> Verdict:
    now = _monotonic()
    try:
        in_recovery, caught_up, lag = measure_lag()
    except Exception as error:  # any failure of the replica is a reason to leave it
        _close_replica()
        return Verdict(False, "unreachable", f"unreachable ({_said(error)})",
                       now + settings.REPLICA_RETRY_SECONDS)
    until = now + settings.REPLICA_CHECK_SECONDS
    if not in_recovery:
        return Verdict(False, "not_standby", "not a standby (pg_is_in_recovery() is false)", until)
    if caught_up:
        return Verdict(True, "current", "nothing left to replay", until)
    if lag is None:
        return Verdict(False, "unknown", "lag unknown (no transaction replayed yet)", until)
    limit = settings.REPLICA_MAX_LAG_SECONDS
    if float(lag) > limit:
        return Verdict(False, "behind", f"{float(lag):.1f} s behind, over the limit of {limit} s",
                       until)
    return Verdict(True, "behind", f"{float(lag):.1f} s behind", until)


def _said(error: Exception) -> str:
    return f"{error.__class__.__name__}: {' '.join(str(error).split())}"


def measure_lag() -> tuple[bool, bool, float | None]:
    """(in recovery, nothing left to replay, seconds since the last replayed transaction)."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(LAG_SQL)
        return cursor.fetchone()


def _set_verdict(verdict: Verdict) -> None:
    """Keep the verdict; say so in the log when reads change database."""
    global _verdict
    before = _verdict
    _verdict = verdict
    if verdict.usable and before is not None and not before.usable:
        log.warning("Read replica back in use: %s", verdict.reason)
    elif not verdict.usable and (before is None or before.usable or before.kind != verdict.kind):
        log.warning("Read replica not used, reads go to the primary: %s", verdict.reason)


def give_up_replica(reason: str) -> None:
    """The replica failed under a page: the primary for ``REPLICA_RETRY_SECONDS``."""
    _set_verdict(Verdict(False, "failed", reason, _monotonic() + settings.REPLICA_RETRY_SECONDS))
    _close_replica()


def forget_verdict() -> None:
    """Measure again at the next read (tests; an operator's shell)."""
    global _verdict
    _verdict = None


def _close_replica() -> None:
    if REPLICA not in connections.settings:
        return
    connection = connections[REPLICA]
    try:
        connection.close()
    except Exception:  # a connection already broken may fail to close: it is dropped anyway
        log.debug("Closing the replica's connection failed", exc_info=True)
    connection.errors_occurred = False  # its failure is dealt with: no page retried for it again


def _replica_failed() -> bool:
    """Whether the replica's connection failed in this thread (Django marks a connection
    whose query or connect raised anything but a data or integrity error)."""
    return REPLICA in connections.settings and connections[REPLICA].errors_occurred


# --- views -----------------------------------------------------------------------------------


def pinned_to_primary(request) -> bool:
    """Whether this browser wrote less than ``REPLICA_PIN_SECONDS`` ago (its cookie holds the
    time the pin ends; checked here too, as not every client drops an expired cookie)."""
    try:
        return float(request.COOKIES.get(PIN_COOKIE, "")) > time.time()
    except ValueError:
        return False


def lag_tolerant_view(view):
    """A page that may show data a few seconds old: its reads (and a streamed file's) may
    come from the replica, unless the request writes or follows a write of this browser.
    When the replica fails under it, the page is made again from the primary."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in SAFE_METHODS or pinned_to_primary(request):
            return view(request, *args, **kwargs)
        try:
            with lag_tolerant():
                response = view(request, *args, **kwargs)
                if callable(getattr(response, "render", None)) and not response.is_rendered:
                    response.render()  # a TemplateResponse's queries, inside the scope
        except (OperationalError, InterfaceError) as error:
            if not _replica_failed():
                raise
            give_up_replica(f"failed under {request.path} ({_said(error)})")
            return view(request, *args, **kwargs)
        if response.streaming:
            response.streaming_content = _streamed_in_scope(response.streaming_content)
        return response

    wrapped.lag_tolerant = True
    return wrapped


def _streamed_in_scope(chunks):
    """A streamed file's rows are read after the view returned: each step in the scope. A
    replica that fails midway cuts that download (its audit entry says incomplete); the
    next request reads the primary."""
    chunks = iter(chunks)
    while True:
        with lag_tolerant():
            try:
                chunk = next(chunks)
            except StopIteration:
                return
            except (OperationalError, InterfaceError) as error:
                if _replica_failed():
                    give_up_replica(f"failed under a download ({_said(error)})")
                raise
        yield chunk


class PinAfterWriteMiddleware:
    """A request that may write (any unsafe method, answered however) pins its browser to
    the primary for ``REPLICA_PIN_SECONDS``: the pages after it read what it wrote."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in SAFE_METHODS:
            seconds = settings.REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE, f"{time.time() + seconds:.3f}", max_age=seconds,
                secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax",
            )
        return response

"""The time at which services date what they write.

Normally the real time. The demo replays months of proposal work through the real services
and dates each step by running it inside ``frozen_at``::

    with clock.frozen_at(datetime(2025, 1, 22, 10, tzinfo=ZoneInfo("Asia/Shanghai"))):
        services.proposal_file(proposal=p, by=staff)  # filed_at, its event, its notices

Only code that asks this module follows it: the proposal services and the proposal and
notice models' timestamps (``default=clock.now``). Django itself, the database and the
other apps keep the real time. The moment is a context variable, so it belongs to the
thread (or task) that set it and ends with the ``with`` block.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time

from django.utils import timezone

_frozen: ContextVar[datetime | None] = ContextVar("clock_frozen_at", default=None)


def now() -> datetime:
    """The frozen moment inside ``frozen_at``, else ``timezone.now()``."""
    return _frozen.get() or timezone.now()


def localdate() -> date:
    """Today in the portal's time zone, by ``now()``."""
    return timezone.localdate(now())


def start_of(day: date) -> datetime:
    """The moment ``day`` begins in the portal's time zone (midnight, Asia/Shanghai): the
    lower bound of a day's times, and the upper bound (excluded) of the day before. The
    one place the periods of the dashboards, the rollups, the sweep and the demo turn a day
    into times."""
    return timezone.make_aware(datetime.combine(day, time.min))


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Let ``now()`` answer ``moment`` (an aware datetime) inside the block."""
    if timezone.is_naive(moment):
        raise ValueError("frozen_at() needs an aware datetime")
    token = _frozen.set(moment)
    try:
        yield
    finally:
        _frozen.reset(token)

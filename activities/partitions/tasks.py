"""The daily job that keeps the months ahead partitioned (``liaison/schedule.py``): thin and
idempotent. Registered as ``activities.tasks.…`` like the app's other tasks."""

from __future__ import annotations

from celery import shared_task

from activities import partitions


@shared_task(name="activities.tasks.partitions_ensure_task", acks_late=True)
def partitions_ensure_task(ahead: int = partitions.MONTHS_AHEAD) -> list[str]:
    """Make the partitions of the current month and ``ahead`` months past it (PostgreSQL;
    nothing on SQLite). Returns the names of those made."""
    return partitions.partitions_ensure(ahead=ahead)

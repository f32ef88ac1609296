"""The nightly recount of the dashboards' rollups (``liaison/schedule.py``): thin and
idempotent. Registered under its old name, ``activities.tasks.…``, which the schedule and
django-celery-beat's rows use."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from activities.contacts.rollups import rollups_rebuild
from members.rollups import roster_rebuild


@shared_task(name="activities.tasks.rollups_rebuild_task", acks_late=True)
def rollups_rebuild_task(
    council_id: int | None = None, since: str | None = None, full: bool = False
) -> int:
    """Recount the daily contact counts (incrementally: the days touched since the last run,
    unless ``since`` or ``full``) and the roster counts. Returns the daily rows written."""
    written = rollups_rebuild(
        council=council_id, since=date.fromisoformat(since) if since else None, full=full
    )
    roster_rebuild(council=council_id)
    return written

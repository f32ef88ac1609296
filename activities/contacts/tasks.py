"""The nightly recount of the dashboards' rollups (``liaison/schedule.py``): thin and
idempotent. Registered under its old name, ``activities.tasks.…``, which the schedule and
django-celery-beat's rows use."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

from activities.contacts.rollups import rollups_rebuild
from activities.reminders.services.pending import pending_since_recount
from activities.reminders.services.tally import reminder_tally_rebuild
from members.models import Council
from members.rollups import roster_rebuild
from members.services import unread_recount
from members.tasks import councils_fan_out
from proposals import outcome
from proposals import tally as proposal_tally
from proposals.models import Proposal


@shared_task(name="activities.tasks.rollups_rebuild_task", acks_late=True)
def rollups_rebuild_task(
    council_id: int | None = None, since: str | None = None, full: bool = False
) -> int:
    """02:30: one ``rollups_rebuild_council_task`` per council (or for ``council_id`` alone)
    on the "rollups" queue, waiting for none. The parent fixes the day the recent days are
    counted back from. Returns the tasks enqueued."""
    options = {"since": since, "full": full, "today": timezone.localdate().isoformat()}
    if council_id is not None:
        rollups_rebuild_council_task.apply_async(kwargs={"council_id": council_id, **options})
        return 1
    return councils_fan_out(rollups_rebuild_council_task, **options)


@shared_task(name="activities.tasks.rollups_rebuild_council_task", acks_late=True)
def rollups_rebuild_council_task(
    *, council_id: int, since: str | None = None, full: bool = False, today: str | None = None
) -> int:
    """Recount one council's daily contact counts (incrementally: the days touched since its
    last run, unless ``since`` or ``full``), its roster counts, its must-visit tally, its
    members' pending must-visit bounds, its proposals' outcome columns and proposal tally,
    and its users' unread notices. Idempotent; the rebuilds lock their tables against
    writers meanwhile.
    Returns the daily rows written."""
    if not Council.objects.filter(pk=council_id).exists():
        return 0
    written = rollups_rebuild(
        council=council_id, since=date.fromisoformat(since) if since else None, full=full,
        today=date.fromisoformat(today) if today else None,
    )
    roster_rebuild(council=council_id)
    reminder_tally_rebuild(council=council_id)
    pending_since_recount(council=council_id)
    outcome.refresh(Proposal.objects.filter(council_id=council_id))
    proposal_tally.rebuild(council=council_id)
    unread_recount(council=council_id)
    return written

"""``pending_since_recount``: each member's ``pending_since`` set to the trigger day of their
earliest pending (open or overdue) must-visit, or NULL when none is pending.

The triggers on the must-visit table (migration 0025) only ever lower the bound, in the
statement that makes must-visits pending; closing them leaves it where it was. This sets it
back to the earliest, every night with the other rollups, and after rows were written with the
triggers off (a restore with ``session_replication_role``). Idempotent."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Min

from activities.reminders.models import Reminder
from members.common.increments import column_put_right
from members.common.locks import tables_locked
from members.models import Member

PENDING = (Reminder.State.OPEN, Reminder.State.OVERDUE)


def pending_since_recount(*, council: int | None = None) -> int:
    """Put right the bound of ``council``'s members (its id), or of every member, where it
    differs from their earliest pending must-visit. Returns the members written.

    On PostgreSQL the must-visits are locked against writers meanwhile (``SHARE``: readers
    go on), so that a must-visit added in flight is either seen by the recount or lowers the
    bound after it."""
    with transaction.atomic():
        tables_locked(Reminder, mode="SHARE")
        pending, members = Reminder.objects.filter(state__in=PENDING), Member.objects.all()
        if council is not None:
            pending, members = pending.filter(council_id=council), members.filter(council_id=council)
        earliest = (pending.order_by().values("member_id").annotate(first=Min("trigger_on"))
                    .values_list("member_id", "first"))
        return column_put_right(members, "pending_since", dict(earliest), missing=None)

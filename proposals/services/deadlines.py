"""The daily chase of deadlines: 临期 to the units, 超期未答复 to staff."""

from __future__ import annotations

from datetime import date

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from members.models import User
from proposals.models import (
    Assignment,
    Proposal,
)
from proposals.services.base import (
    notify,
    staff_users,
)


def deadlines_chase(*, today: date) -> tuple[int, int]:
    """Tell the handling units of every proposal due within ``DUE_SOON_DAYS`` (临期) and
    each council's staff of every overdue one (超期未答复). The notice key carries the date:
    run twice on one day, it notifies once. Returns (due-soon, overdue) counts."""
    due = (
        Proposal.objects.due_soon(today)
        .select_related("council")
        .prefetch_related("assignments__unit__users")
    )
    due_count = 0
    for proposal in due:
        units = [a.unit for a in proposal.assignments.all() if a.state == Assignment.State.ACTIVE]
        users = [u for unit in units for u in unit.users.all() if u.is_active]
        notify(
            users, proposal, "proposal_due_soon",
            format_lazy(
                _("Proposal {number} is due on {deadline}"),
                number=proposal.display_number, deadline=proposal.deadline.isoformat(),
            ),
            key=f"proposal-{proposal.pk}-due-soon-{today.isoformat()}",
        )
        due_count += 1
    staff_of: dict[int, list[User]] = {}
    overdue_count = 0
    for proposal in Proposal.objects.overdue(today).select_related("council"):
        if proposal.council_id not in staff_of:
            staff_of[proposal.council_id] = staff_users(proposal.council)
        notify(
            staff_of[proposal.council_id], proposal, "proposal_overdue",
            format_lazy(
                _("Proposal {number} is overdue (deadline {deadline})"),
                number=proposal.display_number, deadline=proposal.deadline.isoformat(),
            ),
            key=f"proposal-{proposal.pk}-overdue-{today.isoformat()}",
        )
        overdue_count += 1
    return due_count, overdue_count

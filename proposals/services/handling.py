"""Handling (办理): staff assign a filed proposal to units (交办) and move the deadline; a
unit sends it back (退回) or the lead unit replies (答复)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from members.common import clock
from members.models import User
from proposals.models import (
    Assignment,
    HandlingUnit,
    Proposal,
    Reply,
    State,
)
from proposals.services.base import (
    act,
    check_deadline,
    check_file_size,
    clean_text,
    cosigner_users,
    notify,
    proposer_users,
    record,
    refuse,
    same_council,
    staff_users,
    unit_users,
)
from proposals.signals import proposal_replied


def proposal_assign(
    *,
    proposal: Proposal,
    by: User,
    lead_unit: HandlingUnit,
    deadline: date,
    co_units: Iterable[HandlingUnit] = (),
    note: str = "",
    expected_version: int | None = None,
) -> Proposal:
    """交办: give the filed proposal to one lead unit and optional co-handling units, all
    with ``deadline``. Every unit's logins get a notice."""
    co_units = [u for u in co_units if u.pk != lead_unit.pk]
    check_deadline(deadline)
    with transaction.atomic():
        locked = act("assign", proposal, by, expected_version=expected_version)
        for unit in [lead_unit, *co_units]:
            same_council(unit, locked.council, unit.name)
            if not unit.active:
                refuse(_("%(name)s is no longer active."), code="inactive", name=unit.name)
        assignments = Assignment.objects.bulk_create(
            [Assignment(proposal=locked, unit=lead_unit, is_lead=True, deadline=deadline, assigned_by=by)]
            + [Assignment(proposal=locked, unit=u, deadline=deadline, assigned_by=by) for u in co_units]
        )
        locked.state = State.ASSIGNED
        locked.deadline = deadline
        units = "、".join(u.name for u in [lead_unit, *co_units])
        record(
            locked, by, "assign", from_state=State.FILED,
            note=clean_text(note, "", required=False) or units, fields=["state", "deadline"],
        )
        for assignment in assignments:
            notify(
                unit_users([assignment.unit]), locked, "proposal_assigned",
                format_lazy(
                    _("Proposal {number} was assigned to you, reply by {deadline}"),
                    number=locked.display_number, deadline=deadline.isoformat(),
                ),
                key=f"proposal-{locked.pk}-assignment-{assignment.pk}",
            )
        return locked


def proposal_set_deadline(
    *, proposal: Proposal, by: User, deadline: date, expected_version: int | None = None
) -> Proposal:
    """Staff move the deadline of the units handling the proposal (e.g. after 不满意)."""
    check_deadline(deadline)
    with transaction.atomic():
        locked = act("set_deadline", proposal, by, expected_version=expected_version)
        active = Assignment.objects.filter(proposal=locked, state=Assignment.State.ACTIVE)
        active.update(deadline=deadline)
        locked.deadline = deadline
        record(
            locked, by, "set_deadline", from_state=locked.state, note=deadline.isoformat(),
            fields=["deadline"],
        )
        notify(
            unit_users(HandlingUnit.objects.filter(assignments__in=active)), locked,
            "proposal_deadline",
            format_lazy(
                _("New deadline for proposal {number}: {deadline}"),
                number=locked.display_number, deadline=deadline.isoformat(),
            ),
            key=f"proposal-{locked.pk}-deadline-v{locked.version}",
        )
        return locked


def assignment_send_back(
    *, proposal: Proposal, by: User, reason: str, expected_version: int | None = None
) -> Proposal:
    """退回: a unit says the proposal is not theirs. The lead unit sends the whole proposal
    back to staff to assign again (→ filed); a co-handling unit withdraws only its part."""
    reason = clean_text(reason, _("Reason"))
    with transaction.atomic():
        locked = act("send_back", proposal, by, expected_version=expected_version)
        mine = (
            Assignment.objects.select_for_update()
            .filter(proposal=locked, unit__users=by, state=Assignment.State.ACTIVE)
            .order_by("-is_lead", "id")
            .first()
        )
        if mine.is_lead:
            ended = Assignment.objects.filter(proposal=locked, state=Assignment.State.ACTIVE)
            ended.exclude(pk=mine.pk).update(state=Assignment.State.SENT_BACK)
            locked.state = State.FILED
            locked.deadline = None
        mine.state = Assignment.State.SENT_BACK
        mine.returned_reason = reason
        mine.save(update_fields=["state", "returned_reason"])
        record(
            locked, by, "send_back", from_state=State.ASSIGNED, note=f"{mine.unit}：{reason}",
            fields=["state", "deadline"],
        )
        notify(
            staff_users(locked.council), locked, "proposal_sent_back",
            format_lazy(
                _("{unit} sent back proposal {number}"),
                unit=mine.unit.name, number=locked.display_number,
            ),
            key=f"proposal-{locked.pk}-sent-back-{mine.pk}", body=reason,
        )
        return locked


def proposal_reply(
    *,
    proposal: Proposal,
    by: User,
    category: str,
    text: str,
    attachment=None,
    expected_version: int | None = None,
) -> Proposal:
    """答复: the lead unit answers (category A/B/C/D, text, optional file). The proposer
    and the confirmed co-signers are asked to rate it."""
    if category not in Reply.Category.values:
        refuse(_("Choose a reply category."), code="required")
    text = clean_text(text, _("Reply"))
    check_file_size(attachment)
    with transaction.atomic():
        locked = act("reply", proposal, by, expected_version=expected_version)
        lead = Assignment.objects.select_related("unit").get(
            proposal=locked, is_lead=True, state=Assignment.State.ACTIVE
        )
        Reply.objects.create(
            proposal=locked, unit=lead.unit, round=locked.round, category=category, text=text,
            attachment=attachment or "", replied_at=clock.now(), replied_by=by,
        )
        locked.state = State.REPLIED
        record(
            locked, by, "reply", from_state=State.ASSIGNED,
            note=str(Reply.Category(category).label), fields=["state"],
        )
        notify(
            proposer_users(locked) + cosigner_users(locked), locked, "proposal_replied",
            format_lazy(
                _("Proposal {number} has a reply: please rate it"), number=locked.display_number
            ),
            key=f"proposal-{locked.pk}-replied-{locked.round}",
        )
        pk = locked.pk
        transaction.on_commit(lambda: proposal_replied.send(sender=Proposal, proposal_id=pk))
        return locked

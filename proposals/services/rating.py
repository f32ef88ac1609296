"""Rating (评价) of the reply by the proposer and the confirmed co-signers; 不满意 sends it
back to the unit, all satisfied closes it (办结) with the proposals merged into it."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from members import permissions
from members.common import clock
from members.models import Member, User
from proposals.models import (
    Assignment,
    CoSigner,
    Proposal,
    ProposerKind,
    Rating,
    State,
)
from proposals.services.base import (
    DEFAULT_REHANDLE_DAYS,
    ProposalPermissionError,
    act,
    clean_text,
    notify,
    record,
    refuse,
    staff_users,
    unit_users,
)


def raters(proposal: Proposal) -> list[Member | None]:
    """Whose ratings close the proposal: the proposing member (``None`` for a collective
    proposer, rated by its submitter) and every confirmed co-signer."""
    first = proposal.proposer if proposal.proposer_kind == ProposerKind.MEMBER else None
    cosigners = Member.objects.filter(
        cosignatures__proposal=proposal, cosignatures__state=CoSigner.State.CONFIRMED
    )
    return [first, *cosigners]


def proposal_rate(*, proposal: Proposal, by: User, value: str, comment: str = "") -> Proposal:
    """评价: the proposer or a confirmed co-signer rates the reply of this round.

    不满意 sends the proposal back to the lead unit at once (a new round, deadline
    ``DEFAULT_REHANDLE_DAYS`` from today, which staff may move) and tells staff and the
    unit. Once everyone has rated and nobody is unsatisfied, the proposal is closed (办结),
    together with the proposals merged into it."""
    if value not in Rating.Value.values:
        refuse(_("Choose a rating."), code="required")
    comment = clean_text(comment, _("Comment"), required=False)
    with transaction.atomic():
        locked = act("rate", proposal, by, stale_check=False)
        member = _rating_member(locked, by)
        if Rating.objects.filter(proposal=locked, member=member, round=locked.round).exists():
            refuse(_("You have already rated this reply."), code="rated")
        Rating.objects.create(
            proposal=locked, member=member, rated_by=by, round=locked.round, value=value,
            comment=comment, rated_at=clock.now(),
        )
        label = str(Rating.Value(value).label)
        if value == Rating.Value.UNSATISFIED:
            return _rehandle(locked, by, label)
        record(locked, by, "rate", from_state=locked.state, note=label)
        rated = set(
            Rating.objects.filter(proposal=locked, round=locked.round).values_list(
                "member_id", flat=True
            )
        )
        if all((m.pk if m else None) in rated for m in raters(locked)):
            _close(locked, by)
        return locked


def _rating_member(proposal: Proposal, by: User) -> Member | None:
    """The member ``by`` rates as, or ``None`` for the collective proposer they entered."""
    member = permissions.member_of(by)
    if proposal.proposer_kind == ProposerKind.MEMBER and member and member.pk == proposal.proposer_id:
        return member
    if member and CoSigner.objects.filter(
        proposal=proposal, member=member, state=CoSigner.State.CONFIRMED
    ).exists():
        return member
    if proposal.proposer_kind != ProposerKind.MEMBER and proposal.submitted_by_id == by.pk:
        return None
    # Invited but not confirmed, or declined: they did not sign, so they do not rate.
    raise ProposalPermissionError


def _rehandle(proposal: Proposal, by: User, label: str) -> Proposal:
    deadline = clock.localdate() + timedelta(days=DEFAULT_REHANDLE_DAYS)
    lead = Assignment.objects.select_related("unit").get(
        proposal=proposal, is_lead=True, state=Assignment.State.ACTIVE
    )
    Assignment.objects.filter(proposal=proposal, state=Assignment.State.ACTIVE).update(
        deadline=deadline
    )
    proposal.state = State.ASSIGNED
    proposal.round += 1
    proposal.deadline = deadline
    record(
        proposal, by, "rate", from_state=State.REPLIED, note=label,
        fields=["state", "round", "deadline"],
    )
    subject = format_lazy(
        _("Proposal {number} was rated unsatisfied and goes back to {unit}"),
        number=proposal.display_number, unit=lead.unit.name,
    )
    key = f"proposal-{proposal.pk}-unsatisfied-{proposal.round}"
    notify(staff_users(proposal.council), proposal, "proposal_unsatisfied", subject, key=key)
    notify(unit_users([lead.unit]), proposal, "proposal_unsatisfied", subject, key=key)
    return proposal


def _close(proposal: Proposal, by: User) -> None:
    now = clock.now()
    proposal.state = State.CLOSED
    proposal.closed_at = now
    record(proposal, by, "close", from_state=State.REPLIED, fields=["state", "closed_at"])
    # The units' handling ends with the proposal (they still see it: ``Assignment.HANDLED``).
    Assignment.objects.filter(proposal=proposal, state=Assignment.State.ACTIVE).update(
        state=Assignment.State.DONE
    )
    for merged in Proposal.objects.select_for_update().filter(
        merged_into=proposal, state=State.MERGED
    ):
        merged.state = State.CLOSED
        merged.closed_at = now
        record(merged, by, "close", from_state=State.MERGED, fields=["state", "closed_at"])

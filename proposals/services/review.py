"""Review (审查) by staff: file it with the next number of its session (立案), do not file
it (不予立案), return it for revision, merge it into another (并案), keep an internal note."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from members.common import clock
from members.models import User
from proposals import rules
from proposals.models import (
    Category,
    Proposal,
    Session,
    State,
)
from proposals.services.base import (
    act,
    clean_text,
    cosigner_users,
    lock,
    notify,
    proposer_users,
    record,
    refuse,
    same_council,
)


def proposal_start_review(
    *, proposal: Proposal, by: User, expected_version: int | None = None
) -> Proposal:
    """Staff take a submitted proposal into review (审查)."""
    with transaction.atomic():
        locked = act("start_review", proposal, by, expected_version=expected_version)
        locked.state = State.UNDER_REVIEW
        return record(locked, by, "start_review", from_state=State.SUBMITTED, fields=["state"])


def proposal_file(
    *,
    proposal: Proposal,
    by: User,
    category: Category | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Proposal:
    """立案: file the proposal and give it the next number of its session.

    Numbers are gapless and never duplicated: the session row is locked and its counter
    moves in the same transaction as the proposal (a refusal or a rollback gives the
    number back)."""
    with transaction.atomic():
        locked = act("file", proposal, by, expected_version=expected_version)
        if category is not None:
            same_council(category, locked.council, _("The category"))
            locked.category = category
        if locked.category_id is None:
            refuse(_("Choose a category."), code="required")
        session = Session.objects.select_for_update().get(pk=locked.session_id)
        session.last_number += 1
        session.save(update_fields=["last_number"])
        locked.number = session.last_number
        locked.state = State.FILED
        locked.filed_at = clock.now()
        record(
            locked, by, "file", from_state=State.UNDER_REVIEW, note=clean_text(note, "", required=False),
            fields=["number", "state", "filed_at", "category"],
        )
        notify(
            proposer_users(locked) + cosigner_users(locked), locked, "proposal_filed",
            format_lazy(_("Your proposal was filed as {number}"), number=locked.display_number),
            key=f"proposal-{locked.pk}-filed",
        )
        return locked


def proposal_reject(
    *,
    proposal: Proposal,
    by: User,
    reason: str,
    to_opinion: bool = False,
    expected_version: int | None = None,
) -> Proposal:
    """不予立案: not filed, with a reason; ``to_opinion`` passes it on as an opinion.

    The proposals merged into it (并案) end with it, so that none stays merged into a lead
    that is over (see ``_release_merged``)."""
    reason = clean_text(reason, _("Reason"))
    with transaction.atomic():
        locked = act("reject", proposal, by, expected_version=expected_version)
        locked.state = State.NOT_FILED
        locked.not_filed_reason = reason
        locked.to_opinion = to_opinion
        record(
            locked, by, "reject", from_state=State.UNDER_REVIEW, note=reason,
            fields=["state", "not_filed_reason", "to_opinion"],
        )
        _notify_not_filed(locked, reason)
        _release_merged(locked, by, reason)
        return locked


def _notify_not_filed(proposal: Proposal, reason: str) -> None:
    notify(
        proposer_users(proposal), proposal, "proposal_not_filed",
        format_lazy(_("Your proposal “{title}” was not filed"), title=proposal.title),
        key=f"proposal-{proposal.pk}-not-filed", body=reason,
    )


def _release_merged(lead: Proposal, by: User, reason: str) -> None:
    """The lead was not filed: its merged proposals cannot be closed with it any more.

    - One never filed is not filed with it, the reason naming the lead (the link stays, so
      its page leads to the lead). ``to_opinion`` stays off: the lead carries the opinion,
      and the same matter is not counted twice.
    - One filed before it was merged (it has a number) keeps its filing: it is unlinked and
      goes back to 待交办, to be assigned on its own.
    Each gets its own event; proposers of the ones not filed get the notice."""
    merged = (
        Proposal.objects.select_for_update(of=("self",))
        .filter(merged_into=lead, state=State.MERGED)
        .select_related("proposer__user", "submitted_by")
        .order_by("pk")
    )
    for other in merged:
        if other.number is not None:
            other.state = State.FILED
            other.merged_into = None
            note = format_lazy(
                _("The lead proposal “{lead}” was not filed; this proposal keeps its filing "
                  "and is to be assigned again."),
                lead=lead.title,
            )
            record(other, by, "unmerge", from_state=State.MERGED, note=str(note),
                    fields=["state", "merged_into"])
            continue
        other.state = State.NOT_FILED
        other.not_filed_reason = str(format_lazy(
            _("Merged into “{lead}”, which was not filed: {reason}"), lead=lead.title, reason=reason,
        ))
        other.to_opinion = False
        record(
            other, by, "reject", from_state=State.MERGED, note=other.not_filed_reason,
            fields=["state", "not_filed_reason", "to_opinion"],
        )
        _notify_not_filed(other, other.not_filed_reason)


def proposal_return(
    *, proposal: Proposal, by: User, reason: str, expected_version: int | None = None
) -> Proposal:
    """Return the proposal to its proposer for revision, with what to change."""
    reason = clean_text(reason, _("Reason"))
    with transaction.atomic():
        locked = act("return", proposal, by, expected_version=expected_version)
        locked.state = State.RETURNED
        locked.returned_reason = reason
        record(
            locked, by, "return", from_state=State.UNDER_REVIEW, note=reason,
            fields=["state", "returned_reason"],
        )
        notify(
            proposer_users(locked), locked, "proposal_returned",
            format_lazy(_("Your proposal “{title}” was returned for revision"), title=locked.title),
            key=f"proposal-{locked.pk}-returned-v{locked.version}", body=reason,
        )
        return locked


def proposal_merge(
    *, proposal: Proposal, by: User, into: Proposal, note: str = "",
    expected_version: int | None = None,
) -> Proposal:
    """并案: ``proposal`` is merged into the lead proposal ``into`` of the same session; it is
    closed together with the lead."""
    if into.pk == proposal.pk:
        refuse(_("A proposal cannot be merged into itself."), code="merge")
    with transaction.atomic():
        # Lock both rows in id order so that two merges never wait for each other.
        first, second = sorted([proposal, into], key=lambda p: p.pk)
        lock(first)
        lock(second)
        locked = act("merge", proposal, by, expected_version=expected_version)
        lead = lock(into)
        if lead.session_id != locked.session_id:
            refuse(_("Only proposals of the same session can be merged."), code="merge")
        if lead.state not in rules.MERGE_LEAD_STATES:
            refuse(
                _("The lead proposal is “%(state)s” and cannot take others in."),
                code="merge", state=lead.get_state_display(),
            )
        from_state = locked.state
        locked.state = State.MERGED
        locked.merged_into = lead
        record(
            locked, by, "merge", from_state=from_state, note=note or str(lead),
            fields=["state", "merged_into"],
        )
        record(lead, by, "merge_lead", from_state=lead.state, note=str(locked))
        # Proposals merged into this one follow it to the new lead: one lead per group, so
        # that the lead's end (closed, not filed) reaches every one of them.
        for child in Proposal.objects.select_for_update().filter(
            merged_into=locked, state=State.MERGED
        ).order_by("pk"):
            child.merged_into = lead
            record(child, by, "merge", from_state=State.MERGED, note=str(lead), fields=["merged_into"])
            record(lead, by, "merge_lead", from_state=lead.state, note=str(child))
        return locked


def proposal_note(
    *, proposal: Proposal, by: User, internal_note: str, expected_version: int | None = None
) -> Proposal:
    """Staff's internal note (never shown to members or units)."""
    with transaction.atomic():
        locked = act("note", proposal, by, expected_version=expected_version, stale_check=False)
        locked.internal_note = clean_text(internal_note, _("Internal note"), required=False)
        return record(
            locked, by, "note", from_state=locked.state, internal=True, fields=["internal_note"]
        )

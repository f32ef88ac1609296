"""What every proposal service shares: the refusals, locking the row and checking the
rule (``act``), recording the step (``record``: the timeline, and the security audit for a
change of state), cleaning text and sending notices."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from members import audit, permissions
from members.common import clock
from members.common.figures import figures_changed
from members.models import User
from members.services import notification_send
from proposals import rules
from proposals.models import (
    CoSigner,
    HandlingUnit,
    Proposal,
    ProposalEvent,
    ProposerKind,
)

# Characters in reasons, suggestions, a reply or a note: long enough for any real proposal
# (a few pages), it refuses pasted books and junk. The forms use the same limits.
MAX_TEXT = 20_000
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
DEFAULT_COSIGN_DAYS = 7  # co-signers answer within a week unless the proposer says otherwise
DEFAULT_REHANDLE_DAYS = 30  # a 不满意 rating gives the unit this long to re-handle
# 交办: units reply within three months of receiving a proposal (政协提案工作条例: 承办单位
# 应当在收到提案之日起3个月内办复); the assignment form offers that deadline.
DEFAULT_HANDLING_MONTHS = 3

UNSET = object()


class ProposalStateError(ValidationError):
    """The action is not possible in the proposal's state, or the input is bad."""


class ProposalConflictError(ProposalStateError):
    """Somebody else changed the proposal since the caller loaded it."""


class ProposalPermissionError(PermissionDenied):
    """The user may see the proposal but not do this to it."""


# --- helpers ---------------------------------------------------------------------------------


def refuse(message, code: str = "invalid", **params):
    raise ProposalStateError(message, code=code, params=params or None)


def lock(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update()
        .select_related("council", "session")
        .get(pk=proposal.pk)
    )


def act(
    action: str,
    proposal: Proposal,
    by: User,
    *,
    expected_version: int | None = None,
    stale_check: bool = True,
) -> Proposal:
    """Lock the proposal and check ``by`` may do ``action`` now: role, freshness, state.

    ``stale_check``: refuse with a conflict when the state differs from the caller's copy.
    Off for co-signers and raters, who act side by side on purpose.
    """
    locked = lock(proposal)
    rule = rules.TRANSITIONS[action]
    if not (rules.actors(by, locked) & rule.actors):
        raise ProposalPermissionError
    stale = expected_version is not None and expected_version != locked.version
    if stale_check and locked.state != proposal.state:
        stale = True
    if stale:
        raise ProposalConflictError(
            _("Someone else changed this proposal in the meantime. Reload the page and try again."),
            code="conflict",
        )
    if locked.state not in rule.sources:
        refuse(
            _("This cannot be done while the proposal is “%(state)s”."),
            code="state",
            state=locked.get_state_display(),
        )
    return locked


def record(
    proposal: Proposal,
    by: User | None,
    action: str,
    *,
    from_state: str,
    note: str = "",
    internal: bool = False,
    fields: Iterable[str] = (),
) -> Proposal:
    """Save ``fields`` with a new version and put the step on the timeline; the council's
    figures change with it (the dashboard's cache is dropped on commit)."""
    proposal.version += 1
    proposal.updated_at = clock.now()
    proposal.save(update_fields=[*fields, "version", "updated_at"])
    ProposalEvent.objects.create(
        proposal=proposal,
        actor=by,
        action=action,
        from_state=from_state,
        to_state=proposal.state,
        note=note,
        internal=internal,
        at=clock.now(),
    )
    figures_changed(proposal.council_id)
    if from_state != proposal.state:
        # The security audit has every state change too: who, from where (the request's
        # address when a page did it), in the step's own transaction.
        audit.record(
            audit.Action.PROPOSAL_STATE,
            request=audit.current_request(),
            user=by,
            obj=proposal,
            detail={"action": action, "from": from_state, "to": proposal.state},
        )
    return proposal


def clean_text(value, label, *, required: bool = True, max_length: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        refuse(_("%(field)s must not be empty."), code="required", field=label)
    if len(value) > max_length:
        refuse(
            _("%(field)s is too long (at most %(max)s characters)."),
            code="too_long", field=label, max=max_length,
        )
    return value


def check_file_size(file) -> None:
    if file is not None and getattr(file, "size", 0) > MAX_ATTACHMENT_BYTES:
        refuse(_("The file is too large (at most 20 MB)."), code="too_large")


def check_deadline(deadline) -> None:
    """A unit's deadline is today or later (by the clock)."""
    if deadline is None or deadline < clock.localdate():
        refuse(_("The deadline must be today or later."), code="deadline")


def default_deadline(today: date | None = None) -> date:
    """The handling deadline an assignment made ``today`` gets unless staff choose another:
    ``DEFAULT_HANDLING_MONTHS`` calendar months on (30 November → 28 February)."""
    today = today or clock.localdate()
    months = today.month - 1 + DEFAULT_HANDLING_MONTHS
    year, month = today.year + months // 12, months % 12 + 1
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def same_council(obj, council, label) -> None:
    if obj is not None and obj.council_id != council.pk:
        refuse(_("%(name)s does not belong to this council."), code="council", name=label)


def proposer_users(proposal: Proposal) -> list[User]:
    """Who speaks for the proposal: the proposing member, or whoever entered a collective one."""
    if proposal.proposer_kind == ProposerKind.MEMBER:
        return [proposal.proposer.user]
    return [proposal.submitted_by]


def cosigner_users(proposal: Proposal) -> list[User]:
    return list(
        User.objects.filter(
            member__cosignatures__proposal=proposal,
            member__cosignatures__state=CoSigner.State.CONFIRMED,
        )
    )


def staff_users(council) -> list[User]:
    return list(
        User.objects.filter(council=council, role__in=sorted(permissions.STAFF_ROLES), is_active=True)
    )


def unit_users(units: Iterable[HandlingUnit]) -> list[User]:
    return list(User.objects.filter(handling_units__in=list(units), is_active=True).distinct())


def notify(users, proposal: Proposal, kind: str, subject, key: str, body="") -> None:
    notification_send(
        users=users,
        kind=kind,
        subject=subject,
        body=body or proposal.title,
        url=proposal.get_absolute_url(),
        key=key,
    )

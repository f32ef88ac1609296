"""Writes of the proposal pipeline: one service per transition.

Every service is keyword-only, takes the acting user as ``by``, runs in
``transaction.atomic()`` with the proposal row locked (``SELECT … FOR UPDATE``), checks the
role and the state against ``proposals.rules.TRANSITIONS``, records a ``ProposalEvent`` and
returns the proposal as it now is (use the returned object, not the one passed in).

Refusals change nothing:
- ``ProposalPermissionError`` (a ``PermissionDenied``: a 403 in a view) — the user has no
  right to do this to this proposal;
- ``ProposalStateError`` (a ``ValidationError`` with a translatable message) — not in this
  state, or bad input;
- ``ProposalConflictError`` (a ``ProposalStateError``) — somebody changed the proposal
  since the caller loaded it: the state differs from the caller's copy, or
  ``expected_version`` (the version the page showed) is not the current one. Of two staff
  acting at once exactly one wins; the other gets this error.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from members import permissions
from members.models import Committee, Member, Sector, User
from members.services import notification_send
from proposals import rules
from proposals.models import (
    Assignment,
    Category,
    CoSigner,
    HandlingUnit,
    Proposal,
    ProposalAttachment,
    ProposalEvent,
    ProposerKind,
    Rating,
    Reply,
    Session,
    State,
)
from proposals.signals import proposal_replied

MAX_TEXT = 20_000  # characters in reasons, suggestions, a reply or a note
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
DEFAULT_COSIGN_DAYS = 7  # co-signers answer within a week unless the proposer says otherwise
DEFAULT_REHANDLE_DAYS = 30  # a 不满意 rating gives the unit this long to re-handle

_UNSET = object()


class ProposalStateError(ValidationError):
    """The action is not possible in the proposal's state, or the input is bad."""


class ProposalConflictError(ProposalStateError):
    """Somebody else changed the proposal since the caller loaded it."""


class ProposalPermissionError(PermissionDenied):
    """The user may see the proposal but not do this to it."""


# --- helpers ---------------------------------------------------------------------------------


def _refuse(message, code: str = "invalid", **params):
    raise ProposalStateError(message, code=code, params=params or None)


def _lock(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update()
        .select_related("council", "session")
        .get(pk=proposal.pk)
    )


def _act(
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
    locked = _lock(proposal)
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
        _refuse(
            _("This cannot be done while the proposal is “%(state)s”."),
            code="state",
            state=locked.get_state_display(),
        )
    return locked


def _record(
    proposal: Proposal,
    by: User | None,
    action: str,
    *,
    from_state: str,
    note: str = "",
    internal: bool = False,
    fields: Iterable[str] = (),
) -> Proposal:
    """Save ``fields`` with a new version and put the step on the timeline."""
    proposal.version += 1
    proposal.save(update_fields=[*fields, "version", "updated_at"])
    ProposalEvent.objects.create(
        proposal=proposal,
        actor=by,
        action=action,
        from_state=from_state,
        to_state=proposal.state,
        note=note,
        internal=internal,
        at=timezone.now(),
    )
    return proposal


def _text(value, label, *, required: bool = True, max_length: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        _refuse(_("%(field)s must not be empty."), code="required", field=label)
    if len(value) > max_length:
        _refuse(
            _("%(field)s is too long (at most %(max)s characters)."),
            code="too_long", field=label, max=max_length,
        )
    return value


def _same_council(obj, council, label) -> None:
    if obj is not None and obj.council_id != council.pk:
        _refuse(_("%(name)s does not belong to this council."), code="council", name=label)


def _proposer_users(proposal: Proposal) -> list[User]:
    """Who speaks for the proposal: the proposing member, or whoever entered a collective one."""
    if proposal.proposer_kind == ProposerKind.MEMBER:
        return [proposal.proposer.user]
    return [proposal.submitted_by]


def _cosigner_users(proposal: Proposal) -> list[User]:
    return list(
        User.objects.filter(
            member__cosignatures__proposal=proposal,
            member__cosignatures__state=CoSigner.State.CONFIRMED,
        )
    )


def _staff_users(council) -> list[User]:
    return list(
        User.objects.filter(council=council, role__in=sorted(permissions.STAFF_ROLES), is_active=True)
    )


def _unit_users(units: Iterable[HandlingUnit]) -> list[User]:
    return list(User.objects.filter(handling_units__in=list(units), is_active=True).distinct())


def _notify(users, proposal: Proposal, kind: str, subject, key: str, body="") -> None:
    notification_send(
        users=users,
        kind=kind,
        subject=subject,
        body=body or proposal.title,
        url=proposal.get_absolute_url(),
        key=key,
    )


# --- drafting --------------------------------------------------------------------------------


def proposal_create(
    *,
    session: Session,
    by: User,
    title: str,
    reasons: str = "",
    suggestions: str = "",
    category: Category | None = None,
    proposer: Member | None = None,
    proposer_kind: str = ProposerKind.MEMBER,
    proposer_sector: Sector | None = None,
    proposer_committee: Committee | None = None,
    cosign_deadline: date | None = None,
) -> Proposal:
    """A new draft. A member proposes as themself (``proposer`` defaults to them) or enters
    a collective proposal of a sector, party or committee; staff enter any proposal of their
    council. Only the title is required now; ``proposal_submit`` requires the rest."""
    member = permissions.member_of(by) if permissions.is_member(by) else None
    if not (permissions.is_staff(by) or member):
        raise ProposalPermissionError
    council = session.council
    if not permissions.is_superuser(by) and by.council_id != council.pk:
        raise ProposalPermissionError
    if proposer_kind == ProposerKind.MEMBER:
        proposer = proposer or member
        if proposer is None:
            _refuse(_("Choose the proposing member."), code="proposer")
        if member and not permissions.is_staff(by) and proposer.pk != member.pk:
            raise ProposalPermissionError
        proposer_sector = proposer_committee = None
    elif proposer_kind in (ProposerKind.SECTOR, ProposerKind.PARTY):
        if proposer_sector is None:
            _refuse(_("Choose the proposing sector or party."), code="proposer")
        proposer = proposer_committee = None
    elif proposer_kind == ProposerKind.COMMITTEE:
        if proposer_committee is None:
            _refuse(_("Choose the proposing committee."), code="proposer")
        proposer = proposer_sector = None
    else:
        _refuse(_("Unknown kind of proposer."), code="proposer")
    for obj, label in (
        (proposer, _("The proposer")),
        (proposer_sector, _("The sector")),
        (proposer_committee, _("The committee")),
        (category, _("The category")),
    ):
        _same_council(obj, council, label)
    if proposer is not None and proposer.status != Member.Status.ACTIVE:
        _refuse(_("%(name)s is no longer serving."), code="inactive", name=proposer.name)
    if member and not permissions.is_staff(by):
        _check_speaks_for(member, proposer_sector, proposer_committee)
    with transaction.atomic():
        proposal = Proposal.objects.create(
            council=council,
            session=session,
            title=_text(title, _("Title"), max_length=200),
            reasons=_text(reasons, _("Reasons"), required=False),
            suggestions=_text(suggestions, _("Suggestions"), required=False),
            category=category,
            proposer_kind=proposer_kind,
            proposer=proposer,
            proposer_sector=proposer_sector,
            proposer_committee=proposer_committee,
            submitted_by=by,
            cosign_deadline=cosign_deadline,
        )
        ProposalEvent.objects.create(
            proposal=proposal, actor=by, action="create", to_state=proposal.state, at=timezone.now()
        )
    return proposal


def _check_speaks_for(member: Member, sector: Sector | None, committee: Committee | None) -> None:
    """A member enters a collective proposal only for a body they belong to: their own
    sector or party group (``member.sector``), the special committee they serve on
    (``member.committee``). Staff enter one for any body of their council."""
    if sector is not None and sector.pk != member.sector_id:
        _refuse(
            _("You can only enter a collective proposal for your own sector or party group."),
            code="proposer",
        )
    if committee is not None and committee.pk != member.committee_id:
        _refuse(
            _("You can only enter a committee proposal for the special committee you serve on."),
            code="proposer",
        )


def proposal_update(
    *,
    proposal: Proposal,
    by: User,
    expected_version: int | None = None,
    title=_UNSET,
    reasons=_UNSET,
    suggestions=_UNSET,
    category=_UNSET,
    cosign_deadline=_UNSET,
) -> Proposal:
    """Edit a draft or a proposal returned for revision (proposer only). Fields not given
    stay as they are."""
    with transaction.atomic():
        locked = _act("update", proposal, by, expected_version=expected_version)
        changed = []
        if title is not _UNSET:
            locked.title = _text(title, _("Title"), max_length=200)
            changed.append("title")
        if reasons is not _UNSET:
            locked.reasons = _text(reasons, _("Reasons"), required=False)
            changed.append("reasons")
        if suggestions is not _UNSET:
            locked.suggestions = _text(suggestions, _("Suggestions"), required=False)
            changed.append("suggestions")
        if category is not _UNSET:
            _same_council(category, locked.council, _("The category"))
            locked.category = category
            changed.append("category")
        if cosign_deadline is not _UNSET:
            locked.cosign_deadline = cosign_deadline
            changed.append("cosign_deadline")
        return _record(locked, by, "update", from_state=locked.state, fields=changed)


def attachment_add(*, proposal: Proposal, by: User, file, name: str = "") -> ProposalAttachment:
    """Attach a file to a draft or returned proposal (proposer only)."""
    if file is None:
        _refuse(_("Choose a file."), code="required")
    if getattr(file, "size", 0) > MAX_ATTACHMENT_BYTES:
        _refuse(_("The file is too large (at most 20 MB)."), code="too_large")
    with transaction.atomic():
        locked = _act("update", proposal, by, stale_check=False)
        attachment = ProposalAttachment.objects.create(
            proposal=locked,
            file=file,
            name=_text(name or getattr(file, "name", ""), _("File name"), max_length=200),
            uploaded_by=by,
        )
        _record(locked, by, "attach", from_state=locked.state, note=attachment.name)
    return attachment


def proposal_submit(*, proposal: Proposal, by: User, expected_version: int | None = None) -> Proposal:
    """Hand the draft (or the revised proposal) in to the council (征集)."""
    with transaction.atomic():
        locked = _act("submit", proposal, by, expected_version=expected_version)
        _text(locked.title, _("Title"), max_length=200)
        _text(locked.reasons, _("Reasons"))
        _text(locked.suggestions, _("Suggestions"))
        if locked.category_id is None:
            _refuse(_("Choose a category."), code="required")
        from_state = locked.state
        locked.state = State.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.returned_reason = ""
        return _record(
            locked, by, "submit", from_state=from_state,
            fields=["state", "submitted_at", "returned_reason"],
        )


# --- co-signers ------------------------------------------------------------------------------


def cosigner_invite(
    *, proposal: Proposal, by: User, members: Iterable[Member], deadline: date | None = None
) -> list[CoSigner]:
    """Invite members of the council to co-sign (附议). Inviting someone again changes
    nothing. ``deadline`` (default: a week from today, or the one already set) is when
    invitations close. Each new invitee gets a notice."""
    members = list(members)
    if not members:
        _refuse(_("Choose at least one member to invite."), code="required")
    today = timezone.localdate()
    if deadline is not None and deadline < today:
        _refuse(_("The co-signing deadline cannot be in the past."), code="deadline")
    with transaction.atomic():
        locked = _act("invite", proposal, by, stale_check=False)
        for member in members:
            _same_council(member, locked.council, member.name)
            if member.pk == locked.proposer_id:
                _refuse(_("The proposer cannot co-sign their own proposal."), code="self")
            if member.status != Member.Status.ACTIVE:
                _refuse(_("%(name)s is no longer serving."), code="inactive", name=member.name)
        existing = set(
            CoSigner.objects.filter(proposal=locked, member__in=members).values_list(
                "member_id", flat=True
            )
        )
        new = [CoSigner(proposal=locked, member=m) for m in members if m.pk not in existing]
        CoSigner.objects.bulk_create(new)
        if deadline is not None or locked.cosign_deadline is None:
            locked.cosign_deadline = deadline or today + timedelta(days=DEFAULT_COSIGN_DAYS)
        names = "、".join(c.member.name for c in new)
        _record(locked, by, "invite", from_state=locked.state, note=names, fields=["cosign_deadline"])
        for cosigner in new:
            _notify(
                [cosigner.member.user], locked, "proposal_cosign_invited",
                format_lazy(_("You are invited to co-sign “{title}”"), title=locked.title),
                key=f"proposal-{locked.pk}-cosign-invite-{cosigner.member_id}",
            )
    return list(CoSigner.objects.filter(proposal=locked).select_related("member"))


def cosigner_respond(*, proposal: Proposal, by: User, accept: bool) -> CoSigner:
    """The invited member confirms or declines; they may change their mind until the
    co-signing deadline or until the council starts its review."""
    with transaction.atomic():
        locked = _act("cosign", proposal, by, stale_check=False)
        today = timezone.localdate()
        if locked.cosign_deadline and today > locked.cosign_deadline:
            _refuse(_("The co-signing deadline has passed."), code="deadline")
        cosigner = CoSigner.objects.select_for_update().get(
            proposal=locked, member=permissions.member_of(by)
        )
        cosigner.state = CoSigner.State.CONFIRMED if accept else CoSigner.State.DECLINED
        cosigner.responded_at = timezone.now()
        cosigner.save(update_fields=["state", "responded_at"])
        _record(
            locked, by, "cosign_confirm" if accept else "cosign_decline", from_state=locked.state
        )
    return cosigner


# --- review ----------------------------------------------------------------------------------


def proposal_start_review(
    *, proposal: Proposal, by: User, expected_version: int | None = None
) -> Proposal:
    """Staff take a submitted proposal into review (审查)."""
    with transaction.atomic():
        locked = _act("start_review", proposal, by, expected_version=expected_version)
        locked.state = State.UNDER_REVIEW
        return _record(locked, by, "start_review", from_state=State.SUBMITTED, fields=["state"])


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
        locked = _act("file", proposal, by, expected_version=expected_version)
        if category is not None:
            _same_council(category, locked.council, _("The category"))
            locked.category = category
        if locked.category_id is None:
            _refuse(_("Choose a category."), code="required")
        session = Session.objects.select_for_update().get(pk=locked.session_id)
        session.last_number += 1
        session.save(update_fields=["last_number"])
        locked.number = session.last_number
        locked.state = State.FILED
        locked.filed_at = timezone.now()
        _record(
            locked, by, "file", from_state=State.UNDER_REVIEW, note=_text(note, "", required=False),
            fields=["number", "state", "filed_at", "category"],
        )
        _notify(
            _proposer_users(locked) + _cosigner_users(locked), locked, "proposal_filed",
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
    reason = _text(reason, _("Reason"))
    with transaction.atomic():
        locked = _act("reject", proposal, by, expected_version=expected_version)
        locked.state = State.NOT_FILED
        locked.not_filed_reason = reason
        locked.to_opinion = to_opinion
        _record(
            locked, by, "reject", from_state=State.UNDER_REVIEW, note=reason,
            fields=["state", "not_filed_reason", "to_opinion"],
        )
        _notify_not_filed(locked, reason)
        _release_merged(locked, by, reason)
        return locked


def _notify_not_filed(proposal: Proposal, reason: str) -> None:
    _notify(
        _proposer_users(proposal), proposal, "proposal_not_filed",
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
            _record(other, by, "unmerge", from_state=State.MERGED, note=str(note),
                    fields=["state", "merged_into"])
            continue
        other.state = State.NOT_FILED
        other.not_filed_reason = str(format_lazy(
            _("Merged into “{lead}”, which was not filed: {reason}"), lead=lead.title, reason=reason,
        ))
        other.to_opinion = False
        _record(
            other, by, "reject", from_state=State.MERGED, note=other.not_filed_reason,
            fields=["state", "not_filed_reason", "to_opinion"],
        )
        _notify_not_filed(other, other.not_filed_reason)


def proposal_return(
    *, proposal: Proposal, by: User, reason: str, expected_version: int | None = None
) -> Proposal:
    """Return the proposal to its proposer for revision, with what to change."""
    reason = _text(reason, _("Reason"))
    with transaction.atomic():
        locked = _act("return", proposal, by, expected_version=expected_version)
        locked.state = State.RETURNED
        locked.returned_reason = reason
        _record(
            locked, by, "return", from_state=State.UNDER_REVIEW, note=reason,
            fields=["state", "returned_reason"],
        )
        _notify(
            _proposer_users(locked), locked, "proposal_returned",
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
        _refuse(_("A proposal cannot be merged into itself."), code="merge")
    with transaction.atomic():
        # Lock both rows in id order so that two merges never wait for each other.
        first, second = sorted([proposal, into], key=lambda p: p.pk)
        _lock(first)
        _lock(second)
        locked = _act("merge", proposal, by, expected_version=expected_version)
        lead = _lock(into)
        if lead.session_id != locked.session_id:
            _refuse(_("Only proposals of the same session can be merged."), code="merge")
        if lead.state not in rules.MERGE_LEAD_STATES:
            _refuse(
                _("The lead proposal is “%(state)s” and cannot take others in."),
                code="merge", state=lead.get_state_display(),
            )
        from_state = locked.state
        locked.state = State.MERGED
        locked.merged_into = lead
        _record(
            locked, by, "merge", from_state=from_state, note=note or str(lead),
            fields=["state", "merged_into"],
        )
        _record(lead, by, "merge_lead", from_state=lead.state, note=str(locked))
        # Proposals merged into this one follow it to the new lead: one lead per group, so
        # that the lead's end (closed, not filed) reaches every one of them.
        for child in Proposal.objects.select_for_update().filter(
            merged_into=locked, state=State.MERGED
        ).order_by("pk"):
            child.merged_into = lead
            _record(child, by, "merge", from_state=State.MERGED, note=str(lead), fields=["merged_into"])
            _record(lead, by, "merge_lead", from_state=lead.state, note=str(child))
        return locked


def proposal_note(
    *, proposal: Proposal, by: User, internal_note: str, expected_version: int | None = None
) -> Proposal:
    """Staff's internal note (never shown to members or units)."""
    with transaction.atomic():
        locked = _act("note", proposal, by, expected_version=expected_version, stale_check=False)
        locked.internal_note = _text(internal_note, _("Internal note"), required=False)
        return _record(
            locked, by, "note", from_state=locked.state, internal=True, fields=["internal_note"]
        )


# --- handling --------------------------------------------------------------------------------


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
    if deadline is None or deadline < timezone.localdate():
        _refuse(_("The deadline must be today or later."), code="deadline")
    with transaction.atomic():
        locked = _act("assign", proposal, by, expected_version=expected_version)
        for unit in [lead_unit, *co_units]:
            _same_council(unit, locked.council, unit.name)
            if not unit.active:
                _refuse(_("%(name)s is no longer active."), code="inactive", name=unit.name)
        assignments = Assignment.objects.bulk_create(
            [Assignment(proposal=locked, unit=lead_unit, is_lead=True, deadline=deadline, assigned_by=by)]
            + [Assignment(proposal=locked, unit=u, deadline=deadline, assigned_by=by) for u in co_units]
        )
        locked.state = State.ASSIGNED
        locked.deadline = deadline
        units = "、".join(u.name for u in [lead_unit, *co_units])
        _record(
            locked, by, "assign", from_state=State.FILED,
            note=_text(note, "", required=False) or units, fields=["state", "deadline"],
        )
        for assignment in assignments:
            _notify(
                _unit_users([assignment.unit]), locked, "proposal_assigned",
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
    if deadline is None or deadline < timezone.localdate():
        _refuse(_("The deadline must be today or later."), code="deadline")
    with transaction.atomic():
        locked = _act("set_deadline", proposal, by, expected_version=expected_version)
        active = Assignment.objects.filter(proposal=locked, state=Assignment.State.ACTIVE)
        active.update(deadline=deadline)
        locked.deadline = deadline
        _record(
            locked, by, "set_deadline", from_state=locked.state, note=deadline.isoformat(),
            fields=["deadline"],
        )
        _notify(
            _unit_users(HandlingUnit.objects.filter(assignments__in=active)), locked,
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
    reason = _text(reason, _("Reason"))
    with transaction.atomic():
        locked = _act("send_back", proposal, by, expected_version=expected_version)
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
        _record(
            locked, by, "send_back", from_state=State.ASSIGNED, note=f"{mine.unit}：{reason}",
            fields=["state", "deadline"],
        )
        _notify(
            _staff_users(locked.council), locked, "proposal_sent_back",
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
        _refuse(_("Choose a reply category."), code="required")
    text = _text(text, _("Reply"))
    if attachment is not None and getattr(attachment, "size", 0) > MAX_ATTACHMENT_BYTES:
        _refuse(_("The file is too large (at most 20 MB)."), code="too_large")
    with transaction.atomic():
        locked = _act("reply", proposal, by, expected_version=expected_version)
        lead = Assignment.objects.select_related("unit").get(
            proposal=locked, is_lead=True, state=Assignment.State.ACTIVE
        )
        Reply.objects.create(
            proposal=locked, unit=lead.unit, round=locked.round, category=category, text=text,
            attachment=attachment or "", replied_at=timezone.now(), replied_by=by,
        )
        locked.state = State.REPLIED
        _record(
            locked, by, "reply", from_state=State.ASSIGNED,
            note=str(Reply.Category(category).label), fields=["state"],
        )
        _notify(
            _proposer_users(locked) + _cosigner_users(locked), locked, "proposal_replied",
            format_lazy(
                _("Proposal {number} has a reply: please rate it"), number=locked.display_number
            ),
            key=f"proposal-{locked.pk}-replied-{locked.round}",
        )
        pk = locked.pk
        transaction.on_commit(lambda: proposal_replied.send(sender=Proposal, proposal_id=pk))
        return locked


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
        _refuse(_("Choose a rating."), code="required")
    comment = _text(comment, _("Comment"), required=False)
    with transaction.atomic():
        locked = _act("rate", proposal, by, stale_check=False)
        member = _rating_member(locked, by)
        if Rating.objects.filter(proposal=locked, member=member, round=locked.round).exists():
            _refuse(_("You have already rated this reply."), code="rated")
        Rating.objects.create(
            proposal=locked, member=member, rated_by=by, round=locked.round, value=value,
            comment=comment, rated_at=timezone.now(),
        )
        label = str(Rating.Value(value).label)
        if value == Rating.Value.UNSATISFIED:
            return _rehandle(locked, by, label)
        _record(locked, by, "rate", from_state=locked.state, note=label)
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
    deadline = timezone.localdate() + timedelta(days=DEFAULT_REHANDLE_DAYS)
    lead = Assignment.objects.select_related("unit").get(
        proposal=proposal, is_lead=True, state=Assignment.State.ACTIVE
    )
    Assignment.objects.filter(proposal=proposal, state=Assignment.State.ACTIVE).update(
        deadline=deadline
    )
    proposal.state = State.ASSIGNED
    proposal.round += 1
    proposal.deadline = deadline
    _record(
        proposal, by, "rate", from_state=State.REPLIED, note=label,
        fields=["state", "round", "deadline"],
    )
    subject = format_lazy(
        _("Proposal {number} was rated unsatisfied and goes back to {unit}"),
        number=proposal.display_number, unit=lead.unit.name,
    )
    key = f"proposal-{proposal.pk}-unsatisfied-{proposal.round}"
    _notify(_staff_users(proposal.council), proposal, "proposal_unsatisfied", subject, key=key)
    _notify(_unit_users([lead.unit]), proposal, "proposal_unsatisfied", subject, key=key)
    return proposal


def _close(proposal: Proposal, by: User) -> None:
    now = timezone.now()
    proposal.state = State.CLOSED
    proposal.closed_at = now
    _record(proposal, by, "close", from_state=State.REPLIED, fields=["state", "closed_at"])
    for merged in Proposal.objects.select_for_update().filter(
        merged_into=proposal, state=State.MERGED
    ):
        merged.state = State.CLOSED
        merged.closed_at = now
        _record(merged, by, "close", from_state=State.MERGED, fields=["state", "closed_at"])


# --- deadlines -------------------------------------------------------------------------------


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
        _notify(
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
            staff_of[proposal.council_id] = _staff_users(proposal.council)
        _notify(
            staff_of[proposal.council_id], proposal, "proposal_overdue",
            format_lazy(
                _("Proposal {number} is overdue (deadline {deadline})"),
                number=proposal.display_number, deadline=proposal.deadline.isoformat(),
            ),
            key=f"proposal-{proposal.pk}-overdue-{today.isoformat()}",
        )
        overdue_count += 1
    return due_count, overdue_count

"""Drafting: a member (or staff) writes a proposal, attaches files, invites co-signers
(附议), who answer, and submits it to the council (征集)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from members import permissions
from members.common import clock
from members.models import Committee, Member, Sector, User
from proposals.models import (
    Category,
    CoSigner,
    Proposal,
    ProposalAttachment,
    ProposalEvent,
    ProposerKind,
    Session,
    State,
)
from proposals.services.base import (
    DEFAULT_COSIGN_DAYS,
    UNSET,
    ProposalPermissionError,
    act,
    check_file_size,
    clean_text,
    notify,
    record,
    refuse,
    same_council,
)


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
            refuse(_("Choose the proposing member."), code="proposer")
        if member and not permissions.is_staff(by) and proposer.pk != member.pk:
            raise ProposalPermissionError
        proposer_sector = proposer_committee = None
    elif proposer_kind in (ProposerKind.SECTOR, ProposerKind.PARTY):
        if proposer_sector is None:
            refuse(_("Choose the proposing sector or party."), code="proposer")
        proposer = proposer_committee = None
    elif proposer_kind == ProposerKind.COMMITTEE:
        if proposer_committee is None:
            refuse(_("Choose the proposing committee."), code="proposer")
        proposer = proposer_sector = None
    else:
        refuse(_("Unknown kind of proposer."), code="proposer")
    for obj, label in (
        (proposer, _("The proposer")),
        (proposer_sector, _("The sector")),
        (proposer_committee, _("The committee")),
        (category, _("The category")),
    ):
        same_council(obj, council, label)
    if proposer is not None and proposer.status != Member.Status.ACTIVE:
        refuse(_("%(name)s is no longer serving."), code="inactive", name=proposer.name)
    if member and not permissions.is_staff(by):
        _check_speaks_for(member, proposer_sector, proposer_committee)
    with transaction.atomic():
        proposal = Proposal.objects.create(
            council=council,
            session=session,
            title=clean_text(title, _("Title"), max_length=200),
            reasons=clean_text(reasons, _("Reasons"), required=False),
            suggestions=clean_text(suggestions, _("Suggestions"), required=False),
            category=category,
            proposer_kind=proposer_kind,
            proposer=proposer,
            proposer_sector=proposer_sector,
            proposer_committee=proposer_committee,
            submitted_by=by,
            cosign_deadline=cosign_deadline,
        )
        ProposalEvent.objects.create(
            proposal=proposal, actor=by, action="create", to_state=proposal.state, at=clock.now()
        )
    return proposal


def _check_speaks_for(member: Member, sector: Sector | None, committee: Committee | None) -> None:
    """A member enters a collective proposal only for a body they belong to: their own
    sector or party group (``member.sector``), the special committee they serve on
    (``member.committee``). Staff enter one for any body of their council."""
    if sector is not None and sector.pk != member.sector_id:
        refuse(
            _("You can only enter a collective proposal for your own sector or party group."),
            code="proposer",
        )
    if committee is not None and committee.pk != member.committee_id:
        refuse(
            _("You can only enter a committee proposal for the special committee you serve on."),
            code="proposer",
        )


def proposal_update(
    *,
    proposal: Proposal,
    by: User,
    expected_version: int | None = None,
    title=UNSET,
    reasons=UNSET,
    suggestions=UNSET,
    category=UNSET,
    cosign_deadline=UNSET,
) -> Proposal:
    """Edit a draft or a proposal returned for revision (proposer only). Fields not given
    stay as they are."""
    with transaction.atomic():
        locked = act("update", proposal, by, expected_version=expected_version)
        changed = []
        if title is not UNSET:
            locked.title = clean_text(title, _("Title"), max_length=200)
            changed.append("title")
        if reasons is not UNSET:
            locked.reasons = clean_text(reasons, _("Reasons"), required=False)
            changed.append("reasons")
        if suggestions is not UNSET:
            locked.suggestions = clean_text(suggestions, _("Suggestions"), required=False)
            changed.append("suggestions")
        if category is not UNSET:
            same_council(category, locked.council, _("The category"))
            locked.category = category
            changed.append("category")
        if cosign_deadline is not UNSET:
            locked.cosign_deadline = cosign_deadline
            changed.append("cosign_deadline")
        return record(locked, by, "update", from_state=locked.state, fields=changed)


def attachment_add(*, proposal: Proposal, by: User, file, name: str = "") -> ProposalAttachment:
    """Attach a file to a draft or returned proposal (proposer only)."""
    if file is None:
        refuse(_("Choose a file."), code="required")
    check_file_size(file)
    with transaction.atomic():
        locked = act("update", proposal, by, stale_check=False)
        attachment = ProposalAttachment.objects.create(
            proposal=locked,
            file=file,
            name=clean_text(name or getattr(file, "name", ""), _("File name"), max_length=200),
            uploaded_by=by,
        )
        record(locked, by, "attach", from_state=locked.state, note=attachment.name)
    return attachment


def proposal_submit(*, proposal: Proposal, by: User, expected_version: int | None = None) -> Proposal:
    """Hand the draft (or the revised proposal) in to the council (征集)."""
    with transaction.atomic():
        locked = act("submit", proposal, by, expected_version=expected_version)
        clean_text(locked.title, _("Title"), max_length=200)
        clean_text(locked.reasons, _("Reasons"))
        clean_text(locked.suggestions, _("Suggestions"))
        if locked.category_id is None:
            refuse(_("Choose a category."), code="required")
        from_state = locked.state
        locked.state = State.SUBMITTED
        locked.submitted_at = clock.now()
        locked.returned_reason = ""
        return record(
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
        refuse(_("Choose at least one member to invite."), code="required")
    today = clock.localdate()
    if deadline is not None and deadline < today:
        refuse(_("The co-signing deadline cannot be in the past."), code="deadline")
    with transaction.atomic():
        locked = act("invite", proposal, by, stale_check=False)
        for member in members:
            same_council(member, locked.council, member.name)
            if member.pk == locked.proposer_id:
                refuse(_("The proposer cannot co-sign their own proposal."), code="self")
            if member.status != Member.Status.ACTIVE:
                refuse(_("%(name)s is no longer serving."), code="inactive", name=member.name)
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
        record(locked, by, "invite", from_state=locked.state, note=names, fields=["cosign_deadline"])
        for cosigner in new:
            notify(
                [cosigner.member.user], locked, "proposal_cosign_invited",
                format_lazy(_("You are invited to co-sign “{title}”"), title=locked.title),
                key=f"proposal-{locked.pk}-cosign-invite-{cosigner.member_id}",
            )
    return list(CoSigner.objects.filter(proposal=locked).select_related("member"))


def cosigner_respond(*, proposal: Proposal, by: User, accept: bool) -> CoSigner:
    """The invited member confirms or declines; they may change their mind until the
    co-signing deadline or until the council starts its review."""
    with transaction.atomic():
        locked = act("cosign", proposal, by, stale_check=False)
        today = clock.localdate()
        if locked.cosign_deadline and today > locked.cosign_deadline:
            refuse(_("The co-signing deadline has passed."), code="deadline")
        cosigner = CoSigner.objects.select_for_update().get(
            proposal=locked, member=permissions.member_of(by)
        )
        cosigner.state = CoSigner.State.CONFIRMED if accept else CoSigner.State.DECLINED
        cosigner.responded_at = clock.now()
        cosigner.save(update_fields=["state", "responded_at"])
        record(
            locked, by, "cosign_confirm" if accept else "cosign_decline", from_state=locked.state
        )
    return cosigner

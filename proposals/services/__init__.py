"""Writes of the proposal pipeline: one service per transition, in a module per phase —
``drafting`` (drafts, attachments, co-signers, submitting), ``review`` (filing, not filing,
returning, merging, notes), ``handling`` (assigning, deadlines, sending back, replying),
``rating`` (ratings and closing) and ``deadlines`` (the daily chase). ``base`` holds what
they share. Callers import from here: ``from proposals import services``.

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

from proposals.services.base import (
    DEFAULT_COSIGN_DAYS,
    DEFAULT_HANDLING_MONTHS,
    DEFAULT_REHANDLE_DAYS,
    MAX_ATTACHMENT_BYTES,
    MAX_TEXT,
    ProposalConflictError,
    ProposalPermissionError,
    ProposalStateError,
    default_deadline,
)
from proposals.services.deadlines import deadlines_chase
from proposals.services.drafting import (
    attachment_add,
    cosigner_invite,
    cosigner_respond,
    proposal_create,
    proposal_submit,
    proposal_update,
)
from proposals.services.handling import (
    assignment_send_back,
    proposal_assign,
    proposal_reply,
    proposal_set_deadline,
)
from proposals.services.rating import proposal_rate, raters
from proposals.services.review import (
    proposal_file,
    proposal_merge,
    proposal_note,
    proposal_reject,
    proposal_return,
    proposal_start_review,
)

__all__ = [
    "DEFAULT_COSIGN_DAYS",
    "DEFAULT_HANDLING_MONTHS",
    "DEFAULT_REHANDLE_DAYS",
    "MAX_ATTACHMENT_BYTES",
    "MAX_TEXT",
    "ProposalConflictError",
    "ProposalPermissionError",
    "ProposalStateError",
    "assignment_send_back",
    "attachment_add",
    "cosigner_invite",
    "cosigner_respond",
    "deadlines_chase",
    "default_deadline",
    "proposal_assign",
    "proposal_create",
    "proposal_file",
    "proposal_merge",
    "proposal_note",
    "proposal_rate",
    "proposal_reject",
    "proposal_reply",
    "proposal_return",
    "proposal_set_deadline",
    "proposal_start_review",
    "proposal_submit",
    "proposal_update",
    "raters",
]

"""The proposal pipeline (提案): sessions, categories and handling units (reference data),
proposals with their co-signers and attachments, assignments to handling units, replies,
ratings and the event timeline.

Reads are QuerySet methods (``Proposal.objects.visible_to(user).to_assign()``); every write
goes through ``proposals.services``.
"""

from proposals.models.handling import Assignment, ProposalEvent, Rating, Reply
from proposals.models.proposal import (
    CoSigner,
    Proposal,
    ProposalAttachment,
    ProposalQuerySet,
    ProposerKind,
    State,
)
from proposals.models.reference import Category, HandlingUnit, Session
from proposals.models.similar import ProposalTerm, ProposalTermCount
from proposals.models.tally import ProposalTally

__all__ = [
    "Assignment",
    "Category",
    "CoSigner",
    "HandlingUnit",
    "Proposal",
    "ProposalAttachment",
    "ProposalEvent",
    "ProposalQuerySet",
    "ProposalTerm",
    "ProposalTermCount",
    "ProposalTally",
    "ProposerKind",
    "Rating",
    "Reply",
    "Session",
    "State",
]

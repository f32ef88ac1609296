"""Pages of the proposal pipeline: one module per audience (member, staff, unit) and the
proposal itself (detail, print)."""

from proposals.views.detail import proposal_detail, proposal_print
from proposals.views.lookups import cosigner_lookup, unit_lookup
from proposals.views.member import (
    cosign_respond,
    filed_list,
    my_list,
    proposal_create,
    proposal_edit,
    proposal_invite,
    proposal_rate,
    proposal_submit,
)
from proposals.views.similar import similar_lookup
from proposals.views.staff import (
    proposal_assign,
    proposal_deadline,
    proposal_file,
    proposal_merge,
    proposal_note,
    proposal_reject,
    proposal_return,
    proposal_review,
    register,
    register_export,
    staff_proposal_create,
    staff_queues,
)
from proposals.views.unit import proposal_reply, proposal_send_back, unit_list

__all__ = [
    "cosign_respond",
    "filed_list",
    "my_list",
    "proposal_assign",
    "proposal_create",
    "proposal_deadline",
    "proposal_detail",
    "proposal_edit",
    "proposal_file",
    "proposal_invite",
    "proposal_merge",
    "proposal_note",
    "proposal_print",
    "proposal_rate",
    "proposal_reject",
    "proposal_reply",
    "proposal_return",
    "proposal_review",
    "proposal_send_back",
    "proposal_submit",
    "register",
    "register_export",
    "similar_lookup",
    "staff_proposal_create",
    "staff_queues",
    "unit_list",
    "cosigner_lookup",
    "unit_lookup",
]

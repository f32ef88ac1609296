"""Keeping ``ProposalTally`` (a council's session's proposals per state and outcome) in the
transaction of every write of a proposal.

A write recounts the tally of the proposal's council and session from its proposals (one
GROUP BY over a session's proposals, a few thousand at most) rather than adding and
subtracting: a count recomputed from the rows cannot drift, whatever path changed them.
Recounts of one session are serialised (a row lock on the session), so two writers'
transactions never interleave their delete and insert. What the tally depends on is the
proposal's council, session, state, number (filed or not) and outcome columns: a save that
changes none of them (``update_fields`` without them) recounts nothing.

``rebuild`` recounts every session (``rollups_rebuild``); a test checks that the tally equals
the proposals after every kind of write.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.signals import post_delete, post_save

from proposals.models import Proposal, ProposalTally, Session

COUNTED = frozenset(
    {"council", "council_id", "session", "session_id", "state", "number", "latest_reply",
     "counted_rating"}
)


def recount(pairs) -> None:
    """Recount the tally of each (council id, session id) in ``pairs``."""
    for council_id, session_id in sorted(set(pairs)):
        with transaction.atomic():
            # The lock serialises two recounts of the session (a delete then an insert each).
            if not Session.objects.select_for_update().filter(pk=session_id).exists():
                continue  # the session is being deleted: its tally goes with it
            ProposalTally.objects.filter(council_id=council_id, session_id=session_id).delete()
            groups = (
                Proposal.objects.filter(council_id=council_id, session_id=session_id).order_by()
                .annotate(_filed=Q(number__isnull=False))
                .values_list("state", "_filed", "latest_reply", "counted_rating")
                .annotate(n=Count("pk"))
            )
            ProposalTally.objects.bulk_create(
                ProposalTally(council_id=council_id, session_id=session_id, state=state,
                              filed=filed, latest_reply=reply, counted_rating=rating, proposals=n)
                for state, filed, reply, rating, n in groups
            )


def rebuild(council: int | None = None) -> int:
    """Recount the tally of every session (of ``council`` only, if given); the number of
    (council, session) recounted."""
    proposals, tallies = Proposal.objects.order_by(), ProposalTally.objects.order_by()
    if council is not None:
        proposals, tallies = proposals.filter(council_id=council), tallies.filter(council_id=council)
    pairs = set(proposals.values_list("council_id", "session_id").distinct())
    with transaction.atomic():
        # Tallies of a (council, session) that has no proposal any more go too.
        stale = set(tallies.values_list("council_id", "session_id").distinct())
        for council_id, session_id in stale - pairs:
            ProposalTally.objects.filter(council_id=council_id, session_id=session_id).delete()
        recount(pairs)
    return len(pairs)


def _saved(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and not (set(update_fields) & COUNTED):
        return
    pairs = {(instance.council_id, instance.session_id)}
    loaded = getattr(instance, "_tally_pair", None)  # where it was counted when read
    if loaded is not None:
        pairs.add(loaded)
    recount(pairs)
    instance._tally_pair = (instance.council_id, instance.session_id)


def _deleted(sender, instance, **kwargs):
    recount({(instance.council_id, instance.session_id)})


def outcome_changed(proposal_id: int) -> None:
    """The outcome columns of a proposal changed by an UPDATE (``proposals.outcome``), which
    sends no signal."""
    pair = Proposal.objects.filter(pk=proposal_id).values_list("council_id", "session_id").first()
    if pair is not None:
        recount({pair})


def connect() -> None:
    post_save.connect(_saved, sender=Proposal, dispatch_uid="proposal-tally-save")
    post_delete.connect(_deleted, sender=Proposal, dispatch_uid="proposal-tally-delete")

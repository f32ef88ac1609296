"""Keeping ``ProposalTerm`` (each proposal's words and their weights) current.

A save of a proposal that may change its words (its title, reasons, suggestions or council;
a save without ``update_fields``) rewrites the proposal's rows in the save's transaction, as
``proposals.tally`` does for the counts; a deleted proposal's rows go with it (cascade).
Saves of other columns (a state, a number, a deadline) leave them alone.

``rebuild`` rewrites the rows of every proposal (``manage.py similar_rebuild``; the migration
that made the table filled it the same way): idempotent, a second run writes the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models.signals import post_save

from proposals.models import Proposal, ProposalTerm
from proposals.similarity.terms import weights

INDEXED = frozenset({"title", "reasons", "suggestions", "council", "council_id"})
TEXT_FIELDS = ("pk", "council_id", "title", "reasons", "suggestions")
BATCH = 500


def body_of(reasons: str, suggestions: str) -> str:
    return f"{reasons}\n{suggestions}"


def _rows(term_model, pk, council_id, title, reasons, suggestions):
    return [
        term_model(council_id=council_id, proposal_id=pk, term=term, weight=weight)
        for term, weight in weights(title, body_of(reasons, suggestions)).items()
    ]


def _rewrite(texts: Iterable[tuple], term_model=ProposalTerm) -> int:
    """Replace the rows of the proposals in ``texts`` (tuples of ``TEXT_FIELDS``)."""
    texts = list(texts)
    rows = [row for text in texts for row in _rows(term_model, *text)]
    with transaction.atomic():
        term_model.objects.filter(proposal_id__in=[text[0] for text in texts]).delete()
        term_model.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def reindex(proposal: Proposal) -> None:
    """Rewrite one proposal's words from the values it holds."""
    _rewrite([(proposal.pk, proposal.council_id, proposal.title, proposal.reasons,
               proposal.suggestions)])


def rebuild(council: int | None = None, *, proposal_model=Proposal, term_model=ProposalTerm) -> int:
    """Rewrite the words of every proposal (of ``council`` only, if given), a batch of
    proposals per transaction; the number of proposals indexed. The models may be a
    migration's historical ones."""
    proposals = proposal_model.objects.order_by("pk")
    if council is not None:
        proposals = proposals.filter(council_id=council)
    done, last = 0, 0
    while True:
        batch = list(proposals.filter(pk__gt=last).values_list(*TEXT_FIELDS)[:BATCH])
        if not batch:
            return done
        _rewrite(batch, term_model)
        done += len(batch)
        last = batch[-1][0]


def _saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:  # loaddata: the dump brings the proposal's words along
        return
    if update_fields is not None and not (set(update_fields) & INDEXED):
        return
    reindex(instance)


def connect() -> None:
    post_save.connect(_saved, sender=Proposal, dispatch_uid="proposal-similarity-save")

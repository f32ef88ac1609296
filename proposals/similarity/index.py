"""Keeping ``ProposalTerm`` (each proposal's words and their weights) current.

A save of a proposal that may change its words (its title, reasons, suggestions or council;
a save without ``update_fields``) rewrites the proposal's rows in the save's transaction, as
``proposals.tally`` does for the counts, and moves ``ProposalTermCount`` (how many proposals
of the council hold each word) by the words it gained and lost; a deleted proposal's rows go
with it (cascade), its words' counts down by one. Saves of other columns (a state, a
number, a deadline) leave them alone.

``rebuild`` rewrites the rows of every proposal and counts the words anew
(``manage.py similar_rebuild``; the migration that made the tables filled them the same way):
idempotent, a second run writes the same rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, F
from django.db.models.signals import post_save, pre_delete

from proposals.models import Proposal, ProposalTerm, ProposalTermCount
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


def _rewrite(texts: Iterable[tuple], term_model=ProposalTerm, count_model=ProposalTermCount,
             *, counted: bool = True) -> int:
    """Replace the rows of the proposals in ``texts`` (tuples of ``TEXT_FIELDS``) and, if
    ``counted``, move the words' counts by what changed."""
    texts = list(texts)
    ids = [text[0] for text in texts]
    rows = [row for text in texts for row in _rows(term_model, *text)]
    with transaction.atomic():
        old = term_model.objects.filter(proposal_id__in=ids)
        change = Counter((row.council_id, row.term) for row in rows)
        if counted:
            change.subtract(Counter(old.values_list("council_id", "term")))
        old.delete()
        term_model.objects.bulk_create(rows, batch_size=BATCH)
        if counted:
            _count(count_model, {key: n for key, n in change.items() if n})
    return len(rows)


def _count(count_model, change: dict[tuple[int, str], int]) -> None:
    """Add ``change`` (council id, word) → n to the words' counts. The rows are locked in
    one order (council, word) first, so two writers of common words never deadlock."""
    count_model.objects.bulk_create(
        [count_model(council_id=c, term=t, proposals=0) for (c, t), n in change.items() if n > 0],
        ignore_conflicts=True, batch_size=BATCH,
    )
    by_step: dict[tuple[int, int], list[str]] = {}
    for (council, term), n in sorted(change.items()):
        by_step.setdefault((council, n), []).append(term)
    for council in sorted({council for council, _n in by_step}):
        terms = sorted(t for (c, _n), ts in by_step.items() if c == council for t in ts)
        list(count_model.objects.select_for_update().filter(council_id=council, term__in=terms)
             .order_by("term").values_list("pk", flat=True))
    for (council, n), terms in by_step.items():
        count_model.objects.filter(council_id=council, term__in=terms).update(
            proposals=F("proposals") + n
        )


def recount(council: int | None = None, *, term_model=ProposalTerm,
            count_model=ProposalTermCount) -> None:
    """Count the words' proposals anew from the index (of ``council`` only, if given)."""
    terms, counts = term_model.objects.order_by(), count_model.objects.all()
    if council is not None:
        terms, counts = terms.filter(council_id=council), counts.filter(council_id=council)
    groups = terms.values_list("council_id", "term").annotate(n=Count("*"))
    with transaction.atomic():
        counts.delete()
        count_model.objects.bulk_create(
            (count_model(council_id=c, term=t, proposals=n) for c, t, n in groups.iterator()),
            batch_size=5000,
        )


def reindex(proposal: Proposal) -> None:
    """Rewrite one proposal's words from the values it holds."""
    _rewrite([(proposal.pk, proposal.council_id, proposal.title, proposal.reasons,
               proposal.suggestions)])


def rebuild(council: int | None = None, *, proposal_model=Proposal, term_model=ProposalTerm,
            count_model=ProposalTermCount) -> int:
    """Rewrite the words of every proposal (of ``council`` only, if given), a batch of
    proposals per transaction, then count the words anew; the number of proposals indexed.
    The models may be a migration's historical ones."""
    proposals = proposal_model.objects.order_by("pk")
    if council is not None:
        proposals = proposals.filter(council_id=council)
    done, last = 0, 0
    while True:
        batch = list(proposals.filter(pk__gt=last).values_list(*TEXT_FIELDS)[:BATCH])
        if not batch:
            break
        _rewrite(batch, term_model, counted=False)
        done += len(batch)
        last = batch[-1][0]
    recount(council, term_model=term_model, count_model=count_model)
    return done


def _deleting(sender, instance, **kwargs):
    """The proposal's rows go with it (cascade); its words' counts go down first."""
    held = ProposalTerm.objects.filter(proposal_id=instance.pk).values_list("council_id", "term")
    _count(ProposalTermCount, dict.fromkeys(held, -1))


def _saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:  # loaddata: the dump brings the proposal's words along
        return
    if update_fields is not None and not (set(update_fields) & INDEXED):
        return
    reindex(instance)


def connect() -> None:
    post_save.connect(_saved, sender=Proposal, dispatch_uid="proposal-similarity-save")
    pre_delete.connect(_deleting, sender=Proposal, dispatch_uid="proposal-similarity-delete")

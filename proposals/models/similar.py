"""The word index of the proposals, for finding similar ones (并案, a matter answered before).

One row per (proposal, word) with the word's weight in the proposal
(``proposals.similarity.terms``); rewritten in the transaction of every write of a
proposal's title or text (``proposals.similarity.index``). How rare a word is in a council
(its idf) is counted from these rows when a search asks, over the index on (council, term):
the same SQL on SQLite and PostgreSQL."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from members.models import Council
from proposals.models.proposal import Proposal


class ProposalTerm(models.Model):
    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="+", db_index=False,
        verbose_name=_("council"),
    )
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="terms", db_index=False,
        verbose_name=_("proposal"),
    )
    term = models.CharField(_("word"), max_length=30)
    weight = models.FloatField(_("weight"))

    class Meta:
        verbose_name = _("proposal word")
        verbose_name_plural = _("proposal words")
        constraints = [
            # Also the index a proposal's rows are rewritten by.
            models.UniqueConstraint(fields=["proposal", "term"], name="proposalterm_unique_term"),
        ]
        indexes = [
            # A word's postings in a council, with what a search sums (index-only on PostgreSQL).
            models.Index(fields=["council", "term", "proposal", "weight"], name="proposalterm_lookup"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.term} {self.weight:.2f}"


class ProposalTermCount(models.Model):
    """How many proposals of a council hold a word (its document frequency, for the idf):
    kept with ``ProposalTerm`` in the same transaction, so a search reads one row per word
    instead of counting the word's rows (thousands, for a common word)."""

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="+", db_index=False,
        verbose_name=_("council"),
    )
    term = models.CharField(_("word"), max_length=30)
    proposals = models.IntegerField(_("proposals"))

    class Meta:
        verbose_name = _("proposal word count")
        verbose_name_plural = _("proposal word counts")
        constraints = [
            models.UniqueConstraint(fields=["council", "term"], name="proposaltermcount_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.council_id}: {self.term} {self.proposals}"

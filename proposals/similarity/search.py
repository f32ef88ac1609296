"""The proposals of a council most like a text (BM25 over the word index).

``similar_proposals`` asks three queries (four when a proposal is left out) and then reads
the rows it found:
1. how many proposals of the council hold each word of the text (``ProposalTermCount``: the
   words' idf), less the proposal left out (its own words, read from the index);
2. how many proposals the council has (the N of the idf);
3. the score of every proposal holding one of the text's rarest words — a sum over their
   rows in the index on (council, term) — and the best ``limit × OVERFETCH`` of them;
4. those of them the reader may see, with their session and latest reply: the first
   ``limit`` are listed.

A word found in most of the council's proposals weighs almost nothing; only the
``MAX_QUERY_WORDS`` words that weigh most in the text are looked up, and none held by more
than ``COMMON_SHARE`` of a big council's proposals, so that a long text costs no more than a
short one and a stock phrase costs nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Case, F, FloatField, OuterRef, Subquery, Sum, Value, When

from proposals.models import Proposal, ProposalTerm, ProposalTermCount, Reply, State
from proposals.similarity.terms import weights

MAX_QUERY_WORDS = 24
# A word held by more than this share of a council's proposals (and by more than
# COMMON_FLOOR of them) is not looked up: it tells little (its idf is low) and its rows are
# most of a search's cost — at 20,000 proposals a stock word has thousands. A text of such
# words only is looked up by its MIN_QUERY_WORDS rarest.
COMMON_SHARE = 0.05
COMMON_FLOOR = 200
MIN_QUERY_WORDS = 4
# Characters of a text's body read for a search: a proposal states its matter early, and a
# pasted 20,000-character text would take jieba a noticeable time on every keystroke pause.
MAX_QUERY_BODY = 4000
LIMIT = 5
# A proposal is listed when its score is at least this share of the text's score against
# itself: below it, the words in common are incidental.
MIN_SHARE = 0.08
# The council's best LIMIT × OVERFETCH are scored; the first LIMIT of them the reader may see
# are listed (a member sees the filed ones and their own).
OVERFETCH = 8


@dataclass(frozen=True)
class Query:
    """A text's words, weighted by how much they weigh in it and how rare they are."""

    weights: dict[str, float]  # word → weight in the text × idf
    best: float  # the text's score against itself

    def __bool__(self) -> bool:
        return bool(self.weights)


def query_for(council_id: int, title: str, body: str, exclude: int | None = None) -> Query:
    """The words of ``title`` and ``body`` worth looking up in ``council_id``'s proposals
    (queries 1 and 2), counted among the proposals other than ``exclude`` (the one being
    read, whose own words would otherwise count as found): a word no other proposal holds
    is left out, so a text is measured against what it can share."""
    text = weights(title, body[:MAX_QUERY_BODY])
    if not text:
        return Query({}, 0.0)
    held = dict(
        ProposalTermCount.objects.filter(council_id=council_id, term__in=list(text))
        .values_list("term", "proposals")
    )
    total = Proposal.objects.filter(council_id=council_id).count()
    if exclude is not None:
        total -= 1
        for term in ProposalTerm.objects.filter(proposal_id=exclude, term__in=list(held)) \
                .values_list("term", flat=True):
            held[term] -= 1
    held = {term: n for term, n in held.items() if n > 0}
    if not held:
        return Query({}, 0.0)
    scored = {
        term: text[term] * math.log(1 + (total - n + 0.5) / (n + 0.5)) for term, n in held.items()
    }
    ranked = sorted(scored, key=lambda term: (-scored[term], term))
    common = max(COMMON_FLOOR, COMMON_SHARE * total)
    chosen = [term for term in ranked if held[term] <= common][:MAX_QUERY_WORDS]
    if len(chosen) < MIN_QUERY_WORDS:  # a text of common words only: its rarest ones
        chosen = ranked[:MIN_QUERY_WORDS]
    return Query(
        {term: scored[term] for term in chosen},
        sum(scored[term] * text[term] for term in chosen),
    )


def ranked_ids(council_id: int, query: Query, *, exclude: int | None = None,
               limit: int = LIMIT * OVERFETCH) -> list[tuple[int, float]]:
    """(proposal id, share of the best score) of the council's ``limit`` best (query 3),
    best first. Who may read them is the caller's to filter: joined here, the reader's
    proposals were read whole (a member's reach is an OR over four conditions) for every
    search."""
    if not query:
        return []
    boost = Case(
        *(When(term=term, then=Value(weight)) for term, weight in query.weights.items()),
        output_field=FloatField(),
    )
    rows = (
        ProposalTerm.objects.filter(council_id=council_id, term__in=list(query.weights))
        .values("proposal_id")
        .annotate(score=Sum(F("weight") * boost))
        .order_by("-score", "-proposal_id")
    )
    if exclude is not None:
        rows = rows.exclude(proposal_id=exclude)
    floor = query.best * MIN_SHARE
    return [
        (row["proposal_id"], row["score"] / query.best)
        for row in rows[:limit]
        if row["score"] >= floor
    ]


def listed_to(user):
    """The proposals ``user`` may see listed as similar: those they may read, drafts left
    out (a draft is nobody's business but its proposer's until it is handed in)."""
    return Proposal.objects.visible_to(user).exclude(state=State.DRAFT)


def similar_proposals(*, user, council_id: int, title: str, body: str,
                      exclude: int | None = None, limit: int = LIMIT) -> list[Proposal]:
    """The proposals of council ``council_id`` that ``user`` may see and that are most like
    ``title`` and ``body``, best first, each with ``similarity`` (0–1, against the text
    itself), ``reply_text`` (its latest reply, or None) and ``reply_label`` (its category)."""
    query = query_for(council_id, title, body, exclude)
    found = ranked_ids(council_id, query, exclude=exclude, limit=limit * OVERFETCH)
    if not found:
        return []
    latest_reply = Reply.objects.filter(proposal=OuterRef("pk")).order_by("-round", "-id")
    rows = (
        listed_to(user).filter(pk__in=[pk for pk, _share in found])
        .select_related("session")
        .annotate(reply_text=Subquery(latest_reply.values("text")[:1]))
        .in_bulk()
    )
    labels = dict(Reply.Category.choices)
    listed = []
    for pk, share in found:
        proposal = rows.get(pk)
        if proposal is not None:
            proposal.similarity = share
            proposal.reply_label = labels.get(proposal.latest_reply, "")
            listed.append(proposal)
    return listed[:limit]

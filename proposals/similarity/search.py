"""The proposals of a council most like a text (BM25 over the word index).

``similar_proposals`` asks three queries and then reads the rows it found:
1. how many proposals of the council hold each word of the text (the words' idf);
2. how many proposals the council has (the N of the idf);
3. the score of every proposal holding one of the text's rarest words — a sum over their
   rows in the index on (council, term) — the best ``limit`` among the proposals the
   viewer may see.

A word found in most of the council's proposals weighs almost nothing; only the
``MAX_QUERY_WORDS`` words that weigh most in the text are looked up, so that a long text
costs no more than a short one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Case, Count, F, FloatField, OuterRef, Subquery, Sum, Value, When

from proposals.models import Proposal, ProposalTerm, Reply, State
from proposals.similarity.terms import weights

MAX_QUERY_WORDS = 24
# Characters of a text's body read for a search: a proposal states its matter early, and a
# pasted 20,000-character text would take jieba a noticeable time on every keystroke pause.
MAX_QUERY_BODY = 4000
LIMIT = 5
# A proposal is listed when its score is at least this share of the text's score against
# itself: below it, the words in common are incidental.
MIN_SHARE = 0.08


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
    postings = ProposalTerm.objects.filter(council_id=council_id, term__in=list(text))
    proposals = Proposal.objects.filter(council_id=council_id)
    if exclude is not None:
        postings, proposals = postings.exclude(proposal_id=exclude), proposals.exclude(pk=exclude)
    held = dict(postings.values_list("term").annotate(n=Count("*")).order_by())
    if not held:
        return Query({}, 0.0)
    total = proposals.count()
    scored = {
        term: text[term] * math.log(1 + (total - n + 0.5) / (n + 0.5)) for term, n in held.items()
    }
    chosen = sorted(scored, key=lambda term: (-scored[term], term))[:MAX_QUERY_WORDS]
    return Query(
        {term: scored[term] for term in chosen},
        sum(scored[term] * text[term] for term in chosen),
    )


def ranked_ids(council_id: int, query: Query, candidates, *, exclude: int | None = None,
               limit: int = LIMIT) -> list[tuple[int, float]]:
    """(proposal id, share of the best score) of the ``limit`` best among ``candidates``
    (query 3), best first."""
    if not query:
        return []
    boost = Case(
        *(When(term=term, then=Value(weight)) for term, weight in query.weights.items()),
        output_field=FloatField(),
    )
    rows = (
        ProposalTerm.objects.filter(
            council_id=council_id, term__in=list(query.weights),
            proposal_id__in=candidates.values("pk"),
        )
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
    found = ranked_ids(council_id, query, listed_to(user), exclude=exclude, limit=limit)
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
    return listed

"""A proposal's outcome as the dashboard and the register's filters count it, kept on the
proposal (``Proposal.latest_reply``, ``Proposal.counted_rating``) by every write of a reply
or a rating, in the same transaction (the receivers below, connected in ``apps.py``): the
figures then group a province's proposals by two columns, where looking up each proposal's
replies and ratings read them all again on every uncached dashboard.

``refresh`` recomputes the columns from the rows; ``rollups_rebuild`` runs it for every
proposal, and a test checks that the columns equal the rows after every kind of write."""

from __future__ import annotations

from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save

from proposals import tally
from proposals.models import Proposal, Rating, Reply


def latest_reply() -> Subquery:
    """The category of the proposal's latest reply (``OuterRef("pk")``: the proposal)."""
    replies = Reply.objects.filter(proposal=OuterRef("pk")).order_by("-round")
    return Subquery(replies.values("category")[:1])


def counted_rating() -> Subquery:
    """The rating a proposal counts with: of its latest rated round, the lowest of its raters'
    ratings — so one 不满意 among the proposer and co-signers makes the round unsatisfied,
    and a re-handled proposal counts with its new round's rating once that is rated."""
    severity = Case(
        When(value=Rating.Value.UNSATISFIED, then=Value(0)),
        When(value=Rating.Value.BASICALLY, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    ratings = Rating.objects.filter(proposal=OuterRef("pk")).order_by("-round", severity)
    return Subquery(ratings.values("value")[:1])


def refresh(proposals) -> int:
    """Recompute the outcome columns of ``proposals`` (a queryset) from their rows."""
    return proposals.update(
        latest_reply=Coalesce(latest_reply(), Value("")),
        counted_rating=Coalesce(counted_rating(), Value("")),
    )


def _written(sender, instance, **kwargs):
    """A reply or rating was saved or deleted: recompute its proposal's columns, on the row
    and on the proposal object the writer holds (a service saves that again afterwards,
    with ``update_fields``, so it must not carry the old values back)."""
    values = (
        Proposal.objects.filter(pk=instance.proposal_id)
        .annotate(_reply=Coalesce(latest_reply(), Value("")),
                  _rating=Coalesce(counted_rating(), Value("")))
        .values("_reply", "_rating").first()
    )
    if values is None:  # the proposal itself is being deleted
        return
    Proposal.objects.filter(pk=instance.proposal_id).update(
        latest_reply=values["_reply"], counted_rating=values["_rating"]
    )
    tally.outcome_changed(instance.proposal_id)
    if type(instance).proposal.is_cached(instance):
        instance.proposal.latest_reply = values["_reply"]
        instance.proposal.counted_rating = values["_rating"]


def connect() -> None:
    for model in (Reply, Rating):
        post_save.connect(_written, sender=model, dispatch_uid=f"outcome-{model.__name__}-save")
        post_delete.connect(_written, sender=model, dispatch_uid=f"outcome-{model.__name__}-delete")

"""Handling of a filed proposal: assignments to units, replies, ratings, and the timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.common import clock
from members.common.choices import label_of
from members.models import Member
from proposals.models.proposal import Proposal
from proposals.models.reference import HandlingUnit


class Assignment(models.Model):
    """交办: a proposal given to one unit, the lead (主办) or a co-handling unit (协办)."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Handling")
        SENT_BACK = "sent_back", _("Sent back")
        DONE = "done", _("Closed after handling")  # the proposal was closed (办结)

    # The units that handle or handled a proposal: they keep seeing it after it closes.
    HANDLED = ("active", "done")

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("proposal")
    )
    unit = models.ForeignKey(
        HandlingUnit, on_delete=models.PROTECT, related_name="assignments",
        verbose_name=_("handling unit"),
    )
    is_lead = models.BooleanField(_("lead unit"), default=False)
    deadline = models.DateField(_("deadline"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    returned_reason = models.TextField(_("reason for sending back"), blank=True)
    assigned_at = models.DateTimeField(_("assigned"), default=clock.now, editable=False)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("assigned by"),
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-is_lead", "id"]
        indexes = [models.Index(fields=["unit", "state", "deadline"])]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal"], condition=Q(is_lead=True, state="active"),
                name="assignment_one_active_lead",
            ),
            models.UniqueConstraint(
                fields=["proposal", "unit"], condition=Q(state="active"),
                name="assignment_unit_once",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["active", "sent_back", "done"]),
                name="assignment_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.proposal_id}"


def _reply_upload_to(instance, filename: str) -> str:
    return f"proposals/{instance.proposal_id}/replies/{filename}"


class Reply(models.Model):
    """答复: the lead unit's answer in one handling round."""

    class Category(models.TextChoices):
        A = "A", _("A · Solved")
        B = "B", _("B · Being solved")
        C = "C", _("C · Planned")
        D = "D", _("D · For reference")

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="replies", verbose_name=_("proposal")
    )
    unit = models.ForeignKey(
        HandlingUnit, on_delete=models.PROTECT, related_name="replies", verbose_name=_("handling unit")
    )
    round = models.PositiveSmallIntegerField(_("handling round"))
    category = models.CharField(_("reply category"), max_length=1, choices=Category.choices)
    text = models.TextField(_("reply"))
    attachment = models.FileField(_("attachment"), upload_to=_reply_upload_to, blank=True, db_index=True)
    replied_at = models.DateTimeField(_("replied"))
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("replied by"),
    )

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["round", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "round"], name="reply_one_per_round"),
            models.CheckConstraint(
                condition=Q(category__in=["A", "B", "C", "D"]), name="reply_category_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} · {self.category}"


class Rating(models.Model):
    """评价: the proposer's or a confirmed co-signer's rating of the reply of one round.
    ``member`` is empty for a collective proposer (a sector, party or committee), whose
    rating its submitter records. The comment is personal: shown to staff, the unit and
    the rater only."""

    class Value(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        BASICALLY = "basically", _("Basically satisfied")
        UNSATISFIED = "unsatisfied", _("Unsatisfied")

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("proposal")
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="proposal_ratings",
        verbose_name=_("member"),
    )
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("rated by"),
    )
    round = models.PositiveSmallIntegerField(_("handling round"))
    value = models.CharField(_("rating"), max_length=12, choices=Value.choices)
    comment = models.TextField(_("comment"), blank=True)
    rated_at = models.DateTimeField(_("rated"))

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["round", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "member", "round"], name="rating_once_per_round"
            ),
            models.UniqueConstraint(
                fields=["proposal", "round"], condition=Q(member__isnull=True),
                name="rating_collective_once_per_round",
            ),
            models.CheckConstraint(
                condition=Q(value__in=["satisfied", "basically", "unsatisfied"]),
                name="rating_value_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member or self.proposal_id} · {self.get_value_display()}"

    def get_value_display(self) -> str:
        # Django's, without translating every value's label to find this one's (the
        # register shows each row's ratings).
        return label_of(self.Value, self.value)


class ProposalEvent(models.Model):
    """One step on a proposal's timeline: who, when, from → to, what, and why.
    ``internal`` events (and notes) are shown to council staff only."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="events", verbose_name=_("proposal")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=20)
    from_state = models.CharField(_("from"), max_length=15, blank=True)
    to_state = models.CharField(_("to"), max_length=15, blank=True)
    note = models.TextField(_("note"), blank=True)
    internal = models.BooleanField(_("staff only"), default=False)
    at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("proposal event")
        verbose_name_plural = _("proposal events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["proposal", "at"])]

    def __str__(self) -> str:
        return f"{self.proposal_id} · {self.action}"

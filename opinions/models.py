"""社情民意信息 (public-opinion reports) and the decision each council takes on them.

A member writes a ``Report``; it starts in the queue of the member's council. Each council the
report reaches gets one ``ReportRouting`` row: received, then decided — forwarded to the parent
council (a new routing there), adopted (采用) at this level, or not used (with a reason). Leaders'
instructions (批示) on an adopted report are ``Instruction`` rows of that level's routing. The
report keeps where it is now (``current_council``) and what came of it (state, adopted at,
instructed at) so lists, figures and duty points read one row, not the chain; the services
(``opinions.services``) change both together.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from activities.models import ContactLog
from members import permissions
from members.common.querysets import CouncilScopedQuerySet
from members.models import Council, Member


class ReportQuerySet(CouncilScopedQuerySet):
    """Staff and leaders: the reports of their council and its subtree — a city's reach holds
    every report its districts forwarded to it. Members: their own. Nobody else."""

    def visible_to(self, user):
        if permissions.can_read_council(user):
            return self.in_reach_of(user)
        if permissions.is_member(user):
            return self.filter(member=permissions.member_of(user))
        return self.none()

    def for_list(self):
        return self.select_related("member", "council", "current_council")

    def queue_of(self, council_id: int):
        """Awaiting a decision of ``council_id``'s office."""
        return self.filter(state=Report.State.PENDING, current_council_id=council_id)


class Report(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting a decision")
        ADOPTED = "adopted", _("Adopted")
        NOT_USED = "not_used", _("Not used")

    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="opinion_reports",
        verbose_name=_("originating council"),
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="opinion_reports", verbose_name=_("author"),
    )
    # No database constraint: the contact logs are partitioned on PostgreSQL and can be
    # referenced only through (id, contacted_at) (docs/PARTITIONING.md).
    contact_log = models.ForeignKey(
        ContactLog, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("from the contact"), db_constraint=False,
    )
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("report"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.PENDING)
    # The council whose office decides now (the originating one, then each one above).
    current_council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="+", verbose_name=_("now at"),
    )
    times_forwarded = models.PositiveSmallIntegerField(_("times forwarded"), default=0)
    submitted_at = models.DateTimeField(_("submitted"))
    adopted_at = models.DateTimeField(_("adopted"), null=True, blank=True)
    instructed_at = models.DateTimeField(_("first instruction recorded"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"))
    # Two offices' staff editing the same report: the second is told it changed meanwhile.
    version = models.PositiveIntegerField(default=1)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("public-opinion report")
        verbose_name_plural = _("public-opinion reports")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["council", "submitted_at"], name="opinionreport_council_time"),
            models.Index(fields=["current_council", "state"], name="opinionreport_queue"),
            models.Index(fields=["member", "submitted_at"], name="opinionreport_member_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=["pending", "adopted", "not_used"]),
                                   name="opinionreport_state_valid"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("opinions:report-detail", args=[self.pk])

    @property
    def instructed(self) -> bool:
        return self.instructed_at is not None


class ReportRouting(models.Model):
    """One council's handling of a report: when it arrived and what the office decided."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Awaiting a decision")
        FORWARDED = "forwarded", _("Forwarded to the council above")
        ADOPTED = "adopted", _("Adopted")
        NOT_USED = "not_used", _("Not used")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="routings",
                               verbose_name=_("report"))
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("council"))
    received_at = models.DateTimeField(_("received"))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices,
                                default=Decision.PENDING)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("decided by"),
    )
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("handling of a report")
        verbose_name_plural = _("handlings of reports")
        ordering = ["received_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "council"], name="reportrouting_once_per_council"),
            models.CheckConstraint(
                condition=Q(decision__in=["pending", "forwarded", "adopted", "not_used"]),
                name="reportrouting_decision_valid",
            ),
            # Not used always says why.
            models.CheckConstraint(condition=~Q(decision="not_used") | ~Q(reason=""),
                                   name="reportrouting_not_used_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.report} @ {self.council}"


class Instruction(models.Model):
    """批示: a leader's written instruction on a report adopted at ``routing``'s council."""

    routing = models.ForeignKey(ReportRouting, on_delete=models.CASCADE,
                                related_name="instructions", verbose_name=_("level"))
    leader = models.CharField(_("leader"), max_length=50,
                              help_text=_("Who gave the instruction, e.g. 市委副书记 李某某."))
    text = models.TextField(_("instruction"))
    given_on = models.DateField(_("date of the instruction"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("leader's instruction")
        verbose_name_plural = _("leaders' instructions")
        ordering = ["given_on", "pk"]

    def __str__(self) -> str:
        return f"{self.leader}: {self.text[:30]}"

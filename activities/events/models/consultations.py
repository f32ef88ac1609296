"""Consultation sessions (协商议事) with their photos and the problems they raised, followed
until resolved (or found not solvable)."""

from __future__ import annotations

from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from activities.common.photos import Photo
from members import permissions
from members.common.querysets import CouncilScopedQuerySet
from members.models import Council, Member, Platform, Sector, User


class ConsultationQuerySet(CouncilScopedQuerySet):
    def visible_to(self, user):
        """Staff and leaders read the council's sessions; a member those they took part in."""
        if permissions.can_read_council(user):
            return self.in_reach_of(user)
        member = permissions.member_of(user) if permissions.is_member(user) else None
        if member is not None:
            return self.filter(members=member)
        return self.none()

    def for_list(self):
        return self.select_related("platform").annotate(
            member_count=Count("members", distinct=True),
            problem_count=Count("problems", distinct=True),
            resolved_count=Count(
                "problems", filter=Q(problems__state="resolved"), distinct=True
            ),
        )


class Consultation(models.Model):
    """协商议事: a session where members, officials and constituents discuss a local issue."""

    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="consultations", verbose_name=_("council")
    )
    topic = models.CharField(_("topic"), max_length=200)
    held_on = models.DateField(_("held on"))
    platform = models.ForeignKey(
        Platform,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultations",
        verbose_name=_("platform"),
    )
    host = models.CharField(_("host"), max_length=100, blank=True)
    members = models.ManyToManyField(
        Member, blank=True, related_name="consultations", verbose_name=_("participating members")
    )
    # The sectors whose members are involved: they get the "before a consultation"
    # must-visit reminder with the participating members.
    sectors = models.ManyToManyField(
        Sector, blank=True, related_name="consultations", verbose_name=_("sectors involved")
    )
    officials_count = models.PositiveIntegerField(_("officials"), default=0)
    officials_names = models.TextField(_("officials' names and units"), blank=True)
    constituents_count = models.PositiveIntegerField(_("constituents"), default=0)
    constituents_names = models.TextField(_("constituents' names"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    # The proposal the session's outcome went into (proposals know nothing of activities).
    proposal = models.ForeignKey(
        "proposals.Proposal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("became proposal"),
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-held_on", "-id"]
        indexes = [
            models.Index(fields=["council", "held_on"]),
            models.Index(fields=["platform", "held_on"]),
        ]

    def __str__(self) -> str:
        return self.topic

    def get_absolute_url(self) -> str:
        return reverse("activities:consultation-detail", args=[self.pk])


class ConsultationPhoto(Photo):
    owner_field, upload_folder = "consultation", "consultations"

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="photos",
        verbose_name=_("consultation"),
    )

    class Meta(Photo.Meta):
        verbose_name = _("consultation photo")
        verbose_name_plural = _("consultation photos")


class ProblemQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(consultation__in=Consultation.objects.visible_to(user))

    def solved(self):
        return self.filter(state=Problem.State.RESOLVED)


class Problem(models.Model):
    """A problem raised at a consultation, followed until it is resolved (or found not solvable)."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        RESOLVED = "resolved", _("Resolved")
        NOT_SOLVABLE = "not_solvable", _("Not solvable")

    # Which state may follow which; resolved and not solvable are final.
    TRANSITIONS = {
        "open": {"in_progress", "resolved", "not_solvable"},
        "in_progress": {"resolved", "not_solvable"},
        "resolved": set(),
        "not_solvable": set(),
    }

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="problems",
        verbose_name=_("consultation"),
    )
    description = models.TextField(_("problem"))
    raised_by = models.CharField(_("raised by"), max_length=100, blank=True)
    responsible_unit = models.CharField(_("responsible unit"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.OPEN)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    proposal = models.ForeignKey(
        "proposals.Proposal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("became proposal"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["consultation", "id"]
        indexes = [models.Index(fields=["consultation", "state"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["open", "in_progress", "resolved", "not_solvable"]),
                name="problem_state_valid",
            ),
            # A resolved problem always says how and when.
            models.CheckConstraint(
                condition=~Q(state="resolved") | (~Q(resolution="") & Q(resolved_on__isnull=False)),
                name="problem_resolved_has_resolution",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:50]

    def can_become(self, state: str) -> bool:
        return state in self.TRANSITIONS.get(self.state, set())

    @property
    def next_states(self) -> list[tuple[str, str]]:
        return [(value, label) for value, label in self.State.choices if self.can_become(value)]

"""Reference data of the proposal work: plenary sessions, categories, handling units."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.common import clock
from members.common.querysets import CouncilOwnedQuerySet
from members.models import Council


class SessionQuerySet(CouncilOwnedQuerySet):
    def current(self):
        return self.filter(is_current=True)


class Session(models.Model):
    """A plenary session (届次/会次), e.g. 十届四次. Proposals are collected for one session and
    numbered within it; ``last_number`` is the numbering counter (locked when filing)."""

    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="proposal_sessions",
        verbose_name=_("council"),
    )
    term = models.PositiveSmallIntegerField(_("term"), help_text=_("e.g. 10 for the 10th committee"))
    number = models.PositiveSmallIntegerField(_("session number"), help_text=_("e.g. 4 for the 4th plenary"))
    name = models.CharField(_("name"), max_length=30, help_text=_("e.g. 十届四次"))
    opened_on = models.DateField(_("opening day"))
    closes_on = models.DateField(_("closing day"), null=True, blank=True)
    is_current = models.BooleanField(_("current"), default=False)
    # Only ``services.proposal_file`` changes it, under a row lock on this session.
    last_number = models.PositiveIntegerField(_("last proposal number"), default=0, editable=False)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("plenary session")
        verbose_name_plural = _("plenary sessions")
        ordering = ["-term", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["council", "term", "number"], name="session_unique_number"),
            models.UniqueConstraint(
                fields=["council"], condition=Q(is_current=True), name="session_one_current"
            ),
            models.CheckConstraint(
                condition=Q(closes_on__isnull=True) | Q(closes_on__gte=models.F("opened_on")),
                name="session_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        """The current session is the latest one opened: new proposals go to it, and the
        dashboards and lists read it. One opened later (up to today) refuses the flag here;
        a session planned for a later day does not."""
        super().clean()
        if not (self.is_current and self.council_id and self.opened_on):
            return
        later = (
            Session.objects.filter(
                council_id=self.council_id, opened_on__gt=self.opened_on,
                opened_on__lte=clock.localdate(),
            )
            .exclude(pk=self.pk)
            .order_by("-opened_on")
            .first()
        )
        if later is not None:
            raise ValidationError({"is_current": _(
                "%(later)s opened after this session: the latest opened session is the "
                "current one."
            ) % {"later": later.name}})


class Category(models.Model):
    """A proposal category (经济, 农业农村, …): editable data per council."""

    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="proposal_categories",
        verbose_name=_("council"),
    )
    name = models.CharField(_("name"), max_length=30)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    objects = CouncilOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal category")
        verbose_name_plural = _("proposal categories")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="category_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


DEFAULT_CATEGORIES = ["经济", "农业农村", "社会民生", "教育", "文化", "生态环境", "法治", "其他"]


class HandlingUnit(models.Model):
    """承办单位: a government department that answers the proposals assigned to it. Its logins
    are users with ``role == "unit"`` linked here (the members app knows nothing of units)."""

    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="handling_units",
        verbose_name=_("council"),
    )
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="handling_units",
        limit_choices_to={"role": "unit"}, verbose_name=_("logins"),
    )

    objects = CouncilOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("handling unit")
        verbose_name_plural = _("handling units")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="handlingunit_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

"""What the liaison app keeps of its own: the duty-points scheme (履职积分) of each council.

Everything else the dashboards and reports show is read from the other apps.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from members.common.querysets import CouncilOwnedQuerySet
from members.models import Council


class DutyScheme(models.Model):
    """How many points each kind of duty earns a member, with an optional cap per item.

    A cap limits the points of one item in the period (e.g. contacts count up to 30
    points), so that one kind of work cannot outweigh all the others. Empty: no cap.
    """

    # (item key, the count it multiplies, label): the order of the explanation tables.
    ITEMS = [
        ("contact", _("Contact with constituents")),
        ("visit", _("Must-visit done on time")),
        ("filed", _("Proposal led and filed")),
        ("cosigned", _("Proposal co-signed")),
        ("activity", _("Activity attended")),
        ("consultation", _("Consultation attended")),
        ("report", _("Public-opinion report submitted")),
        ("adopted", _("Public-opinion report adopted")),
        ("instructed", _("Public-opinion report with a leader's instruction")),
    ]

    council = models.OneToOneField(
        Council, on_delete=models.CASCADE, related_name="duty_scheme", verbose_name=_("council")
    )
    contact_points = models.PositiveSmallIntegerField(_("points per contact"), default=1)
    contact_cap = models.PositiveIntegerField(_("cap for contacts"), null=True, blank=True)
    visit_points = models.PositiveSmallIntegerField(
        _("points per must-visit done on time"), default=2
    )
    visit_cap = models.PositiveIntegerField(_("cap for must-visits"), null=True, blank=True)
    filed_points = models.PositiveSmallIntegerField(_("points per proposal filed"), default=5)
    filed_cap = models.PositiveIntegerField(_("cap for proposals filed"), null=True, blank=True)
    cosigned_points = models.PositiveSmallIntegerField(_("points per co-signed proposal"), default=2)
    cosigned_cap = models.PositiveIntegerField(
        _("cap for co-signed proposals"), null=True, blank=True
    )
    activity_points = models.PositiveSmallIntegerField(_("points per activity attended"), default=2)
    activity_cap = models.PositiveIntegerField(_("cap for activities"), null=True, blank=True)
    consultation_points = models.PositiveSmallIntegerField(
        _("points per consultation attended"), default=3
    )
    consultation_cap = models.PositiveIntegerField(
        _("cap for consultations"), null=True, blank=True
    )
    # 社情民意信息 (opinions): submitted, adopted at any level, given a leader's instruction.
    report_points = models.PositiveSmallIntegerField(_("points per report submitted"), default=1)
    report_cap = models.PositiveIntegerField(_("cap for reports submitted"), null=True, blank=True)
    adopted_points = models.PositiveSmallIntegerField(_("points per report adopted"), default=3)
    adopted_cap = models.PositiveIntegerField(_("cap for reports adopted"), null=True, blank=True)
    instructed_points = models.PositiveSmallIntegerField(
        _("points per report with an instruction"), default=5
    )
    instructed_cap = models.PositiveIntegerField(
        _("cap for reports with an instruction"), null=True, blank=True
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("updated by"),
    )

    objects = CouncilOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("duty points scheme")
        verbose_name_plural = _("duty points schemes")

    def __str__(self) -> str:
        return str(self.council)

    def rules(self) -> list[tuple[str, str, int, int | None]]:
        """(key, label, points per unit, cap or None) for every item, in display order."""
        return [
            (key, label, getattr(self, f"{key}_points"), getattr(self, f"{key}_cap"))
            for key, label in self.ITEMS
        ]


# The QR intake's tables (liaison.intake): models of this app, defined in their own module.
from liaison.intake.models import BlockedPhone, IntakeLink, Submission  # noqa: E402

__all__ = ["BlockedPhone", "DutyScheme", "IntakeLink", "Submission"]

"""How far the daily sweep has looked, per rule: its watermark."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from activities.reminders.models.rules import MustVisitRule


class SweepMark(models.Model):
    """What the last sweep of a rule read, so that the next one reads only what changed since:
    the rows written after ``looked_at`` (less a look-back, ``sweep.LOOK_BACK``) and, for the
    rules that time makes due, the days after ``swept_on``.

    ``fingerprint`` is the rule's parameters when it was swept: a rule edited since (its days,
    windows or sectors) no longer matches and is swept whole again. ``occasions`` holds the
    same for each running campaign of a campaign rule (campaign id → its dates and sectors):
    a campaign not in it — its start event lost, or edited — is swept whole.

    Derived data: deleting a mark costs one full sweep of its rule, nothing else.
    """

    rule = models.OneToOneField(
        MustVisitRule, on_delete=models.CASCADE, primary_key=True, related_name="sweep_mark",
        verbose_name=_("rule"),
    )
    fingerprint = models.CharField(_("rule parameters"), max_length=64)
    swept_on = models.DateField(_("swept on"))
    looked_at = models.DateTimeField(_("looked at"))
    occasions = models.JSONField(_("occasions swept"), default=dict, blank=True)

    class Meta:
        verbose_name = _("sweep watermark")
        verbose_name_plural = _("sweep watermarks")

    def __str__(self) -> str:
        return f"{self.rule_id} · {self.swept_on}"

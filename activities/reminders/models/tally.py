"""The must-visit figures the dashboards read (``ReminderTally``), kept by the database."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from activities.common.tallies import Period, PeriodTallyQuerySet
from members.models import Council


class ReminderTally(models.Model):
    """Reminders of one council that came due on one day, or in one month, by the state the
    dashboards count: ``due`` (done or overdue), ``on_time`` (done by the due day) and
    ``overdue``. Open and dismissed reminders count nowhere.

    The province's ~600,000 reminders of two years are ~8,000 rows here: the dashboard's
    must-visit figures read a few hundred of them (the period's whole months and the days at
    its ends, ``in_period``) instead of counting every reminder of the reach.

    Kept equal to the reminders by triggers on the reminder table (migration 0023), not by
    the services: every write counts — the sweep's ``INSERT … SELECT``, the overdue mark, a
    contact closing reminders, a dismissal, a consultation moved, and the cascades when a
    member, constituent or rule is deleted. On PostgreSQL one trigger per statement sums the
    statement's changed rows (its transition tables) into one ``INSERT … ON CONFLICT DO
    UPDATE`` of increments; on SQLite a trigger per row does the same. ``TRUNCATE`` empties
    the tally. ``reminder_tally_rebuild`` (the nightly rollups job) recounts it.

    The dashboard narrowed by a sector or a committee counts the reminders themselves: the
    member's sector and committee are not in the tally, and one sector's reminders are few.
    """

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="reminder_tallies",
        verbose_name=_("council"),
    )
    period = models.CharField(_("period"), max_length=1, choices=Period.choices)
    start = models.DateField(_("first day"))
    # Signed, as the contact counts: a trigger's decrement never fails a write where a row had
    # drifted (the rebuild puts it right).
    due = models.IntegerField(_("came due"), default=0)
    on_time = models.IntegerField(_("done on time"), default=0)
    overdue = models.IntegerField(_("overdue"), default=0)

    # Read by whole months and the days at a period's ends, as the contact tally.
    objects = PeriodTallyQuerySet.as_manager()

    class Meta:
        verbose_name = _("must-visit tally")
        verbose_name_plural = _("must-visit tallies")
        constraints = [
            models.UniqueConstraint(fields=["council", "period", "start"],
                                    name="remindertally_grain_unique"),
        ]
        indexes = [
            # A city's or province's councils at once.
            models.Index(fields=["period", "start"], name="remindertally_period"),
        ]

    def __str__(self) -> str:
        return f"{self.council_id} · {self.period}{self.start}: {self.due}"

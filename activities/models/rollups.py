"""Rollups: contact logs counted per day, so that dashboards do not group the raw logs.

A ``ContactDay`` row holds how many logs (and constituent contacts) a council recorded on
one local day (Asia/Shanghai) through one channel, by members of one sector and special
committee, at one platform. It is derived data: ``activities.rollups`` keeps it current in
the transaction that writes a log and rebuilds it from the logs (nightly, or on demand), and
the tests check that it equals the aggregate over the raw logs.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from members import permissions
from members.models import Council

# The grain's "none" (no special committee, no platform). Not NULL: a unique constraint
# treats NULLs as distinct on both PostgreSQL and SQLite, and the upsert needs one row.
NONE = 0


class ContactDayQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Council-wide figures: staff and leaders of the council (and of its parents)."""
        if permissions.can_read_council(user):
            return self.filter(permissions.council_q(user))
        return self.none()


class ContactDay(models.Model):
    """Contact logs of one council, day, channel, sector, special committee and platform.

    ``sector_id``, ``committee_id`` and ``platform_id`` are plain ids (``NONE`` for no
    committee or platform): the member's sector and committee at the time the row was last
    counted or rebuilt, and the platform of the log.
    """

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="contact_days", verbose_name=_("council")
    )
    day = models.DateField(_("day"))
    channel = models.CharField(_("channel"), max_length=10)
    sector_id = models.IntegerField(_("sector id"))
    committee_id = models.IntegerField(_("special committee id"), default=NONE)
    platform_id = models.IntegerField(_("platform id"), default=NONE)
    logs = models.PositiveIntegerField(_("contact logs"), default=0)
    constituent_contacts = models.PositiveIntegerField(_("constituents reached"), default=0)

    objects = ContactDayQuerySet.as_manager()

    class Meta:
        verbose_name = _("daily contact count")
        verbose_name_plural = _("daily contact counts")
        constraints = [
            models.UniqueConstraint(
                fields=["council", "day", "channel", "sector_id", "committee_id", "platform_id"],
                name="contactday_grain_unique",
            ),
        ]
        indexes = [
            # The per-platform figures (the unique index serves council + period).
            models.Index(fields=["platform_id", "day"], name="contactday_platform_day"),
        ]

    def __str__(self) -> str:
        return f"{self.council_id} · {self.day} · {self.channel}: {self.logs}"

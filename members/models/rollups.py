"""The roster tally: what the dashboards count of members and constituents, kept per council,
sector and special committee so that a dashboard reads tens of rows instead of a million.

Derived data, like ``activities.ContactDay``: ``members.rollups`` keeps it equal to the rows
in the transaction of every write that changes them, and rebuilds it from them (nightly, or
``manage.py rollups_rebuild``); the tests check that it equals the raw aggregate.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from members.common.querysets import CouncilFiguresQuerySet
from members.models.council import Council

# The grain's "no special committee". Not NULL: a unique constraint treats NULLs as distinct
# on both PostgreSQL and SQLite, and the upsert needs one row (as ``ContactDay`` does).
NONE = 0


class RosterTally(models.Model):
    """Serving members, those of them missing "两个1", and active constituents of one council,
    sector and special committee.

    The members are counted by their own sector and committee; the constituents by the
    constituent's sector and the committee of the member who keeps them — the same fields the
    dashboard's filters and the lists they link to use. ``sector_id`` and ``committee_id`` are
    plain ids (``NONE``: no committee).
    """

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="roster_tallies", verbose_name=_("council")
    )
    sector_id = models.IntegerField(_("sector id"))
    committee_id = models.IntegerField(_("special committee id"), default=NONE)
    members = models.IntegerField(_("serving members"), default=0)
    members_missing = models.IntegerField(_("serving members missing \"two ones\""), default=0)
    constituents = models.IntegerField(_("active constituents"), default=0)

    objects = CouncilFiguresQuerySet.as_manager()

    class Meta:
        verbose_name = _("roster tally")
        verbose_name_plural = _("roster tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["council", "sector_id", "committee_id"], name="rostertally_grain_unique"
            ),
        ]
        indexes = [
            # A dashboard row per sector or committee sums its own rows.
            models.Index(fields=["sector_id"], name="rostertally_sector"),
            models.Index(fields=["committee_id"], name="rostertally_committee"),
        ]

    def __str__(self) -> str:
        return f"{self.council_id} · {self.sector_id} · {self.committee_id}"

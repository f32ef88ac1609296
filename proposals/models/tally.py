"""How many proposals of a council's session are in each state and outcome: what the
dashboards and the period report count when they are not narrowed by sector or committee
(a province's current sessions are a few hundred rows here, where its proposals are tens of
thousands). Kept in the transaction of every write of a proposal (``proposals.tally``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from members.common.querysets import CouncilFiguresQuerySet
from members.models import Council
from proposals.models.reference import Session


class ProposalTally(models.Model):
    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="+", verbose_name=_("council")
    )
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="+", verbose_name=_("session")
    )
    state = models.CharField(_("state"), max_length=15)
    filed = models.BooleanField(_("filed"))
    latest_reply = models.CharField(_("latest reply's category"), max_length=1, blank=True)
    counted_rating = models.CharField(_("rating counted"), max_length=12, blank=True)
    proposals = models.PositiveIntegerField(_("proposals"))

    objects = CouncilFiguresQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal tally")
        verbose_name_plural = _("proposal tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["council", "session", "state", "filed", "latest_reply", "counted_rating"],
                name="proposaltally_grain_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.council_id}/{self.session_id} {self.state}: {self.proposals}"

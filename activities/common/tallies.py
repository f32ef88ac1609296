"""What the dashboards' tallies by period share: the contact tally
(``activities.ContactTally``) and the must-visit tally (``activities.ReminderTally``) each
hold a row per council and day and a row per council and month, read back by
``PeriodTallyQuerySet.in_period``."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.common.querysets import CouncilFiguresQuerySet


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_after(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


class Period(models.TextChoices):
    DAY = "d", _("day")
    MONTH = "m", _("month")


def period_ranges(date_from: date | None, date_to: date | None) -> list[tuple[str, date | None, date | None]]:
    """The tally rows that add up to the period (both ends inclusive, None: unbounded), as
    ``(period, first, end)``: rows of that period whose ``start`` is at or after ``first`` and
    before ``end`` (None: unbounded) — the monthly rows of its whole months and the daily rows
    of the days at its ends. ``PeriodTallyQuerySet.in_period`` filters by them, and the
    dashboard's statements written in SQL (``liaison.dashboard.sql``) write the same."""
    first = date_from and (date_from if date_from.day == 1 else month_after(date_from))
    end = date_to and month_after(date_to)  # the month after the last one, whole or not
    if date_to and end - timedelta(days=1) != date_to:
        end = month_start(date_to)  # the last month is not whole: its days count
    after = date_to and date_to + timedelta(days=1)
    if first and end and first >= end:  # no whole month: days only
        return [(Period.DAY, date_from, after)]
    ranges = [(Period.MONTH, first or None, end or None)]
    if date_from and first != date_from:
        ranges.append((Period.DAY, date_from, first))
    if date_to and end <= date_to:
        ranges.append((Period.DAY, end, after))
    return ranges


class PeriodTallyQuerySet(CouncilFiguresQuerySet):
    def in_period(self, date_from: date | None, date_to: date | None):
        """The rows that add up to the period (both ends inclusive, None: unbounded): the
        monthly rows of its whole months and the daily rows of the days at its ends
        (``period_ranges``)."""
        q = Q(pk__in=[])
        for period, first, end in period_ranges(date_from, date_to):
            bounds = Q(period=period)
            if first:
                bounds &= Q(start__gte=first)
            if end:
                bounds &= Q(start__lt=end)
            q |= bounds
        return self.filter(q)

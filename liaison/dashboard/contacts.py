"""The dashboard's contact figures, from the contact rollups, never from the logs.

Not narrowed by sector or committee, a figure sums ``ContactTally`` — the logs per council
and month (and per day at the ends of a period that is not whole months) along one
dimension: a few thousand rows for a province's two years. Narrowed, it sums the daily
counts of that sector or committee (``ContactDay``, read through their indexes): every
dimension at once, but only that sector's or committee's rows.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import DateField, F, Sum, Value
from django.db.models.functions import TruncMonth

from activities.contacts.models import NONE
from activities.models import Channel, ContactDay, ContactTally
from liaison.dashboard.scope import Params, Scope

CHANNELS = [value for value, _label in Channel.choices]


def tally(scope: Scope, params: Params, dimension: str):
    """The tally rows of ``dimension`` that add up to the period, in scope."""
    return (
        scope.rows(ContactTally).filter(dimension=dimension)
        .in_period(params.date_from, params.date_to)
    )


def _days(scope: Scope, params: Params):
    return scope.rows(ContactDay).filter(params.span("day", is_datetime=False))


def _grouped(rows, part: str, *, month=None, channel=None, item=None):
    """One part of the UNION: (part, month, channel, item id, logs)."""
    return (
        rows.order_by()
        .annotate(
            _part=Value(part),
            _month=month if month is not None else Value(None, output_field=DateField()),
            _channel=channel if channel is not None else Value(""),
            _item=item if item is not None else Value(NONE),
        )
        .values_list("_part", "_month", "_channel", "_item")
        .annotate(_n=Sum("logs"))
    )


def contact_figures(scope: Scope, params: Params, breakdown: Scope | None = None) -> dict:
    """Contacts in the period, in one query (a UNION ALL of three GROUP BYs):

    - per month and channel, narrowed by sector and committee (the trend and the by-channel
      figures);
    - per sector, narrowed by committee only (a sector row is that sector's);
    - per committee, narrowed by sector only.

    ``breakdown``: the councils whose sector and committee rows are shown (on a roll-up,
    the viewed council's own), when fewer than ``scope``'s.
    """
    sector, committee = params.sector_id, params.committee_id
    breakdown = breakdown or scope
    if sector or committee:
        trend = _grouped(_days(scope, params).filter(params.by("sector_id", "committee_id")),
                         "trend", month=TruncMonth("day"), channel=F("channel"))
    else:
        trend = _grouped(tally(scope, params, ContactTally.Dimension.CHANNEL), "trend",
                         month=TruncMonth("start"), channel=F("channel"))
    if committee:
        sectors = _grouped(_days(breakdown, params).filter(committee_id=committee), "sector",
                           item=F("sector_id"))
    else:
        sectors = _grouped(tally(breakdown, params, ContactTally.Dimension.SECTOR), "sector",
                           item=F("item_id"))
    if sector:
        committees = _grouped(_days(breakdown, params).filter(sector_id=sector), "committee",
                              item=F("committee_id"))
    else:
        committees = _grouped(tally(breakdown, params, ContactTally.Dimension.COMMITTEE),
                              "committee", item=F("item_id"))
    months: dict[tuple[str, str], int] = defaultdict(int)
    by_channel = dict.fromkeys(CHANNELS, 0)
    per_sector: dict[int, int] = defaultdict(int)
    per_committee: dict[int | None, int] = defaultdict(int)
    for part, month, channel, item, n in trend.union(sectors, committees, all=True):
        if part == "trend":
            months[(month.strftime("%Y-%m"), channel)] += n
            by_channel[channel] = by_channel.get(channel, 0) + n
        elif part == "sector":
            per_sector[item] += n
        else:
            per_committee[None if item == NONE else item] += n
    return {
        "months": [{"month": m, "channel": c, "n": n} for (m, c), n in sorted(months.items())],
        "by_channel": by_channel,
        "per_sector": dict(per_sector),
        "per_committee": dict(per_committee),
    }

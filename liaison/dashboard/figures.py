"""The dashboard's figures, each one SQL aggregate (conditional counts, one query per model).

``dashboard_data(scope, params)`` returns plain data (ids, keys, numbers, ISO months) so that
it can be cached; labels and links are added by the view. Query count is fixed: it does not
grow with the number of rows, sectors, platforms or months. The statements are written once
in SQL (``liaison.dashboard.sql``: built through the ORM, they cost more CPU to build than to
run); this module puts their answers together, and keeps the ORM's querysets that other
pages filter by (``activity_rows``, for the report).
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef

from activities.models import Activity
from liaison.dashboard import sql
from liaison.dashboard.breakdowns import (
    committee_rows,
    council_rows,
    council_tallies,
    platform_rows,
    proposals_per_council,
    sector_rows,
)
from liaison.dashboard.scope import Params, Scope
from liaison.dashboard.sql import (  # the figures written in SQL, read by the report too
    activity_figures,
    activity_groups,
    contact_figures,
    intake_figures,
    proposal_groups,
    reminder_figures,
    tag_figures,
)
from members.models import Platform
from proposals.models import Rating, Reply
from proposals.models import State as ProposalState

PLATFORM_KINDS = [value for value, _label in Platform.Kind.choices]
REPLY_CATEGORIES = [value for value, _label in Reply.Category.choices]
RATING_VALUES = [value for value, _label in Rating.Value.choices]


# --- choices of the filter bar: one UNION query ---------------------------------------------


def reference(scope: Scope, root_id: int | None = None) -> dict:
    """Sessions, sectors and committees in scope, and every council the user reaches (for the
    drill-down), in one UNION query written in SQL (``sql.reference_rows``: every dashboard
    request reads them, cached figures or not). ``root_id``: the council the dashboard shows,
    whose own sectors and committees alone the filters offer (on a roll-up, a child council's
    are on its dashboard; without children, the scope holds no other council's). A province
    read its councils' 330 sectors and 88 committees to keep 30 and 8."""
    result = {"session": [], "sector": [], "committee": [], "council": []}
    for kind, pk, name, a, b, extra in sql.reference_rows(scope, root_id):
        result[kind].append({"id": pk, "name": name, "a": a, "b": b, "extra": extra})
    for kind in result:
        result[kind].sort(key=lambda row: (row["a"], row["b"], row["name"], row["id"]))
    return result


# --- headline figures -----------------------------------------------------------------------


def roster_figures(scope: Scope, params: Params) -> dict:
    """Serving members, the "两个1" gaps (no zone, or no active constituent) and active
    constituents: one sum over the roster tally (``members.RosterTally``, kept equal to the
    rows by every write), tens of rows where the rosters hold a million. The sector filter
    is the member's sector for members and the constituent's for constituents, as the lists
    behind the figures filter them. Written in SQL (``sql.roster_figures``)."""
    return sql.roster_figures(scope, params)


def contact_months(scope: Scope, params: Params) -> list[dict]:
    """Contacts per month and channel, narrowed by sector and committee (for the report)."""
    return contact_figures(scope, params, scope)["months"]


def proposal_figures(scope: Scope, params: Params, groups: list[tuple] | None = None) -> dict:
    """Collected, filed, closed; the latest reply's category; proposals by rating, summed
    from ``proposal_groups`` (read here unless given)."""
    counts = dict.fromkeys(["collected", "filed", "closed"], 0)
    counts.update({f"reply_{c}": 0 for c in REPLY_CATEGORIES})
    counts.update({f"rating_{v}": 0 for v in RATING_VALUES})
    if groups is None:
        groups = proposal_groups(scope, params)
    for state, filed, reply, rating, *_council, n in groups:
        counts["collected"] += n if state != ProposalState.DRAFT else 0
        counts["filed"] += n if filed else 0
        counts["closed"] += n if state == ProposalState.CLOSED else 0
        if reply in REPLY_CATEGORIES:
            counts[f"reply_{reply}"] += n
        if rating in RATING_VALUES:
            counts[f"rating_{rating}"] += n
    return counts


def consultation_figures(scope: Scope, params: Params) -> dict:
    """Consultations held in the period and the problems they raised and solved (in SQL:
    ``sql.consultation_figures``)."""
    return sql.consultation_figures(scope, params)


def activity_rows(scope: Scope, params: Params):
    """Activities held in the period, narrowed by one of their sectors and the organising
    committee: the report's list (the figures count the same rows: ``sql.held``)."""
    qs = (
        scope.rows(Activity)
        .filter(state=Activity.State.HELD)
        .filter(params.span("starts_at", is_datetime=True))
    )
    if params.sector_id:
        qs = qs.filter(
            Exists(
                Activity.sectors.through.objects.filter(
                    activity_id=OuterRef("pk"), sector_id=params.sector_id
                )
            )
        )
    if params.committee_id:
        qs = qs.filter(committee_id=params.committee_id)
    return qs


def opinion_figures(scope: Scope, params: Params) -> dict:
    """社情民意信息 of the councils in scope submitted in the period (narrowed by the author's
    sector and committee): where they stand, how many went up, were adopted at some level,
    received a leader's instruction. One aggregate query written in SQL
    (``sql.opinion_figures``); the report list filters alike."""
    return sql.opinion_figures(scope, params)


def dashboard_data(scope: Scope, params: Params, *, root_id: int | None, has_children: bool) -> dict:
    """Every figure of the dashboard as plain data (cacheable).

    The headline figures, charts and the roll-up table cover the whole reach. Sectors,
    committees and platforms belong to one council each, so on a roll-up (``has_children``)
    their tables hold the viewed council's own rows; each child council's are on its own
    dashboard, one click down the roll-up table. A province listed all of them at once:
    ~700 rows, most of the page's time, and no one reads them that way."""
    breakdown = scope.own(root_id) if has_children and root_id is not None else scope
    platforms = platform_rows(breakdown, params)
    kinds = dict.fromkeys(PLATFORM_KINDS, 0)
    if breakdown is scope:
        for row in platforms:
            if row["active"]:
                kinds[row["kind"]] += 1
    else:  # the headline counts the whole reach's platforms
        kinds.update(scope.rows(Platform).filter(active=True).order_by()
                     .values_list("kind").annotate(n=Count("pk")))
    contacts = contact_figures(scope, params, breakdown)
    by_channel, per_sector, per_committee = (
        contacts["by_channel"], contacts["per_sector"], contacts["per_committee"]
    )
    activity_trend = activity_groups(scope, params)
    roster = roster_figures(scope, params)
    # The roll-up's proposals per child come from the same GROUP BY as the headline figures,
    # unless a sector or committee narrows the headline (the roll-up table is never narrowed).
    narrowed = bool(params.sector_id or params.committee_id)
    groups = proposal_groups(scope, params, by_council=has_children and not narrowed)
    return {
        "platform_kinds": kinds,
        "platforms": platforms,
        "members": {"active": roster["active"], "missing": roster["missing"]},
        "constituents": roster["constituents"],
        "contacts": {"by_channel": by_channel, "total": sum(by_channel.values())},
        "contact_months": contacts["months"],
        "visits": reminder_figures(scope, params),
        "proposals": proposal_figures(scope, params, groups),
        "consultations": consultation_figures(scope, params),
        "activities": activity_figures(scope, params),
        "activity_kinds": activity_trend["kinds"],
        "activity_months": activity_trend["months"],
        "sectors": [
            {**row, "n_contacts": per_sector.get(row["pk"], 0)}
            for row in sector_rows(breakdown, params)
        ],
        "committees": [
            {**row, "n_contacts": per_committee.get(row["pk"], 0)}
            for row in committee_rows(breakdown, params)
        ],
        "councils": council_rows(
            scope, params, root_id,
            proposals=proposals_per_council(scope, params) if narrowed else council_tallies(groups),
        ) if has_children else [],
        "tags": tag_figures(scope, params),
        "intake": intake_figures(scope, params),
        "opinions": opinion_figures(scope, params),
    }

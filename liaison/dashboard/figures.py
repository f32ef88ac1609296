"""The dashboard's figures, each one SQL aggregate (conditional counts, one query per model).

``dashboard_data(scope, params)`` returns plain data (ids, keys, numbers, ISO months) so that
it can be cached; labels and links are added by the view. Query count is fixed: it does not
grow with the number of rows, sectors, platforms or months.
"""

from __future__ import annotations

from django.db.models import (
    Avg,
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth

from activities.models import (
    Activity,
    ActivityKind,
    Channel,
    Reminder,
    ReminderTally,
)
from liaison.dashboard import sql
from liaison.dashboard.breakdowns import (
    committee_rows,
    council_rows,
    council_tallies,
    platform_rows,
    proposals_per_council,
    sector_rows,
)
from liaison.dashboard.contacts import contact_figures
from liaison.dashboard.scope import Params, Scope, current_session_q
from liaison.dashboard.tags import tag_figures
from liaison.intake.models import Submission
from members.models import Platform
from proposals.models import Proposal, ProposalTally, Rating, Reply
from proposals.models import State as ProposalState

CHANNELS = [value for value, _label in Channel.choices]
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
    return contact_figures(scope, params)["months"]


def reminder_figures(scope: Scope, params: Params) -> dict:
    """Must-visits that came due in the period: done on time, done late, overdue. From the
    must-visit tally (``activities.ReminderTally``: per council, month and day), a few
    hundred rows where a province's reach holds ~600,000 reminders; narrowed by sector or
    committee, from that sector's or committee's reminders (the tally has no member)."""
    S = Reminder.State
    if not (params.sector_id or params.committee_id):
        return (
            scope.rows(ReminderTally)
            .in_period(params.date_from, params.date_to)
            .aggregate(
                due=Coalesce(Sum("due"), 0),
                on_time=Coalesce(Sum("on_time"), 0),
                overdue=Coalesce(Sum("overdue"), 0),
            )
        )
    return (
        scope.rows(Reminder)
        .filter(params.span("due_on", is_datetime=False))
        .filter(params.by("member__sector_id", "member__committee_id"))
        .aggregate(
            due=Count("pk", filter=Q(state__in=[S.DONE, S.OVERDUE])),
            on_time=Count("pk", filter=Q(state=S.DONE, on_time=True)),
            overdue=Count("pk", filter=Q(state=S.OVERDUE)),
        )
    )


def proposal_rows(scope: Scope, params: Params):
    """The session's proposals, narrowed by the proposer's sector or committee (a member's,
    or the collective proposer itself)."""
    qs = scope.rows(Proposal).filter(current_session_q(params))
    if params.sector_id:
        qs = qs.filter(Q(proposer__sector_id=params.sector_id) | Q(proposer_sector_id=params.sector_id))
    if params.committee_id:
        qs = qs.filter(
            Q(proposer__committee_id=params.committee_id)
            | Q(proposer_committee_id=params.committee_id)
        )
    return qs


def proposal_groups(scope: Scope, params: Params, *, by_council: bool = False) -> list[tuple]:
    """The session's proposals counted by state, filed or not, and the outcome columns each
    proposal keeps (``proposals.outcome``); ``by_council`` adds the council and its parent and
    grandparent, from which the roll-up table sums each child's subtree
    (``breakdowns.proposals_per_council``). A few hundred groups at most.

    Unnarrowed, they are the proposal tally's rows (``proposals.tally``, kept on every write);
    a sector or committee (the proposer's, which a member may change) is counted from the
    proposals themselves."""
    columns = ["state", "_filed", "latest_reply", "counted_rating"]
    if by_council:
        columns += ["council_id", "council__parent_id", "council__parent__parent_id"]
    if not (params.sector_id or params.committee_id):
        return list(
            scope.rows(ProposalTally).filter(current_session_q(params)).order_by()
            .annotate(_filed=F("filed"))
            .values_list(*columns)
            .annotate(n=Sum("proposals"))
        )
    return list(
        proposal_rows(scope, params).order_by()
        .annotate(_filed=Q(number__isnull=False))
        .values_list(*columns)
        .annotate(n=Count("pk"))
    )


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
    committee."""
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


def activity_figures(scope: Scope, params: Params) -> dict:
    """Activities held by channel, cross-sector (≥ 2 sectors), at workstations."""
    cross = (
        Activity.sectors.through.objects.values("activity_id")
        .annotate(n=Count("sector_id"))
        .filter(n__gte=2)
        .values("activity_id")
    )
    workstation = Q(platform__kind=Platform.Kind.WORKSTATION)
    counts = {
        "total": Count("pk"),
        "cross_sector": Count("pk", filter=Q(pk__in=cross)),
        "workstation": Count("pk", filter=workstation),
        "workstations_used": Count("platform", filter=workstation, distinct=True),
    }
    for channel in CHANNELS:
        counts[f"channel_{channel}"] = Count("pk", filter=Q(channel=channel))
    return activity_rows(scope, params).aggregate(**counts)


def activity_groups(scope: Scope, params: Params) -> dict:
    """Activities held per month (the trend: ``months``, ``{"month": "YYYY-MM", "n"}``) and
    per kind name (``kinds``: name, the kinds' ids, n), in one query: a UNION ALL of the two GROUP
    BYs, a row per month and per kind. Grouped by month × kind it returned a row per council's
    kind and month (1,800 on a province), each converted and summed again in Python. The
    month comes as a local date: no time zone to put on each of a province's rows. The
    kinds' names are read apart: grouping by a Chinese name sorted every row by it in the
    database's collation, which took twice as long as the rest of the query."""
    rows = activity_rows(scope, params).order_by()
    no_month = Value(None, output_field=DateField())
    no_kind = Value(None, output_field=IntegerField())
    per_month = (rows.annotate(_month=TruncMonth("starts_at", output_field=DateField()),
                               _kind=no_kind)
                 .values_list("_month", "_kind").annotate(n=Count("pk")))
    per_kind = (rows.annotate(_month=no_month, _kind=F("kind_id"))
                .values_list("_month", "_kind").annotate(n=Count("pk")))
    months, counts = [], {}
    for month, kind_id, n in per_month.union(per_kind, all=True):
        if month is not None:
            months.append({"month": month.strftime("%Y-%m"), "n": n})
        else:
            counts[kind_id] = n
    # Per kind name: each council keeps its own kinds, mostly the same dozen names, and a
    # roll-up adds up its councils' kinds of one name (as the "四联四助" tags) — a province
    # listed 132 rows, each name eleven times, most of the page.
    kinds: dict[str, dict] = {}
    for pk, name in (ActivityKind.objects.filter(pk__in=counts).order_by("pk")
                     .values_list("pk", "name") if counts else ()):
        row = kinds.setdefault(name, {"name": name, "ids": [], "n": 0})
        row["ids"].append(pk)
        row["n"] += counts[pk]
    months.sort(key=lambda row: row["month"])
    return {"months": months, "kinds": sorted(kinds.values(), key=lambda k: (-k["n"], k["name"]))}


def intake_figures(scope: Scope, params: Params) -> dict:
    """Messages that arrived by QR code in the period: by state, what the assigned ones
    became (a proposal, a difficulty visited: ``Submission.objects`` says which), and the
    mean time from arrival to triage. One aggregate query, reading no contact log (the
    proposal is copied onto the message nightly); the lists filter alike."""
    S = Submission.State
    solved_visit = Reminder.objects.filter(flagged_by_id=OuterRef("contact_log_id"),
                                           state=Reminder.State.DONE)
    assigned = Q(state=S.ASSIGNED)
    figures = (
        scope.rows(Submission)
        .filter(params.span("submitted_at", is_datetime=True))
        .aggregate(
            arrived=Count("pk"),
            awaiting=Count("pk", filter=Q(state=S.NEW)),
            assigned=Count("pk", filter=assigned),
            merged=Count("pk", filter=Q(state=S.MERGED)),
            closed=Count("pk", filter=Q(state=S.CLOSED)),
            proposal=Count("pk", filter=assigned & Q(proposal__isnull=False)),
            solved=Count("pk", filter=assigned & Q(Exists(solved_visit))),
            triage_time=Avg(
                ExpressionWrapper(F("triaged_at") - F("submitted_at"),
                                  output_field=DurationField()),
                filter=Q(triaged_at__isnull=False),
            ),
        )
    )
    wait = figures.pop("triage_time")
    figures["triage_hours"] = round(wait.total_seconds() / 3600, 1) if wait is not None else None
    return figures


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
        "tags": tag_figures(scope, params, activity_rows(scope, params)),
        "intake": intake_figures(scope, params),
        "opinions": opinion_figures(scope, params),
    }

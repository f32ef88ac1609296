"""The dashboard's breakdown tables: one row per platform, sector, special committee or
child council, each with its counts as correlated subqueries in one query per table (a
fixed number of queries, whatever the number of rows). Members, constituents and contacts
are sums over the rollups (``RosterTally``, ``ContactTally``), never counts over the rows."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from activities.models import Activity, Consultation, ContactTally
from liaison.dashboard.scope import Params, Scope, current_session_q, subtree_q
from members.models import Committee, Council, Platform, RosterTally, Sector
from proposals.models import Proposal
from proposals.models import State as ProposalState


class SubqueryCount(Subquery):
    """COUNT(*) of a correlated subquery: a per-row count without joining (and multiplying)
    the outer rows."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset.order_by().values("pk"), **kwargs)


def correlated_sum(rows, column: str = "logs"):
    """The sum of ``column`` over correlated rollup rows (0 when there are none)."""
    total = rows.order_by().annotate(_all=Value(1)).values("_all").annotate(n=Sum(column)).values("n")
    return Coalesce(Subquery(total, output_field=IntegerField()), 0)


def contact_sum(tallies):
    """The contact logs counted by correlated ``ContactTally`` rows (0 when there are none)."""
    return correlated_sum(tallies, "logs")


def roster_sums(tally) -> dict:
    """Serving members and active constituents summed over correlated ``RosterTally`` rows."""
    return {"n_members": correlated_sum(tally, "members"),
            "n_constituents": correlated_sum(tally, "constituents")}


def platform_rows(scope: Scope, params: Params) -> list[dict]:
    """Every platform with its contacts (from the daily counts), activities held and
    consultations in the period."""
    contacts = ContactTally.objects.filter(
        dimension=ContactTally.Dimension.PLATFORM, item_id=OuterRef("pk")
    ).in_period(params.date_from, params.date_to)
    activities = Activity.objects.filter(
        platform=OuterRef("pk"), state=Activity.State.HELD
    ).filter(params.span("starts_at", is_datetime=True))
    consultations = Consultation.objects.filter(platform=OuterRef("pk")).filter(
        params.span("held_on", is_datetime=False)
    )
    return list(
        scope.rows(Platform)
        .annotate(
            n_contacts=contact_sum(contacts),
            n_activities=SubqueryCount(activities),
            n_consultations=SubqueryCount(consultations),
        )
        .order_by("kind", "name", "pk")
        .values("pk", "name", "kind", "active", "council_id", "n_contacts", "n_activities", "n_consultations")
    )


def sector_rows(scope: Scope, params: Params) -> list[dict]:
    """Each sector's serving members and active constituents (from the roster tally: the
    member's sector for members, the constituent's for constituents) and filed proposals."""
    filed = filed_by_sector(scope, params)
    rows = list(
        scope.rows(Sector)
        .annotate(**roster_sums(RosterTally.objects.filter(sector_id=OuterRef("pk"))))
        .order_by("council_id", "order", "name", "pk")
        .values("pk", "name", "is_key", "council_id", "n_members", "n_constituents")
    )
    for row in rows:
        row["n_proposals_filed"] = filed.get(row["pk"], 0)
    return rows


def filed_by_sector(scope: Scope, params: Params) -> dict[int, int]:
    """The session's filed proposals per sector, in one GROUP BY: a member's proposal counts
    for the member's sector, a collective one for its proposing sector (a proposal has one
    kind of proposer). A correlated count per sector read the session's proposals once for
    every sector."""
    return dict(
        scope.rows(Proposal).filter(number__isnull=False).filter(current_session_q(params))
        .annotate(_sector=Coalesce("proposer_sector_id", "proposer__sector_id"))
        .order_by().values_list("_sector").annotate(n=Count("pk"))
    )


def committee_rows(scope: Scope, params: Params) -> list[dict]:
    """Each committee's serving members and their active constituents (the roster tally)
    and activities held."""
    activities = Activity.objects.filter(
        committee=OuterRef("pk"), state=Activity.State.HELD
    ).filter(params.span("starts_at", is_datetime=True))
    return list(
        scope.rows(Committee)
        .annotate(
            **roster_sums(RosterTally.objects.filter(committee_id=OuterRef("pk"))),
            n_activities=SubqueryCount(activities),
        )
        .order_by("council_id", "order", "name", "pk")
        .values("pk", "name", "council_id", "n_members", "n_constituents", "n_activities")
    )


def council_rows(scope: Scope, params: Params, root_id: int | None,
                 proposals: dict[tuple, int] | None = None) -> list[dict]:
    """Roll-up: each child council of ``root_id`` with its subtree's figures. ``proposals``:
    ``proposals_per_council``'s answer, when the caller has it already."""
    # The child's subtree as a list of council ids, so that each table's council index
    # serves the count (a condition through the council's parents read every row in reach).
    subtree = Council.objects.filter(subtree_q(OuterRef(OuterRef("pk")), "pk")).values("pk")

    def under(model, **extra):
        return model.objects.filter(council_id__in=subtree, **extra)

    contacts = under(ContactTally).filter(dimension=ContactTally.Dimension.CHANNEL).in_period(
        params.date_from, params.date_to
    )
    consultations = under(Consultation).filter(params.span("held_on", is_datetime=False))
    activities = under(Activity, state=Activity.State.HELD).filter(
        params.span("starts_at", is_datetime=True)
    )
    children = scope.rows(Council, "pk").filter(parent_id=root_id)
    rows = list(
        children.annotate(
            **roster_sums(under(RosterTally)),
            n_contacts=contact_sum(contacts),
            n_consultations=SubqueryCount(consultations),
            n_activities=SubqueryCount(activities),
        )
        .order_by("name", "pk")
        .values("pk", "name", "level", "n_members", "n_constituents", "n_contacts",
                "n_consultations", "n_activities")
    )
    if proposals is None:
        proposals = proposals_per_council(scope, params)
    for row in rows:
        row["n_proposals"] = sum(
            n for (council, parent, grandparent), n in proposals.items()
            if row["pk"] in (council, parent, grandparent)
        )
    return rows


def proposals_per_council(scope: Scope, params: Params) -> dict[tuple, int]:
    """The session's proposals (drafts aside) per council, keyed by the council and its parent
    and grandparent, in one GROUP BY: a child council's subtree sums the keys that name it.
    A correlated count per child read every current proposal in reach once per child."""
    return {
        (council, parent, grandparent): n
        for council, parent, grandparent, n in (
            scope.rows(Proposal).exclude(state=ProposalState.DRAFT).filter(current_session_q(params))
            .order_by().values_list("council_id", "council__parent_id", "council__parent__parent_id")
            .annotate(n=Count("pk"))
        )
    }


def council_tallies(groups) -> dict[tuple, int]:
    """``proposals_per_council`` from ``figures.proposal_groups(..., by_council=True)``
    (drafts aside), without a second read of the proposals."""
    tallies: dict[tuple, int] = {}
    for state, _filed, _reply, _rating, council, parent, grandparent, n in groups:
        if state != ProposalState.DRAFT:
            key = (council, parent, grandparent)
            tallies[key] = tallies.get(key, 0) + n
    return tallies

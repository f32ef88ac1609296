"""The dashboard's breakdown tables: one row per platform, sector, special committee or
child council, each with its counts as correlated subqueries in one query per table (a
fixed number of queries, whatever the number of rows)."""

from __future__ import annotations

from django.db.models import IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from activities.models import Activity, Consultation, ContactDay
from liaison.dashboard.scope import Params, Scope, current_session_q, subtree_q
from members.models import Committee, Constituent, Council, Member, Platform, Sector
from proposals.models import Proposal
from proposals.models import State as ProposalState


class SubqueryCount(Subquery):
    """COUNT(*) of a correlated subquery: a per-row count without joining (and multiplying)
    the outer rows."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset.order_by().values("pk"), **kwargs)


def contact_sum(days):
    """The contact logs counted by correlated ``ContactDay`` rows (0 when there are none)."""
    total = days.order_by().annotate(_all=Value(1)).values("_all").annotate(n=Sum("logs")).values("n")
    return Coalesce(Subquery(total, output_field=IntegerField()), 0)


def platform_rows(scope: Scope, params: Params) -> list[dict]:
    """Every platform with its contacts (from the daily counts), activities held and
    consultations in the period."""
    contacts = ContactDay.objects.filter(platform_id=OuterRef("pk")).filter(
        params.span("day", is_datetime=False)
    )
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
    members = Member.objects.filter(sector=OuterRef("pk"), status=Member.Status.ACTIVE)
    constituents = Constituent.objects.filter(sector=OuterRef("pk"), active=True)
    proposals = Proposal.objects.filter(
        Q(proposer__sector=OuterRef("pk")) | Q(proposer_sector=OuterRef("pk")),
        number__isnull=False,
    ).filter(current_session_q(params))
    return list(
        scope.rows(Sector)
        .annotate(
            n_members=SubqueryCount(members),
            n_constituents=SubqueryCount(constituents),
            n_proposals_filed=SubqueryCount(proposals),
        )
        .order_by("council_id", "order", "name", "pk")
        .values("pk", "name", "is_key", "council_id", "n_members", "n_constituents",
                "n_proposals_filed")
    )


def committee_rows(scope: Scope, params: Params) -> list[dict]:
    members = Member.objects.filter(committee=OuterRef("pk"), status=Member.Status.ACTIVE)
    constituents = Constituent.objects.filter(member__committee=OuterRef("pk"), active=True)
    activities = Activity.objects.filter(
        committee=OuterRef("pk"), state=Activity.State.HELD
    ).filter(params.span("starts_at", is_datetime=True))
    return list(
        scope.rows(Committee)
        .annotate(
            n_members=SubqueryCount(members),
            n_constituents=SubqueryCount(constituents),
            n_activities=SubqueryCount(activities),
        )
        .order_by("council_id", "order", "name", "pk")
        .values("pk", "name", "council_id", "n_members", "n_constituents", "n_activities")
    )


def council_rows(scope: Scope, params: Params, root_id: int | None) -> list[dict]:
    """Roll-up: each child council of ``root_id`` with its subtree's figures."""
    def under(model, **extra):
        return model.objects.filter(subtree_q(OuterRef("pk")), **extra)

    members = under(Member, status=Member.Status.ACTIVE)
    constituents = under(Constituent, active=True)
    contacts = under(ContactDay).filter(params.span("day", is_datetime=False))
    proposals = under(Proposal).exclude(state=ProposalState.DRAFT).filter(current_session_q(params))
    consultations = under(Consultation).filter(params.span("held_on", is_datetime=False))
    activities = under(Activity, state=Activity.State.HELD).filter(
        params.span("starts_at", is_datetime=True)
    )
    children = scope.rows(Council, "pk").filter(parent_id=root_id)
    return list(
        children.annotate(
            n_members=SubqueryCount(members),
            n_constituents=SubqueryCount(constituents),
            n_contacts=contact_sum(contacts),
            n_proposals=SubqueryCount(proposals),
            n_consultations=SubqueryCount(consultations),
            n_activities=SubqueryCount(activities),
        )
        .order_by("name", "pk")
        .values("pk", "name", "level", "n_members", "n_constituents", "n_contacts", "n_proposals",
                "n_consultations", "n_activities")
    )

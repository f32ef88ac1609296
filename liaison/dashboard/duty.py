"""Member duty records (委员履职档案) and duty points (履职积分), as SQL aggregates.

``with_duty_counts`` annotates each member with what they did in a period (one correlated
COUNT per item); ``with_points`` turns those counts into points with the council's scheme,
capping each item with ``LEAST`` — all in the one query that lists the members.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Least, Rank

from activities.models import Attendance, Consultation, ContactLog, Reminder
from liaison.dashboard.breakdowns import SubqueryCount
from liaison.dashboard.scope import Params
from liaison.models import DutyScheme
from members.models import Constituent
from opinions.models import Report
from proposals.models import CoSigner, Proposal, Rating, Reply


def scheme_for(council) -> DutyScheme:
    """The council's scheme, or the default one (unsaved) until staff edit it."""
    return DutyScheme.objects.filter(council=council).first() or DutyScheme(council=council)


def _item_rows(params: Params) -> dict:
    """Per item: the rows a member earns points for in the period."""
    member = OuterRef("pk")
    return {
        "contact": ContactLog.objects.filter(member=member).filter(
            params.span("contacted_at", is_datetime=True)
        ),
        "visit": Reminder.objects.filter(
            member=member, state=Reminder.State.DONE, on_time=True
        ).filter(params.span("due_on", is_datetime=False)),
        "filed": Proposal.objects.filter(proposer=member, number__isnull=False).filter(
            params.span("filed_at", is_datetime=True)
        ),
        "cosigned": CoSigner.objects.filter(member=member, state=CoSigner.State.CONFIRMED).filter(
            params.span("responded_at", is_datetime=True)
        ),
        "activity": Attendance.objects.filter(member=member, attended=True).filter(
            params.span("activity__starts_at", is_datetime=True)
        ),
        "consultation": Consultation.members.through.objects.filter(member_id=member).filter(
            params.span("consultation__held_on", is_datetime=False)
        ),
        # 社情民意信息: each counts when it happened (submitted, adopted, first instruction).
        "report": Report.objects.filter(member=member).filter(
            params.span("submitted_at", is_datetime=True)
        ),
        "adopted": Report.objects.filter(member=member, adopted_at__isnull=False).filter(
            params.span("adopted_at", is_datetime=True)
        ),
        "instructed": Report.objects.filter(member=member, instructed_at__isnull=False).filter(
            params.span("instructed_at", is_datetime=True)
        ),
    }


def with_duty_counts(members, params: Params):
    """``n_<item>`` for every item of ``DutyScheme.ITEMS``."""
    return members.annotate(
        **{f"n_{key}": SubqueryCount(rows) for key, rows in _item_rows(params).items()}
    )


def with_points(members, params: Params, scheme: DutyScheme, *, rank: bool = False):
    """Counts, ``pts_<item>`` (count × points, at most the cap) and ``points`` (their sum);
    with ``rank``, the rank within the member's sector and committee."""
    qs = with_duty_counts(members, params)
    points = {}
    for key, _label, per, cap in scheme.rules():
        earned = F(f"n_{key}") * Value(per, output_field=IntegerField())
        if cap is not None:
            earned = Least(earned, Value(cap, output_field=IntegerField()))
        points[f"pts_{key}"] = earned
    qs = qs.annotate(**points)
    total = None
    for name in points:
        total = F(name) if total is None else total + F(name)
    qs = qs.annotate(points=total)
    if rank:
        qs = qs.annotate(
            sector_rank=Window(Rank(), partition_by=[F("sector_id")], order_by=F("points").desc()),
            committee_rank=Window(
                Rank(), partition_by=[F("committee_id")], order_by=F("points").desc()
            ),
        )
    return qs


@dataclass
class PointLine:
    key: str
    label: str
    count: int
    per: int
    cap: int | None
    points: int

    @property
    def capped(self) -> bool:
        return self.cap is not None and self.count * self.per > self.cap


def explain(member, scheme: DutyScheme) -> list[PointLine]:
    """A member annotated by ``with_points``, item by item."""
    return [
        PointLine(key, str(label), getattr(member, f"n_{key}"), per, cap, getattr(member, f"pts_{key}"))
        for key, label, per, cap in scheme.rules()
    ]


# --- the rest of the duty record ------------------------------------------------------------


def duty_record(member, params: Params) -> dict:
    """What a member did in the period, beyond the point counts (a few aggregate queries)."""
    contacts = dict(
        member.contact_logs.filter(params.span("contacted_at", is_datetime=True))
        .order_by()
        .values_list("channel")
        .annotate(n=Count("pk"))
    )
    S = Reminder.State
    visits = member.reminders.filter(params.span("due_on", is_datetime=False)).aggregate(
        due=Count("pk", filter=Q(state__in=[S.DONE, S.OVERDUE])),
        on_time=Count("pk", filter=Q(state=S.DONE, on_time=True)),
        overdue=Count("pk", filter=Q(state=S.OVERDUE)),
        open=Count("pk", filter=Q(state=S.OPEN)),
    )
    attendance = Attendance.objects.filter(member=member).filter(
        params.span("activity__starts_at", is_datetime=True)
    ).aggregate(
        signed_up=Count("pk", filter=Q(signed_up_at__isnull=False)),
        attended=Count("pk", filter=Q(attended=True)),
    )
    my_rating = Rating.objects.filter(proposal=OuterRef("pk"), member=member).order_by("-round")
    led = list(
        Proposal.objects.filter(proposer=member)
        .exclude(state="draft")
        .filter(params.span("submitted_at", is_datetime=True))
        .select_related("session")
        .annotate(
            my_rating=Subquery(my_rating.values("value")[:1]),
        )
        .order_by("-submitted_at", "-pk")
    )
    cosigned = list(
        Proposal.objects.filter(
            cosigners__member=member, cosigners__state=CoSigner.State.CONFIRMED
        )
        .filter(params.span("cosigners__responded_at", is_datetime=True))
        .select_related("session")
        .annotate(
            my_rating=Subquery(my_rating.values("value")[:1]),
        )
        .order_by("-submitted_at", "-pk")
    )
    for proposal in led + cosigned:
        # The latest reply's category, kept on the proposal (proposals.outcome).
        proposal.reply_label = (
            Reply.Category(proposal.latest_reply).label if proposal.latest_reply else ""
        )
        proposal.rating_label = Rating.Value(proposal.my_rating).label if proposal.my_rating else ""
    return {
        "constituents": Constituent.objects.filter(member=member, active=True).count(),
        "contacts": contacts,
        "contacts_total": sum(contacts.values()),
        "visits": visits,
        "visit_rate": round(visits["on_time"] * 100 / visits["due"], 1) if visits["due"] else None,
        "attendance": attendance,
        "led": led,
        "cosigned": cosigned,
        "consultations": Consultation.objects.filter(members=member).filter(
            params.span("held_on", is_datetime=False)
        ).count(),
        "reports": list(
            Report.objects.filter(member=member)
            .filter(params.span("submitted_at", is_datetime=True))
            .select_related("current_council")
            .order_by("-submitted_at", "-pk")
        ),
    }

"""Factories for the proposal pipeline, and ``proposal_in`` which brings a proposal to any
state through the real services (so that tests see what users would produce)."""

from __future__ import annotations

from datetime import date, timedelta

import factory
from django.utils import timezone

from members.models import User
from proposals import services
from proposals.models import Category, HandlingUnit, Proposal, ProposerKind, Session, State
from tests.factories import CouncilFactory, UserFactory


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    council = factory.SubFactory(CouncilFactory)
    term = 10
    number = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda s: f"十届{s.number}次")
    opened_on = date(2025, 1, 10)
    is_current = False


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("council", "name")

    council = factory.SubFactory(CouncilFactory)
    name = factory.Sequence(lambda n: f"类别{n}")


class HandlingUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HandlingUnit
        skip_postgeneration_save = True

    council = factory.SubFactory(CouncilFactory)
    name = factory.Sequence(lambda n: f"区承办局{n}")

    @factory.post_generation
    def users(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.users.set(extracted)


def unit_login(unit: HandlingUnit, username: str, **kwargs) -> User:
    """A ``unit`` login linked to ``unit``."""
    user = UserFactory(
        username=username, display_name=f"{unit.name}经办人", role=User.Role.UNIT,
        council=unit.council, **kwargs,
    )
    unit.users.add(user)
    return user


class ProposalFactory(factory.django.DjangoModelFactory):
    """A draft by a member (pass ``proposer=member``). Later states: ``proposal_in``."""

    class Meta:
        model = Proposal

    proposer = None
    council = factory.LazyAttribute(lambda p: p.proposer.council)
    session = factory.SubFactory(SessionFactory, council=factory.SelfAttribute("..council"))
    title = factory.Sequence(lambda n: f"关于改进第{n}项工作的提案")
    reasons = "现状与问题。"
    suggestions = "具体建议。"
    category = factory.SubFactory(CategoryFactory, council=factory.SelfAttribute("..council"), name="经济")
    proposer_kind = ProposerKind.MEMBER
    submitted_by = factory.LazyAttribute(lambda p: p.proposer.user)


ORDER = [
    State.DRAFT, State.SUBMITTED, State.UNDER_REVIEW, State.FILED, State.ASSIGNED,
    State.REPLIED, State.CLOSED,
]


def proposal_in(
    state: str,
    *,
    proposer,
    staff: User,
    unit: HandlingUnit | None = None,
    co_units=(),
    cosigners=(),
    session: Session | None = None,
    deadline: date | None = None,
    reply_category: str = "A",
    **fields,
) -> Proposal:
    """A proposal of ``proposer`` (a Member) brought to ``state`` through the services.
    ``cosigners`` are invited and confirm before submission; ``unit`` is the lead unit
    (needed from ``assigned`` on; its first login replies)."""
    by = proposer.user
    council = proposer.council
    proposal = services.proposal_create(
        session=session or Session.objects.filter(council=council, is_current=True).first()
        or SessionFactory(council=council, is_current=True),
        by=by,
        title=fields.pop("title", "关于加强学校周边交通安全管理的提案"),
        reasons=fields.pop("reasons", "上下学高峰时段学校周边车辆拥堵，存在安全隐患。"),
        suggestions=fields.pop("suggestions", "增设护学岗，优化信号灯配时。"),
        category=fields.pop("category", None) or CategoryFactory(council=council, name="教育"),
        **fields,
    )
    if cosigners:
        services.cosigner_invite(proposal=proposal, by=by, members=cosigners)
        for member in cosigners:
            services.cosigner_respond(proposal=proposal, by=member.user, accept=True)
    if state == State.DRAFT:
        return proposal
    proposal = services.proposal_submit(proposal=proposal, by=by)
    if state == State.SUBMITTED:
        return proposal
    proposal = services.proposal_start_review(proposal=proposal, by=staff)
    if state == State.UNDER_REVIEW:
        return proposal
    if state == State.RETURNED:
        return services.proposal_return(proposal=proposal, by=staff, reason="请补充数据")
    if state == State.NOT_FILED:
        return services.proposal_reject(proposal=proposal, by=staff, reason="属于个人诉求")
    proposal = services.proposal_file(proposal=proposal, by=staff)
    if state == State.FILED:
        return proposal
    proposal = services.proposal_assign(
        proposal=proposal, by=staff, lead_unit=unit, co_units=co_units,
        deadline=deadline or timezone.localdate() + timedelta(days=30),
    )
    if state == State.ASSIGNED:
        return proposal
    proposal = services.proposal_reply(
        proposal=proposal, by=unit.users.first(), category=reply_category, text="已办理。"
    )
    if state == State.REPLIED:
        return proposal
    for user in [by, *(m.user for m in cosigners)]:
        proposal = services.proposal_rate(proposal=proposal, by=user, value="satisfied")
    assert proposal.state == State.CLOSED
    return proposal

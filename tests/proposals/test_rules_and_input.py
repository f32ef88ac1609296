"""Numbering, visibility, queues, bad input and the deadline job."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from members.common import clock
from members.models import Notification
from proposals import services
from proposals.models import Proposal, ProposalEvent, Session, State
from proposals.tasks import proposals_chase_deadlines
from tests.factories import MemberFactory
from tests.proposals.factories import HandlingUnitFactory, proposal_in

# --- numbering -------------------------------------------------------------------------------


def test_numbers_are_gapless_per_session_and_survive_refusals(staff, member_a, member_b):
    first = proposal_in(State.FILED, proposer=member_a, staff=staff)
    refused = proposal_in(State.UNDER_REVIEW, proposer=member_a, staff=staff)
    Proposal.objects.filter(pk=refused.pk).update(category=None)  # filing needs a category
    with pytest.raises(services.ProposalStateError):
        services.proposal_file(proposal=refused, by=staff)
    # A filing rolled back by its caller gives its number back too.
    rolled_back = proposal_in(State.UNDER_REVIEW, proposer=member_b, staff=staff)
    def file_then_fail():
        with transaction.atomic():
            services.proposal_file(proposal=rolled_back, by=staff)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        file_then_fail()
    later = [proposal_in(State.FILED, proposer=member_b, staff=staff) for _ in range(3)]
    numbers = [first.number, *(p.number for p in later)]
    assert numbers == [1, 2, 3, 4]
    assert Session.objects.get().last_number == 4
    assert later[0].display_number == "第002号"


def test_each_session_numbers_from_one(council, staff, member_a):
    from tests.proposals.factories import SessionFactory

    a = proposal_in(State.FILED, proposer=member_a, staff=staff)
    other = SessionFactory(council=council, number=5, name="十届五次")
    b = proposal_in(State.FILED, proposer=member_a, staff=staff, session=other)
    assert (a.number, b.number) == (1, 1)


# --- who sees what ---------------------------------------------------------------------------


def test_visibility(council, staff, leader, member_a, member_b, other_staff, other_member,
                    handling_unit, unit_user, other_unit_user):
    third = MemberFactory(council=council, name="王委员")
    draft = proposal_in(State.DRAFT, proposer=member_a, staff=staff, cosigners=[member_b])
    filed = proposal_in(State.FILED, proposer=member_b, staff=staff)
    assigned = proposal_in(State.ASSIGNED, proposer=member_b, staff=staff, unit=handling_unit)

    def seen(user):
        return set(Proposal.objects.visible_to(user).values_list("pk", flat=True))

    everything = {draft.pk, filed.pk, assigned.pk}
    assert seen(staff) == everything
    assert seen(leader) == everything
    assert seen(member_a.user) == {draft.pk, filed.pk, assigned.pk}
    assert seen(member_b.user) == everything
    assert seen(third.user) == {filed.pk, assigned.pk}  # filed ones only, not the draft
    assert seen(unit_user) == {assigned.pk}
    assert seen(other_unit_user) == set()
    assert seen(other_staff) == set()
    assert seen(other_member.user) == set()


def test_queues(staff, member_a, member_b, handling_unit, unit_user):
    today = timezone.localdate()
    submitted = proposal_in(State.SUBMITTED, proposer=member_a, staff=staff)
    filed = proposal_in(State.FILED, proposer=member_a, staff=staff)
    soon = proposal_in(State.ASSIGNED, proposer=member_a, staff=staff, unit=handling_unit,
                       deadline=today + timedelta(days=3))
    later = proposal_in(State.ASSIGNED, proposer=member_a, staff=staff, unit=handling_unit,
                        deadline=today + timedelta(days=30))
    replied = proposal_in(State.REPLIED, proposer=member_b, staff=staff, unit=handling_unit)
    qs = Proposal.objects.visible_to(staff)
    assert list(qs.to_review()) == [submitted]
    assert list(qs.to_assign()) == [filed]
    assert list(qs.due_soon(today)) == [soon]
    assert list(qs.overdue(today + timedelta(days=4))) == [soon]
    assert set(qs.overdue(today + timedelta(days=31))) == {soon, later}
    assert list(qs.awaiting_rating()) == [replied]


def test_register_columns_in_fixed_queries(staff, member_a, member_b, handling_unit, unit_user,
                                           django_assert_num_queries):
    for _ in range(2):
        proposal_in(State.CLOSED, proposer=member_a, staff=staff, unit=handling_unit,
                    cosigners=[member_b], reply_category="B")
    with django_assert_num_queries(4):  # proposals + joins, co-signers, assignments, ratings
        rows = list(Proposal.objects.visible_to(staff).with_register_columns())
    assert [r.reply_category for r in rows] == ["B", "B"]
    assert [r.active_assignments[0].unit.name for r in rows] == ["区教育局", "区教育局"]
    assert list(Proposal.objects.with_reply_category("B")) == rows
    assert list(Proposal.objects.search("第002号")) == [rows[1]]


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", ""), ("title", "   "), ("title", "长" * 201), ("reasons", "字" * 20_001)],
)
def test_create_refuses_bad_text(session, category, member_a, field, value):
    kwargs = {"title": "关于……的提案", "reasons": "案由", "suggestions": "建议", field: value}
    with pytest.raises(services.ProposalStateError):
        services.proposal_create(session=session, by=member_a.user, category=category, **kwargs)
    assert not Proposal.objects.exists()


def test_submit_refuses_empty_reasons(session, category, member_a):
    p = services.proposal_create(session=session, by=member_a.user, title="题目", category=category)
    with pytest.raises(services.ProposalStateError) as refused:
        services.proposal_submit(proposal=p, by=member_a.user)
    assert refused.value.code == "required"
    p.refresh_from_db()
    assert p.state == State.DRAFT
    assert ProposalEvent.objects.filter(proposal=p).count() == 1


def test_cosigner_from_another_council_is_refused(staff, member_a, member_b, other_member):
    p = proposal_in(State.DRAFT, proposer=member_a, staff=staff)
    with pytest.raises(services.ProposalStateError) as refused:
        services.cosigner_invite(proposal=p, by=member_a.user, members=[member_b, other_member])
    assert refused.value.code == "council"
    assert not p.cosigners.exists()
    assert not Notification.objects.exists()


def test_member_cannot_propose_for_someone_else(session, category, member_a, member_b):
    with pytest.raises(services.ProposalPermissionError):
        services.proposal_create(
            session=session, by=member_a.user, title="题目", proposer=member_b, category=category
        )


def test_staff_from_another_council_cannot_create(session, other_staff, member_a):
    with pytest.raises(services.ProposalPermissionError):
        services.proposal_create(session=session, by=other_staff, title="题目", proposer=member_a)


def test_assign_refuses_unit_of_another_council_and_past_deadline(
    staff, member_a, other_council, handling_unit
):
    p = proposal_in(State.FILED, proposer=member_a, staff=staff)
    foreign = HandlingUnitFactory(council=other_council, name="外区教育局")
    with pytest.raises(services.ProposalStateError):
        services.proposal_assign(proposal=p, by=staff, lead_unit=foreign,
                                 deadline=timezone.localdate() + timedelta(days=9))
    with pytest.raises(services.ProposalStateError):
        services.proposal_assign(proposal=p, by=staff, lead_unit=handling_unit,
                                 deadline=timezone.localdate() - timedelta(days=1))
    p.refresh_from_db()
    assert p.state == State.FILED
    assert not p.assignments.exists()


def test_cosigning_closes_at_the_deadline(staff, member_a, member_b):
    p = proposal_in(State.DRAFT, proposer=member_a, staff=staff)
    services.cosigner_invite(proposal=p, by=member_a.user, members=[member_b],
                             deadline=timezone.localdate() + timedelta(days=2))
    with time_machine.travel(timezone.now() + timedelta(days=3)), \
            pytest.raises(services.ProposalStateError):
        services.cosigner_respond(proposal=p, by=member_b.user, accept=True)


def test_services_date_their_rows_by_the_clock(staff, member_a, member_b, handling_unit):
    """What the demo relies on: inside clock.frozen_at every row a service writes, and the
    notices it sends, carry that moment, and ``today`` is that moment's date."""
    p = proposal_in(State.UNDER_REVIEW, proposer=member_a, staff=staff, cosigners=[member_b])
    moment = datetime(2025, 1, 22, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    with clock.frozen_at(moment):
        p = services.proposal_file(proposal=p, by=staff)
        p = services.proposal_assign(proposal=p, by=staff, lead_unit=handling_unit,
                                     deadline=moment.date())
    p.refresh_from_db()
    assert p.filed_at == p.updated_at == moment
    assert p.events.get(action="file").at == moment
    assert p.assignments.get().assigned_at == moment
    notices = Notification.objects.filter(key__startswith=f"proposal-{p.pk}-")
    assert {n.created_at for n in notices.filter(kind="proposal_filed")} == {moment}
    assert p.created_at != moment  # the draft was written before, at the real time


def test_stale_version_is_a_conflict(staff, member_a):
    p = proposal_in(State.FILED, proposer=member_a, staff=staff)
    shown = p.version
    services.proposal_note(proposal=p, by=staff, internal_note="先看一下")
    with pytest.raises(services.ProposalConflictError):
        services.proposal_note(proposal=p, by=staff, internal_note="覆盖", expected_version=shown)
    p.refresh_from_db()
    assert p.internal_note == "先看一下"


def test_rating_twice_is_refused(staff, member_a, member_b, handling_unit, unit_user):
    p = proposal_in(State.REPLIED, proposer=member_a, staff=staff, unit=handling_unit,
                    cosigners=[member_b])
    services.proposal_rate(proposal=p, by=member_a.user, value="satisfied")
    with pytest.raises(services.ProposalStateError):
        services.proposal_rate(proposal=p, by=member_a.user, value="unsatisfied")


# --- notices ---------------------------------------------------------------------------------


def test_who_hears_of_what(staff, member_a, member_b, handling_unit, unit_user, other_unit_user):
    proposal_in(State.REPLIED, proposer=member_a, staff=staff, unit=handling_unit,
                cosigners=[member_b])

    def kinds(user):
        return sorted(Notification.objects.filter(user=user).values_list("kind", flat=True))

    assert kinds(member_a.user) == ["proposal_filed", "proposal_replied"]
    assert kinds(member_b.user) == ["proposal_cosign_invited", "proposal_filed", "proposal_replied"]
    assert kinds(unit_user) == ["proposal_assigned"]
    assert kinds(other_unit_user) == []
    assert kinds(staff) == []


def test_not_filed_and_returned_tell_the_proposer(staff, member_a, member_b):
    proposal_in(State.NOT_FILED, proposer=member_a, staff=staff)
    proposal_in(State.RETURNED, proposer=member_b, staff=staff)
    assert Notification.objects.get(user=member_a.user).kind == "proposal_not_filed"
    assert Notification.objects.get(user=member_b.user).kind == "proposal_returned"


# --- the daily deadline job ------------------------------------------------------------------


def test_deadline_chase_notifies_once_per_item_per_day(
    staff, admin, member_a, handling_unit, unit_user
):
    today = timezone.localdate()
    soon = proposal_in(State.ASSIGNED, proposer=member_a, staff=staff, unit=handling_unit,
                       deadline=today + timedelta(days=2))
    late = proposal_in(State.ASSIGNED, proposer=member_a, staff=staff, unit=handling_unit,
                       deadline=today + timedelta(days=20))
    day = (today + timedelta(days=21)).isoformat()
    assert proposals_chase_deadlines.delay(day).get() == (0, 2)
    assert proposals_chase_deadlines.delay(day).get() == (0, 2)
    assert Notification.objects.filter(kind="proposal_overdue", user=staff).count() == 2
    assert Notification.objects.filter(kind="proposal_overdue", user=admin).count() == 2
    proposals_chase_deadlines.delay(today.isoformat())
    proposals_chase_deadlines.delay(today.isoformat())
    due = Notification.objects.filter(kind="proposal_due_soon", user=unit_user)
    assert [n.key for n in due] == [f"proposal-{soon.pk}-due-soon-{today.isoformat()}"]
    # The next day is another notice.
    proposals_chase_deadlines.delay((today + timedelta(days=1)).isoformat())
    due = Notification.objects.filter(kind="proposal_due_soon", user=unit_user)
    assert due.count() == 2
    assert late.pk not in {int(n.key.split("-")[1]) for n in due}


def test_deadline_job_is_scheduled(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="proposals.tasks.proposals_chase_deadlines")
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == (
        "7", "30", "Asia/Shanghai"
    )

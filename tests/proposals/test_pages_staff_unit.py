"""Staff and unit pages: the actions through the pages, conflicts, bad input, privacy."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from proposals import services
from proposals.models import Assignment, Proposal, Reply, State
from tests.factories import MemberFactory
from tests.proposals.factories import HandlingUnitFactory, proposal_in

pytestmark = pytest.mark.django_db


def _messages(response, level="error"):
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == level]


def _post(client, name, proposal, **data):
    proposal.refresh_from_db()
    return client.post(
        reverse(f"proposals:{name}", args=[proposal.pk]), {"version": proposal.version, **data}
    )


@pytest.fixture
def reviewing(member_a, staff, session, category):
    return proposal_in(State.UNDER_REVIEW, proposer=member_a, staff=staff, session=session, category=category)


def test_file_shows_the_number(reviewing, staff, client_for):
    response = _post(client_for(staff), "proposal-file", reviewing)
    reviewing.refresh_from_db()
    assert (reviewing.state, reviewing.number) == (State.FILED, 1)
    assert any("第001号" in m for m in _messages(response, "success"))
    page = client_for(staff).get(reviewing.get_absolute_url()).content.decode()
    assert "第001号" in page


def test_two_staff_at_once_one_wins(reviewing, staff, admin, client_for):
    """Both opened the page at the same version; the second gets a conflict and nothing
    of theirs is written."""
    version = reviewing.version
    first = client_for(staff).post(
        reverse("proposals:proposal-file", args=[reviewing.pk]), {"version": version}
    )
    second = client_for(admin).post(
        reverse("proposals:proposal-return", args=[reviewing.pk]),
        {"version": version, "reason": "请补充"},
    )
    assert first.status_code == second.status_code == 302
    assert _messages(second) == [
        gettext("Someone else changed this proposal in the meantime. Reload the page and try again.")
    ]
    reviewing.refresh_from_db()
    assert (reviewing.state, reviewing.returned_reason) == (State.FILED, "")


def test_start_review_return_reject(member_a, staff, session, category, client_for):
    client = client_for(staff)
    submitted = proposal_in(State.SUBMITTED, proposer=member_a, staff=staff, session=session, category=category)
    _post(client, "proposal-review", submitted)
    _post(client, "proposal-return", submitted, reason="请补充调研数据")
    submitted.refresh_from_db()
    assert (submitted.state, submitted.returned_reason) == (State.RETURNED, "请补充调研数据")
    # The proposer sees why.
    assert "请补充调研数据" in client_for(member_a).get(submitted.get_absolute_url()).content.decode()

    other = proposal_in(State.UNDER_REVIEW, proposer=member_a, staff=staff, session=session, category=category)
    _post(client, "proposal-reject", other, reason="属于个人诉求", to_opinion="on")
    other.refresh_from_db()
    assert (other.state, other.to_opinion) == (State.NOT_FILED, True)


@pytest.mark.parametrize("name", ["proposal-reject", "proposal-return"])
@pytest.mark.parametrize("reason", ["", "   ", "长" * 2001])
def test_bad_reason_writes_nothing(name, reason, reviewing, staff, client_for):
    before = reviewing.version
    response = _post(client_for(staff), name, reviewing, reason=reason)
    assert response.status_code in (200, 302)
    reviewing.refresh_from_db()
    assert (reviewing.state, reviewing.version) == (State.UNDER_REVIEW, before)


def test_assign_and_bad_assignments(member_a, staff, session, category, handling_unit, other_council, client_for):
    filed = proposal_in(State.FILED, proposer=member_a, staff=staff, session=session, category=category)
    client = client_for(staff)
    tomorrow = timezone.localdate() + timedelta(days=1)
    outsider_unit = HandlingUnitFactory(council=other_council, name="外区局")
    co_unit = HandlingUnitFactory(council=handling_unit.council, name="区农业农村局")
    for bad in (
        {"lead_unit": handling_unit.pk, "deadline": "2000-01-01"},
        {"lead_unit": handling_unit.pk, "deadline": ""},
        {"lead_unit": outsider_unit.pk, "deadline": tomorrow.isoformat()},
        {"lead_unit": handling_unit.pk, "co_units": [handling_unit.pk], "deadline": tomorrow.isoformat()},
    ):
        assert _post(client, "proposal-assign", filed, **bad).status_code == 200
    assert not Assignment.objects.exists()
    _post(client, "proposal-assign", filed, lead_unit=handling_unit.pk, co_units=[co_unit.pk],
          deadline=tomorrow.isoformat())
    filed.refresh_from_db()
    assert (filed.state, filed.deadline) == (State.ASSIGNED, tomorrow)
    assert Assignment.objects.filter(proposal=filed).count() == 2


def test_merge_into_another(member_a, staff, session, category, client_for):
    lead = proposal_in(State.FILED, proposer=member_a, staff=staff, session=session, category=category)
    other = proposal_in(State.UNDER_REVIEW, proposer=member_a, staff=staff, session=session, category=category)
    _post(client_for(staff), "proposal-merge", other, lead=lead.pk)
    other.refresh_from_db()
    assert (other.state, other.merged_into) == (State.MERGED, lead)


@pytest.fixture
def handled(member_a, member_b, staff, handling_unit, unit_user, session, category):
    return proposal_in(
        State.ASSIGNED, proposer=member_a, staff=staff, unit=handling_unit, cosigners=[member_b],
        session=session, category=category,
    )


def test_unit_replies(handled, unit_user, client_for):
    client = client_for(unit_user)
    for bad in ({"category": "", "text": "已办理"}, {"category": "A", "text": ""},
                {"category": "E", "text": "已办理"}, {"category": "A", "text": "长" * 20_001}):
        assert _post(client, "proposal-reply", handled, **bad).status_code == 200
    assert not Reply.objects.exists()
    _post(client, "proposal-reply", handled, category="B", text="正在推进。")
    handled.refresh_from_db()
    assert handled.state == State.REPLIED
    assert Reply.objects.get().category == "B"


def test_co_handling_unit_cannot_reply(member_a, staff, handling_unit, unit_user, other_unit_user, session, category, client_for):
    co_unit = other_unit_user.handling_units.get()
    proposal = proposal_in(
        State.ASSIGNED, proposer=member_a, staff=staff, unit=handling_unit, co_units=[co_unit],
        session=session, category=category,
    )
    response = _post(client_for(other_unit_user), "proposal-reply", proposal, category="A", text="答复")
    assert response.status_code == 403
    assert not Reply.objects.exists()


def test_unit_sends_back(handled, unit_user, client_for):
    client = client_for(unit_user)
    assert _post(client, "proposal-send-back", handled, reason="").status_code == 200
    response = _post(client, "proposal-send-back", handled, reason="不属于本单位职责")
    assert response.url == reverse("proposals:unit-list")
    handled.refresh_from_db()
    assert handled.state == State.FILED
    assert client.get(handled.get_absolute_url()).status_code == 404


def test_unit_list_highlights_deadlines(member_a, staff, handling_unit, unit_user, session, category, client_for):
    today = timezone.localdate()
    late = proposal_in(State.ASSIGNED, proposer=member_a, staff=staff, unit=handling_unit,
                       session=session, category=category, deadline=today + timedelta(days=1))
    Assignment.objects.filter(proposal=late).update(deadline=today - timedelta(days=2))
    Proposal.objects.filter(pk=late.pk).update(deadline=today - timedelta(days=2))
    proposal_in(State.ASSIGNED, proposer=member_a, staff=staff, unit=handling_unit,
                session=session, category=category, deadline=today + timedelta(days=3))
    proposal_in(State.ASSIGNED, proposer=member_a, staff=staff, unit=handling_unit,
                session=session, category=category, deadline=today + timedelta(days=60))
    page = client_for(unit_user).get(reverse("proposals:unit-list"))
    rows = {p.pk: (p.is_late, p.is_due_soon) for p in page.context["page"]}
    assert sorted(rows.values()) == [(False, False), (False, True), (True, False)]
    html = page.content.decode()
    assert html.count("table-danger") == 1
    assert html.count("table-warning") == 1


def test_staff_queues_name_overdue_and_due_soon_in_words(member_a, staff, handling_unit, unit_user, session, category, client_for):
    """Not by colour alone: an overdue or nearly due deadline carries its label as text."""
    today = timezone.localdate()
    late = proposal_in(State.ASSIGNED, proposer=member_a, staff=staff, unit=handling_unit,
                       session=session, category=category, deadline=today + timedelta(days=1))
    Assignment.objects.filter(proposal=late).update(deadline=today - timedelta(days=2))
    Proposal.objects.filter(pk=late.pk).update(deadline=today - timedelta(days=2))
    proposal_in(State.ASSIGNED, proposer=member_a, staff=staff, unit=handling_unit,
                session=session, category=category, deadline=today + timedelta(days=3))
    client = client_for(staff)
    url = reverse("proposals:staff-queues")

    def deadlines(queue):
        html = client.get(url, {"queue": queue}).content.decode()
        return re.findall(r'data-testid="deadline">(.*?)</td>', html, re.S)

    [overdue] = deadlines("overdue")
    assert gettext("Overdue") in overdue
    assert gettext("Due soon") not in overdue
    [soon] = deadlines("due_soon")
    assert gettext("Due soon") in soon
    assert gettext("Overdue") not in soon


def test_unsatisfied_then_staff_move_the_deadline(handled, member_a, member_b, unit_user, staff, client_for):
    services.proposal_reply(proposal=handled, by=unit_user, category="C", text="列入计划。")
    _post(client_for(member_a), "proposal-rate", handled, value="unsatisfied", comment="没有解决")
    handled.refresh_from_db()
    assert (handled.state, handled.round) == (State.ASSIGNED, 2)
    queue = client_for(staff).get(reverse("proposals:staff-queues"), {"queue": "unsatisfied"})
    assert handled.title in queue.content.decode()
    new = timezone.localdate() + timedelta(days=10)
    _post(client_for(staff), "proposal-deadline", handled, deadline=new.isoformat())
    handled.refresh_from_db()
    assert handled.deadline == new


# --- what each viewer reads -------------------------------------------------------------------
NOTE = "内部意见仅限机关"
COMMENT = "个人评价备注"


@pytest.fixture
def rated(handled, member_a, member_b, unit_user, staff):
    services.proposal_note(proposal=handled, by=staff, internal_note=NOTE)
    services.proposal_reply(proposal=handled, by=unit_user, category="A", text="已解决。")
    services.proposal_rate(proposal=handled, by=member_a.user, value="satisfied", comment=COMMENT)
    return handled


@pytest.mark.parametrize(
    ("persona", "sees_note", "sees_comment"),
    [
        ("staff", True, True),
        ("admin", True, True),
        ("member_a", False, True),  # the rater reads their own comment
        ("member_b", False, False),  # a co-signer does not read the proposer's
        ("unit_user", False, False),
        ("third_member", False, False),  # a member of the council, not involved
    ],
)
def test_private_text_is_shown_to_whom_it_belongs(request, persona, sees_note, sees_comment, rated, council, client_for):
    if persona == "third_member":
        user = MemberFactory(council=council, name="王委员").user
    else:
        user = request.getfixturevalue(persona)
    page = client_for(user).get(rated.get_absolute_url()).content.decode()
    assert (NOTE in page) is sees_note
    assert (COMMENT in page) is sees_comment
    printed = client_for(user).get(reverse("proposals:proposal-print", args=[rated.pk])).content.decode()
    assert NOTE not in printed
    assert COMMENT not in printed


def test_timeline_only_for_staff_and_participants(rated, member_a, council, unit_user, client_for):
    assert 'data-testid="timeline"' in client_for(member_a).get(rated.get_absolute_url()).content.decode()
    outsider = MemberFactory(council=council).user
    for user in (outsider, unit_user):
        assert 'data-testid="timeline"' not in client_for(user).get(rated.get_absolute_url()).content.decode()

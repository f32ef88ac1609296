"""A contact log names the proposal it reports back on (or that an opinion became) and the
consultation an opinion goes into; the log form opened from a must-visit (``?reminder=``)
is prefilled so that saving it closes the reminder."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from activities.contacts.services import contact_log_create
from activities.models import Channel, ContactLog, Reminder, TriggerType
from activities.reminders.services.sweep import reminders_for_consultation, reminders_sweep
from proposals.models import State
from tests.activities.contacts.contact_helpers import offered_pks
from tests.activities.events.event_helpers import ConsultationFactory
from tests.activities.reminders.reminder_helpers import TODAY, log_contact, only_rule
from tests.factories import ConstituentFactory, PlatformFactory
from tests.proposals.factories import (
    HandlingUnitFactory,
    ProposalFactory,
    proposal_in,
    unit_login,
)

pytestmark = pytest.mark.django_db

URL = reverse("activities:contactlog-create")


def log_for(member, people, **links):
    # Now, not an hour ago: in the first hour of a local day that would be yesterday, before
    # a reply sent today (the feedback reminder's trigger).
    return contact_log_create(
        by=member.user, member=member, constituents=people,
        contacted_at=timezone.now(), channel=Channel.FORUM,
        mode=ContactLog.Mode.VISIT, summary="反馈提案办理情况", **links,
    )


def form_data(people, **overrides):
    data = {
        "constituents": [p.pk for p in people],
        "contacted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "channel": Channel.FORUM,
        "mode": ContactLog.Mode.VISIT,
        "summary": "向群众反馈提案答复",
    }
    data.update(overrides)
    return data


@pytest.fixture
def feedback(council, member_a, member_b, staff):
    """A proposal of member B, replied today, that came from an opinion member A's
    constituent raised yesterday: member A owes that person a feedback visit."""
    only_rule(council, TriggerType.PROPOSAL_REPLIED)
    unit = HandlingUnitFactory(council=council)
    unit_login(unit, "unit1")
    source = ConstituentFactory(member=member_a)
    proposal = proposal_in(State.ASSIGNED, proposer=member_b, staff=staff, unit=unit)
    log_contact(member_a, [source], TODAY - timedelta(days=1), proposal=proposal)
    from proposals import services as proposal_services

    proposal_services.proposal_reply(proposal=proposal, by=unit.users.first(), category="A",
                                     text="已解决。")
    reminders_sweep(today=TODAY)
    reminder = Reminder.objects.get(rule__trigger_type=TriggerType.PROPOSAL_REPLIED)
    assert reminder.member == member_a
    assert reminder.constituent == source
    assert reminder.state == Reminder.State.OPEN
    return reminder, proposal, source


# The service -----------------------------------------------------------------------------


def test_log_names_a_visible_proposal_and_a_consultation_taken_part_in(council, member_a):
    person = ConstituentFactory(member=member_a)
    proposal = ProposalFactory(proposer=member_a)
    consultation = ConsultationFactory(council=council, members=[member_a])

    log = log_for(member_a, [person], proposal=proposal, consultation=consultation)

    log.refresh_from_db()
    assert log.proposal == proposal
    assert log.consultation == consultation


def test_staff_logging_for_a_member_may_name_any_proposal_of_the_council(
    council, member_a, member_b, staff
):
    person = ConstituentFactory(member=member_a)
    proposal = ProposalFactory(proposer=member_b)  # a draft: member A cannot see it, staff can

    log = contact_log_create(
        by=staff, member=member_a, constituents=[person], contacted_at=timezone.now(),
        channel=Channel.FORUM, mode=ContactLog.Mode.VISIT, summary="代为记录", proposal=proposal,
    )

    assert log.proposal == proposal


def test_refuses_a_proposal_of_another_council(member_a, other_member):
    person = ConstituentFactory(member=member_a)
    theirs = ProposalFactory(proposer=other_member)
    with pytest.raises(ValidationError) as caught:
        log_for(member_a, [person], proposal=theirs)
    assert list(caught.value.message_dict) == ["proposal"]
    assert not ContactLog.objects.exists()
    person.refresh_from_db()
    assert person.last_contacted_at is None


def test_refuses_a_proposal_the_member_may_not_see(member_a, member_b):
    person = ConstituentFactory(member=member_a)
    draft_of_b = ProposalFactory(proposer=member_b)  # not filed, member A not invited
    with pytest.raises(ValidationError) as caught:
        log_for(member_a, [person], proposal=draft_of_b)
    assert "proposal" in caught.value.message_dict
    assert not ContactLog.objects.exists()


def test_refuses_a_consultation_of_another_council(member_a, other_council):
    person = ConstituentFactory(member=member_a)
    elsewhere = ConsultationFactory(council=other_council)
    with pytest.raises(ValidationError) as caught:
        log_for(member_a, [person], consultation=elsewhere)
    assert list(caught.value.message_dict) == ["consultation"]
    assert not ContactLog.objects.exists()


def test_refuses_a_consultation_the_member_took_no_part_in(council, member_a, member_b):
    person = ConstituentFactory(member=member_a)
    without_a = ConsultationFactory(council=council, members=[member_b])
    with pytest.raises(ValidationError) as caught:
        log_for(member_a, [person], consultation=without_a)
    assert "consultation" in caught.value.message_dict
    assert not ContactLog.objects.exists()


def test_a_log_naming_the_proposal_closes_the_feedback_reminder(feedback, member_a):
    reminder, proposal, source = feedback
    log_for(member_a, [source])  # a visit that does not name the proposal
    reminder.refresh_from_db()
    assert reminder.state == Reminder.State.OPEN

    log = log_for(member_a, [source], proposal=proposal)

    reminder.refresh_from_db()
    assert reminder.state == Reminder.State.DONE
    assert reminder.satisfied_by == log
    assert reminder.on_time


# The page: ?reminder= ----------------------------------------------------------------------


def test_own_reminder_prefills_the_person_and_the_proposal(client_for, feedback, member_a):
    reminder, proposal, source = feedback

    response = client_for(member_a).get(URL, {"reminder": reminder.pk})

    assert response.status_code == 200
    form = response.context["form"]
    assert form["constituents"].value() == [source.pk]
    assert form["proposal"].value() == proposal.pk
    # Member B's proposal is offered only because the reminder is about it.
    assert proposal in form.fields["proposal"].queryset
    html = response.content.decode()
    assert 'data-testid="for-reminder"' in html
    assert reminder.rule.name in html
    assert re.search(r'<details[^>]*data-testid="links"\s+open>', html)  # unfolded


def test_without_a_reminder_the_links_stay_folded_and_offer_only_my_proposals(
    client_for, feedback, member_a
):
    _reminder, proposal_of_b, _source = feedback
    mine = ProposalFactory(proposer=member_a)

    response = client_for(member_a).get(URL)

    form = response.context["form"]
    assert offered_pks(form.fields["proposal"]) == {mine.pk}
    assert proposal_of_b.pk not in offered_pks(form.fields["proposal"])
    assert not form.has_links
    html = response.content.decode()
    assert re.search(r'<details[^>]*data-testid="links"\s*>', html)  # folded
    assert 'data-testid="for-reminder"' not in html


def test_consultation_reminder_prefills_the_consultation(client_for, council, member_a):
    only_rule(council, TriggerType.CONSULTATION)
    ConstituentFactory(member=member_a)
    consultation = ConsultationFactory(
        council=council, members=[member_a], held_on=TODAY + timedelta(days=5)
    )
    reminders_for_consultation(consultation=consultation, today=TODAY)
    reminder = Reminder.objects.get(member=member_a)

    response = client_for(member_a).get(URL, {"reminder": reminder.pk})

    form = response.context["form"]
    assert form["consultation"].value() == consultation.pk
    assert form["constituents"].value() == []  # a member-level reminder: any of my people


@pytest.mark.parametrize("who", ["member_b", "other_member"])
def test_someone_elses_reminder_is_not_found(client_for, feedback, request, who):
    reminder, _proposal, _source = feedback
    response = client_for(request.getfixturevalue(who)).get(URL, {"reminder": reminder.pk})
    assert response.status_code == 404


@pytest.mark.parametrize("raw", ["999999", "abc"])
def test_an_unknown_reminder_is_not_found(client_for, member_a, raw):
    assert client_for(member_a).get(URL, {"reminder": raw}).status_code == 404


def test_staff_may_not_open_the_member_form_even_with_a_reminder(client_for, feedback, staff):
    reminder, _proposal, _source = feedback
    assert client_for(staff).get(URL, {"reminder": reminder.pk}).status_code == 403


def test_saving_the_prefilled_page_closes_the_feedback_reminder(client_for, feedback, member_a):
    reminder, proposal, source = feedback

    response = client_for(member_a).post(
        f"{URL}?reminder={reminder.pk}", form_data([source], proposal=proposal.pk)
    )

    assert response.status_code == 302
    log = ContactLog.objects.latest("id")
    assert log.proposal == proposal
    reminder.refresh_from_db()
    assert reminder.state == Reminder.State.DONE
    assert reminder.satisfied_by == log


def test_a_proposal_outside_the_offered_list_is_refused_and_nothing_written(
    client_for, member_a, member_b
):
    person = ConstituentFactory(member=member_a)
    draft_of_b = ProposalFactory(proposer=member_b)

    response = client_for(member_a).post(URL, form_data([person], proposal=draft_of_b.pk))

    assert response.status_code == 200
    assert "proposal" in response.context["form"].errors
    assert response.context["form"].has_links  # the folded section opens on its error
    assert not ContactLog.objects.exists()


def test_a_consultation_posted_from_another_council_is_refused(client_for, member_a, other_council):
    person = ConstituentFactory(member=member_a)
    elsewhere = ConsultationFactory(council=other_council)

    response = client_for(member_a).post(URL, form_data([person], consultation=elsewhere.pk))

    assert "consultation" in response.context["form"].errors
    assert not ContactLog.objects.exists()


@pytest.mark.parametrize("size", [2, 20])
def test_form_with_a_reminder_query_budget(
    client_for, feedback, council, member_a, django_assert_max_num_queries, size
):
    reminder, _proposal, _source = feedback
    ConstituentFactory.create_batch(size, member=member_a)
    PlatformFactory.create_batch(3, council=council)
    for _ in range(size):
        ProposalFactory(proposer=member_a)
        ConsultationFactory(council=council, members=[member_a])
    client = client_for(member_a)
    # session, user (with the member), reminder (+rule), council (platform scope), roster,
    # platforms, tags, proposals offered, my consultations
    with django_assert_max_num_queries(9):
        response = client.get(URL, {"reminder": reminder.pk})
    form = response.context["form"]
    assert len(form.fields["proposal"].queryset) == size + 1
    assert len(form.fields["consultation"].queryset) == size


# The demo ----------------------------------------------------------------------------------


def test_demo_feedback_visits_name_their_proposal_and_every_rule_has_done_reminders():
    import random

    from liaison.demo import PARTS, SEED
    from liaison.demo import members as members_part
    from liaison.demo import reminders as reminders_part

    today = timezone.localdate()
    council = members_part.ensure_council()
    rng = random.Random(SEED)
    for part in PARTS[: PARTS.index(reminders_part) + 1]:
        part.build(council, rng, today)

    done = Reminder.objects.filter(council=council, state=Reminder.State.DONE)
    assert set(done.values_list("rule__order", flat=True)) == set(range(1, 9))
    feedback = done.filter(rule__trigger_type=TriggerType.PROPOSAL_REPLIED).select_related(
        "satisfied_by"
    )
    assert feedback.exists()
    for reminder in feedback:
        assert reminder.proposal_id == reminder.satisfied_by.proposal_id
    # The demo member still has one to do, to show the flow.
    assert Reminder.objects.pending().filter(
        member__user__username="member", rule__trigger_type=TriggerType.PROPOSAL_REPLIED
    ).exists()



@pytest.mark.parametrize("extra", [0, 5])
def test_detail_shows_the_linked_proposal_and_consultation(
    client_for, council, member_a, extra, django_assert_max_num_queries
):
    people = [ConstituentFactory(member=member_a) for _ in range(1 + extra)]
    proposal = ProposalFactory(proposer=member_a, title="关于加快老旧小区改造的提案")
    consultation = ConsultationFactory(council=council, members=[member_a], topic="社区养老服务")
    log = log_for(member_a, people, proposal=proposal, consultation=consultation)
    client = client_for(member_a)

    # session, user (with the member), log with its member, platform, proposal, session and
    # consultation, its constituents, its photos, its tags
    with django_assert_max_num_queries(6):
        page = client.get(reverse("activities:contactlog-detail", args=[log.pk])).content.decode()

    assert "关于加快老旧小区改造的提案" in page
    assert "社区养老服务" in page
    assert proposal.get_absolute_url() in page

"""Each trigger type creates the right reminders and no others."""

from datetime import timedelta

import pytest
from django.utils import timezone

from activities.models import MustVisitRule, Reminder, TriggerType
from activities.reminders.services.rules import rules_install_defaults
from activities.reminders.services.sweep import reminders_sweep
from tests.activities.reminders.reminder_helpers import TODAY, log_contact, only_rule
from tests.factories import ConstituentFactory

pytestmark = pytest.mark.django_db


def test_defaults_are_eight_editable_rules(council):
    rules = rules_install_defaults(council=council)
    assert len(rules) == 8
    assert {r.trigger_type for r in rules} == set(TriggerType.values)
    rules_install_defaults(council=council)
    assert MustVisitRule.objects.filter(council=council).count() == 8


def test_periodic_due_after_last_contact(council, member_a, member_b):
    rule = only_rule(council, TriggerType.PERIODIC)  # 90 days, shown 14 ahead
    stale = ConstituentFactory(member=member_a, name="久未联系")
    soon = ConstituentFactory(member=member_a, name="快到期")
    fresh = ConstituentFactory(member=member_b, name="刚联系")
    log_contact(member_a, [stale], TODAY - timedelta(days=200))
    log_contact(member_a, [soon], TODAY - timedelta(days=80))
    log_contact(member_b, [fresh], TODAY - timedelta(days=10))

    reminders_sweep(today=TODAY)

    got = {r.constituent.name: r for r in Reminder.objects.filter(rule=rule)}
    assert set(got) == {"久未联系", "快到期"}
    assert got["久未联系"].due_on == TODAY - timedelta(days=110)
    assert got["久未联系"].state == Reminder.State.OVERDUE
    assert got["快到期"].due_on == TODAY + timedelta(days=10)
    assert got["快到期"].state == Reminder.State.OPEN
    assert got["快到期"].period_key == f"since-{TODAY - timedelta(days=80)}"


def test_first_visit_for_never_contacted_only(council, member_a):
    rule = only_rule(council, TriggerType.FIRST_VISIT)
    new = ConstituentFactory(member=member_a, name="新联系人")
    seen = ConstituentFactory(member=member_a, name="已联系")
    log_contact(member_a, [seen], TODAY - timedelta(days=1))
    reminders_sweep(today=TODAY)
    [reminder] = Reminder.objects.filter(rule=rule)
    assert reminder.constituent == new
    assert reminder.period_key == "first"
    assert (reminder.campaign, reminder.consultation, reminder.proposal, reminder.flagged_by) == (
        None, None, None, None)
    assert reminder.due_on == new.created_at.astimezone().date() + timedelta(days=30)


def test_a_constituent_whose_contacts_were_archived_is_not_new(council, member_a):
    """Archiving a month moves its logs and their links out of the tables; the people they
    reached were still contacted (their last contact stays), so they get no first visit."""
    from activities.models import ContactLogConstituent

    only_rule(council, TriggerType.FIRST_VISIT)
    seen = ConstituentFactory(member=member_a, name="早已联系")
    log_contact(member_a, [seen], TODAY - timedelta(days=400))
    ContactLogConstituent.objects.filter(constituent=seen).delete()  # as the archive leaves it
    reminders_sweep(today=TODAY)
    assert not Reminder.objects.exists()


def test_first_visit_event_when_a_constituent_is_added(council, member_a, django_capture_on_commit_callbacks):
    from members.services import constituent_create

    only_rule(council, TriggerType.FIRST_VISIT)
    with django_capture_on_commit_callbacks(execute=True):
        person = constituent_create(by=member_a.user, member=member_a, name="新联系人")
    assert Reminder.objects.get().constituent == person


def test_rule_sectors_limit_who_gets_reminders(council, member_a, member_b, other_sector):
    rule = only_rule(council, TriggerType.FIRST_VISIT)
    rule.sectors.set([other_sector])
    ConstituentFactory(member=member_a)
    educated = ConstituentFactory(member=member_b)
    reminders_sweep(today=TODAY)
    assert [r.constituent for r in Reminder.objects.all()] == [educated]


def test_inactive_member_constituent_and_rule_get_nothing(council, member_a, member_b):
    rule = only_rule(council, TriggerType.FIRST_VISIT)
    ConstituentFactory(member=member_a, active=False)
    member_b.status = "inactive"
    member_b.save()
    ConstituentFactory(member=member_b)
    reminders_sweep(today=TODAY)
    assert not Reminder.objects.exists()
    rule.active = False
    rule.save()
    ConstituentFactory(member=member_a)
    reminders_sweep(today=TODAY)
    assert not Reminder.objects.exists()


def test_calendar_window_is_member_level_and_only_inside_the_window(council, member_a, member_b):
    rule = only_rule(council, TriggerType.CALENDAR)  # 春节 01-15..02-15, 中秋 09-10..09-30
    ConstituentFactory(member=member_a)
    ConstituentFactory(member=member_b)
    reminders_sweep(today=TODAY.replace(month=3, day=10))  # no window open in March
    assert not Reminder.objects.exists()
    day = TODAY.replace(month=9, day=12)
    log_contact(member_b, [member_b.constituents.first()], day - timedelta(days=1))
    reminders_sweep(today=day)
    [reminder] = Reminder.objects.filter(rule=rule)
    assert (reminder.member, reminder.constituent) == (member_a, None)
    assert reminder.due_on == day.replace(day=30)
    assert reminder.note == "中秋、人民政协成立纪念日"


def test_difficulty_flag_creates_a_follow_up_for_its_constituents(council, member_a):
    rule = only_rule(council, TriggerType.DIFFICULTY)
    sick, other = ConstituentFactory(member=member_a), ConstituentFactory(member=member_a)
    log_contact(member_a, [other], TODAY - timedelta(days=2))
    flagged = log_contact(member_a, [sick], TODAY - timedelta(days=1),
                          difficulty=True, difficulty_kind="illness")
    reminders_sweep(today=TODAY)
    [reminder] = Reminder.objects.filter(rule=rule)
    assert reminder.constituent == sick
    assert reminder.flagged_by == flagged
    assert reminder.period_key == f"difficulty-{flagged.pk}"
    assert (reminder.campaign, reminder.consultation, reminder.proposal) == (None, None, None)
    assert reminder.due_on == TODAY + timedelta(days=6)


def test_difficulty_already_followed_up_is_not_recreated(council, member_a):
    only_rule(council, TriggerType.DIFFICULTY)
    sick = ConstituentFactory(member=member_a)
    log_contact(member_a, [sick], TODAY - timedelta(days=3), difficulty=True, difficulty_kind="hardship")
    log_contact(member_a, [sick], TODAY - timedelta(days=1))
    reminders_sweep(today=TODAY)
    assert not Reminder.objects.exists()


def test_consultation_reminds_participating_members_before_its_date(council, member_a, member_b, staff,
                                                                    django_capture_on_commit_callbacks):
    from activities.events.services.consultations import consultation_create

    only_rule(council, TriggerType.CONSULTATION)
    today = timezone.localdate()  # the event task runs on the real day
    with django_capture_on_commit_callbacks(execute=True):
        consultation = consultation_create(council=council, by=staff, topic="老旧小区改造",
                                           held_on=today + timedelta(days=10), members=[member_a])
    assert Reminder.objects.count() == 1  # the event made it
    reminders_sweep(today=today)  # the sweep finds the same reminder: no duplicate
    [reminder] = Reminder.objects.all()
    assert (reminder.member, reminder.constituent) == (member_a, None)
    assert reminder.due_on == consultation.held_on
    assert reminder.consultation == consultation
    assert reminder.period_key == f"consultation-{consultation.pk}"
    reminders_sweep(today=today + timedelta(days=11))  # past consultations make no new ones
    assert Reminder.objects.count() == 1


def test_proposal_reply_reminds_the_constituents_whose_opinion_it_came_from(
    council, member_a, staff, django_capture_on_commit_callbacks
):
    from proposals import services as proposal_services
    from proposals.models import State
    from tests.proposals.factories import HandlingUnitFactory, proposal_in, unit_login

    rule = only_rule(council, TriggerType.PROPOSAL_REPLIED)
    unit = HandlingUnitFactory(council=council)
    unit_login(unit, "unit1")
    proposal = proposal_in(State.ASSIGNED, proposer=member_a, staff=staff, unit=unit)
    source, bystander = ConstituentFactory(member=member_a), ConstituentFactory(member=member_a)
    log_contact(member_a, [source], TODAY - timedelta(days=1), proposal=proposal)
    log_contact(member_a, [bystander], TODAY - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        proposal_services.proposal_reply(proposal=proposal, by=unit.users.first(),
                                         category="A", text="已解决。")
    [reminder] = Reminder.objects.filter(rule=rule)
    assert reminder.constituent == source
    assert reminder.proposal == proposal
    assert reminder.period_key == f"proposal-{proposal.pk}-r1"
    assert reminder.due_on == reminder.trigger_on + timedelta(days=15)


def test_campaign_preview_equals_what_it_creates(council, member_a, member_b, sector, staff,
                                                 django_capture_on_commit_callbacks):
    from activities.reminders.services.campaigns import campaign_preview, campaign_start

    rule = only_rule(council, TriggerType.CAMPAIGN)
    ConstituentFactory.create_batch(3, member=member_a)
    ConstituentFactory.create_batch(2, member=member_b)
    assert campaign_preview(council=council, rule=rule, sectors=[sector]) == 3
    assert campaign_preview(council=council, rule=rule) == 5
    with django_capture_on_commit_callbacks(execute=True):
        campaign = campaign_start(council=council, rule=rule, title="传达十届四次会议精神",
                                  kind="meeting", sectors=[sector], by=staff, today=TODAY)
    assert Reminder.objects.filter(rule=rule, campaign=campaign).count() == 3
    assert set(Reminder.objects.values_list("member", flat=True)) == {member_a.pk}
    assert campaign.due_on == TODAY + timedelta(days=30)


def test_campaign_refuses_bad_input_and_writes_nothing(council, other_council, staff):
    from django.core.exceptions import ValidationError

    from activities.models import Campaign
    from activities.reminders.services.campaigns import campaign_start

    rule = only_rule(council, TriggerType.CAMPAIGN)
    periodic = MustVisitRule.objects.get(council=council, trigger_type=TriggerType.PERIODIC)
    for kwargs in [{"title": " "}, {"kind": "party"}, {"rule": periodic}, {"due_in_days": 0}]:
        args = {"council": council, "rule": rule, "title": "传达", "kind": "meeting", "by": staff, **kwargs}
        with pytest.raises(ValidationError):
            campaign_start(**args)
    with pytest.raises(ValidationError):
        campaign_start(council=other_council, rule=rule, title="x", kind="meeting", by=staff)
    assert not Campaign.objects.exists()


def test_one_sweep_covers_every_running_campaign_of_a_rule(council, member_a, member_b, sector,
                                                           staff, django_capture_on_commit_callbacks):
    """The sweep inserts the reminders of all running campaigns of a rule in one statement."""
    from activities.models import Campaign
    from activities.reminders.services.campaigns import campaign_start

    rule = only_rule(council, TriggerType.CAMPAIGN)
    ConstituentFactory.create_batch(2, member=member_a)
    ConstituentFactory(member=member_b)
    with django_capture_on_commit_callbacks(execute=False):  # no event task: the sweep does it
        meeting = campaign_start(council=council, rule=rule, title="传达全会精神", kind="meeting",
                                 by=staff, today=TODAY)
        policy = campaign_start(council=council, rule=rule, title="惠企政策", kind="policy",
                                sectors=[sector], by=staff, today=TODAY)
    assert Campaign.objects.count() == 2
    reminders_sweep(today=TODAY)
    reminders_sweep(today=TODAY)  # and twice changes nothing
    assert Reminder.objects.filter(campaign=meeting).count() == 3
    assert Reminder.objects.filter(campaign=policy).count() == 2


def test_one_sweep_covers_overlapping_calendar_windows(council, member_a):
    rule = only_rule(council, TriggerType.CALENDAR)
    rule.windows = [
        {"label": "国庆", "start": "09-20", "end": "10-07"},
        {"label": "重阳", "start": "09-25", "end": "10-15"},
    ]
    rule.save()
    ConstituentFactory(member=member_a)
    day = TODAY.replace(month=9, day=28)
    reminders_sweep(today=day)
    reminders_sweep(today=day)
    due = sorted(Reminder.objects.filter(rule=rule).values_list("due_on", flat=True))
    assert due == [day.replace(month=10, day=7), day.replace(month=10, day=15)]


def _defaults_of(council):
    return list(
        MustVisitRule.objects.filter(council=council, active=True)
        .order_by("order").values_list("name", "trigger_type")
    )


def test_a_new_council_starts_with_the_eight_default_rules(db):
    from activities.reminders.services.rules import DEFAULT_RULES
    from members.models import Council
    from members.services import council_create

    council = council_create(by=None, name="勃利县政协", level=Council.Level.DISTRICT)
    expected = [(name, trigger) for _o, name, trigger, *_rest in DEFAULT_RULES]
    assert _defaults_of(council) == expected
    council.short_name = "勃利县"
    council.save()  # a change is not a creation: nothing added
    rules_install_defaults(council=council)  # nor does re-running the installer
    assert MustVisitRule.objects.filter(council=council).count() == 8


def test_a_council_added_in_the_admin_has_the_default_rules(db, client_for):
    from members.models import Council, User
    from tests.factories import UserFactory

    root = UserFactory(username="root", role=User.Role.ADMIN, is_staff=True, is_superuser=True)
    response = client_for(root).post(
        "/admin/members/council/add/", {"name": "桃山区政协", "short_name": "", "level": "district"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    council = Council.objects.get(name="桃山区政协")
    assert len(_defaults_of(council)) == 8
    assert MustVisitRule.objects.filter(council=council).count() == 8


def test_every_demo_council_has_the_default_rules_and_consultations_their_sectors(db):
    from activities.models import Consultation
    from liaison import demo
    from liaison.demo import members as demo_members
    from liaison.demo import rollup
    from members.models import Council

    demo.build(today=TODAY)
    for name in (demo.DEMO_COUNCIL, demo_members.CITY, rollup.DISTRICT):
        council = Council.objects.get(name=name)
        assert len(_defaults_of(council)) == 8, name
    # A demo database made before councils got their rules on creation catches up, once.
    city = Council.objects.get(name=demo_members.CITY)
    MustVisitRule.objects.filter(council=city).delete()
    demo.build(today=TODAY)
    demo.build(today=TODAY)
    assert MustVisitRule.objects.filter(council=city).count() == 8
    # Demo consultations involve the sectors their platform serves.
    consultations = Consultation.objects.filter(platform__isnull=False).prefetch_related(
        "sectors", "platform__sectors"
    )
    assert consultations.count() == 28
    for consultation in consultations:
        assert set(consultation.sectors.all()) == set(consultation.platform.sectors.all())
        assert consultation.sectors.all()

"""The "before a consultation" rule: who is reminded (participating members and the members
of the sectors involved), and what a change to the consultation does to its reminders."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from activities.events.services import consultations as services
from activities.models import Consultation, Reminder, TriggerType
from activities.reminders.services.sweep import reminders_sweep
from tests.activities.reminders.reminder_helpers import log_contact, only_rule
from tests.factories import ConstituentFactory, MemberFactory, SectorFactory

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()  # the event task runs on the real day


def _reminded(consultation) -> set:
    return set(
        Reminder.objects.filter(consultation=consultation)
        .values_list("member__name", flat=True)
    )


@pytest.fixture
def rule(council):
    return only_rule(council, TriggerType.CONSULTATION)


def test_members_of_the_sectors_involved_are_reminded_with_the_participants(
    rule, council, sector, other_sector, member_a, member_b, staff, other_member,
    django_capture_on_commit_callbacks,
):
    colleague = MemberFactory(council=council, sector=sector, name="王委员")
    MemberFactory(council=council, sector=sector, name="已离任", status="inactive")
    MemberFactory(council=council, sector=SectorFactory(council=council, name="农业界"), name="赵委员")
    with django_capture_on_commit_callbacks(execute=True):
        consultation = services.consultation_create(
            council=council, by=staff, topic="营商环境", held_on=_today() + timedelta(days=10),
            members=[member_a, member_b], sectors=[sector],
        )
    # member_a both takes part and is of the sector: one reminder.
    assert _reminded(consultation) == {member_a.name, member_b.name, colleague.name}
    assert Reminder.objects.count() == 3
    reminders_sweep(today=_today())  # the sweep finds the same ones
    assert Reminder.objects.count() == 3
    assert set(Reminder.objects.values_list("due_on", flat=True)) == {consultation.held_on}
    assert set(Reminder.objects.values_list("constituent", flat=True)) == {None}


def test_the_rules_own_sectors_narrow_both(rule, council, sector, other_sector, member_a, member_b):
    from tests.activities.events.event_helpers import ConsultationFactory

    rule.sectors.set([other_sector])
    teacher = MemberFactory(council=council, sector=other_sector, name="钱老师")
    consultation = ConsultationFactory(
        council=council, held_on=_today() + timedelta(days=3), members=[member_a]
    )
    consultation.sectors.set([sector, other_sector])
    reminders_sweep(today=_today())
    assert _reminded(consultation) == {member_b.name, teacher.name}


def test_a_consultation_refuses_sectors_of_another_council(council, other_council, staff):
    foreign = SectorFactory(council=other_council, name="外区界别")
    with pytest.raises(ValidationError) as error:
        services.consultation_create(council=council, by=staff, topic="x", held_on=_today(),
                                     sectors=[foreign])
    assert "sectors" in error.value.message_dict
    assert not Consultation.objects.exists()


def test_the_form_saves_the_sectors_and_the_page_shows_them(
    rule, client_for, council, staff, sector, other_council, member_a, member_b,
    django_capture_on_commit_callbacks,
):
    foreign = SectorFactory(council=other_council, name="外区界别")
    data = {"topic": "营商环境", "held_on": (_today() + timedelta(days=5)).isoformat(),
            "officials_count": 0, "constituents_count": 0}
    client = client_for(staff)
    url = reverse("activities:consultation-create")
    response = client.post(url, {**data, "sectors": [foreign.pk]})
    assert response.status_code == 200  # not a choice of this council
    assert "sectors" in response.context["form"].errors
    assert not Consultation.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**data, "sectors": [sector.pk]})
    consultation = Consultation.objects.get()
    assert response.status_code == 302
    assert list(consultation.sectors.all()) == [sector]
    assert _reminded(consultation) == {member_a.name}  # of 经济界; member_b is not
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert "经济界" in page


# --- consultation_update: members added later, a moved date -----------------------------


def test_members_added_later_get_their_reminder_at_once(
    rule, council, staff, member_a, member_b, other_sector, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        consultation = services.consultation_create(
            council=council, by=staff, topic="老旧小区改造", held_on=_today() + timedelta(days=10),
            members=[member_a],
        )
    assert _reminded(consultation) == {member_a.name}
    teacher = MemberFactory(council=council, sector=other_sector, name="钱老师")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.consultation_update(consultation=consultation, by=staff,
                                     members=[member_a, member_b])
    # The event was enqueued on commit (and the council's figures version moved).
    assert len(callbacks) == 2
    assert _reminded(consultation) == {member_a.name, member_b.name}
    with django_capture_on_commit_callbacks(execute=True):
        services.consultation_update(consultation=consultation, by=staff, sectors=[other_sector])
    assert _reminded(consultation) == {member_a.name, member_b.name, teacher.name}
    with django_capture_on_commit_callbacks(execute=True):  # saved again: nothing new
        services.consultation_update(consultation=consultation, by=staff, topic="老旧小区改造（二）")
    assert Reminder.objects.count() == 3


def test_a_moved_date_moves_the_open_reminders_not_the_done_ones(
    rule, council, staff, member_a, member_b, django_capture_on_commit_callbacks
):
    today = _today()
    with django_capture_on_commit_callbacks(execute=True):
        consultation = services.consultation_create(
            council=council, by=staff, topic="加装电梯", held_on=today + timedelta(days=10),
            members=[member_a, member_b],
        )
    log_contact(member_b, [ConstituentFactory(member=member_b)], today)  # member_b is done
    done = Reminder.objects.get(member=member_b)
    assert done.state == Reminder.State.DONE
    Reminder.objects.filter(member=member_a).update(state=Reminder.State.OVERDUE)  # say

    later = today + timedelta(days=20)
    with django_capture_on_commit_callbacks(execute=True):
        services.consultation_update(consultation=consultation, by=staff, held_on=later)
    moved = Reminder.objects.get(member=member_a)
    assert (moved.due_on, moved.state) == (later, Reminder.State.OPEN)
    done.refresh_from_db()
    assert (done.due_on, done.state) == (today + timedelta(days=10), Reminder.State.DONE)
    assert Reminder.objects.count() == 2  # the same reminders, moved: no new period

    earlier = today - timedelta(days=1)  # moved into the past (held already): overdue
    services.consultation_update(consultation=consultation, by=staff, held_on=earlier)
    moved.refresh_from_db()
    assert (moved.due_on, moved.state) == (earlier, Reminder.State.OVERDUE)


def test_a_moved_date_is_undone_with_the_failed_update(rule, council, staff, member_a,
                                                        django_capture_on_commit_callbacks):
    from tests.factories import PlatformFactory

    with django_capture_on_commit_callbacks(execute=True):
        consultation = services.consultation_create(
            council=council, by=staff, topic="加装电梯", held_on=_today() + timedelta(days=10),
            members=[member_a],
        )
    foreign = PlatformFactory(council=MemberFactory().council)
    with pytest.raises(ValidationError):
        services.consultation_update(consultation=consultation, by=staff, platform=foreign,
                                     held_on=_today() + timedelta(days=30))
    assert Reminder.objects.get().due_on == _today() + timedelta(days=10)

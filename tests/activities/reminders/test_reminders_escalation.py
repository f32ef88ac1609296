"""The weekly escalation per special committee: staff of a committee hear of its members
only; council staff without a committee hear of the whole council."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from activities.models import Reminder, TriggerType
from activities.reminders.services.notices import reminders_escalate
from activities.reminders.services.sweep import reminders_sweep
from members.models import Notification, User
from tests.activities.reminders.reminder_helpers import TODAY, only_rule
from tests.factories import CommitteeFactory, ConstituentFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def long_overdue(council, sector, committee, settings):
    """张委员 (经济委) and 孙委员 (社法委) each with a first visit overdue for 8 days; 李委员
    (经济委) with nothing overdue. Returns the day to escalate on."""
    settings.ESCALATE_OVERDUE_DAYS = 7
    only_rule(council, TriggerType.FIRST_VISIT)
    law = CommitteeFactory(council=council, name="社法委")
    zhang = MemberFactory(council=council, sector=sector, committee=committee, name="张委员")
    sun = MemberFactory(council=council, sector=sector, committee=law, name="孙委员")
    MemberFactory(council=council, sector=sector, committee=committee, name="李委员")
    for member in (zhang, sun):
        ConstituentFactory(member=member)
    reminders_sweep(today=TODAY)
    day = Reminder.objects.first().due_on + timedelta(days=8)
    reminders_sweep(today=day)
    return day, law


def _notice(user):
    return Notification.objects.get(user=user, kind="reminder_escalation")


def test_committee_staff_hear_of_their_committee_only(council, committee, staff, long_overdue):
    day, law = long_overdue
    economy_staff = UserFactory(council=council, role=User.Role.STAFF, committee=committee)
    law_staff = UserFactory(council=council, role=User.Role.STAFF, committee=law)
    assert reminders_escalate(today=day) == 1

    economy = _notice(economy_staff)
    assert "张委员" in economy.body
    assert "孙委员" not in economy.body
    assert len(economy.body.splitlines()) == 1
    law_notice = _notice(law_staff)
    assert "孙委员" in law_notice.body
    assert "张委员" not in law_notice.body
    # Council staff with no committee: the whole list, as before.
    whole = _notice(staff)
    assert "张委员" in whole.body
    assert "孙委员" in whole.body
    assert len(whole.body.splitlines()) == 2


def test_a_committee_with_nothing_overdue_gets_no_notice(council, staff, long_overdue):
    day, _law = long_overdue
    quiet = UserFactory(council=council, role=User.Role.STAFF,
                        committee=CommitteeFactory(council=council, name="文史委"))
    reminders_escalate(today=day)
    assert not Notification.objects.filter(user=quiet).exists()
    assert Notification.objects.filter(user=staff).count() == 1
    reminders_escalate(today=day)  # the same week again: no second notice
    assert Notification.objects.filter(user=staff).count() == 1


def test_a_users_committee_must_be_of_their_council(council, other_council):
    user = UserFactory.build(council=council, committee=CommitteeFactory(council=other_council))
    with pytest.raises(ValidationError) as error:
        user.clean()
    assert "committee" in error.value.message_dict


def test_the_admin_sets_a_users_committee(council, committee, client_for, staff):
    root = UserFactory(username="root", role=User.Role.ADMIN, is_staff=True, is_superuser=True)
    page = client_for(root).get(f"/admin/members/user/{staff.pk}/change/")
    assert page.status_code == 200
    assert 'name="committee"' in page.content.decode()

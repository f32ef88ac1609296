"""A council or a constituent added by any path gets its must-visit set-up: the members
services raise ``council_added`` / ``constituent_added`` (members may not import activities)
and the reminders handle them. No model signal: a bare ``save()`` sets nothing off."""

import pytest
from django.urls import reverse

from activities.models import MustVisitRule, Reminder, TriggerType
from members.models import Constituent, Council, User
from tests.activities.reminders.reminder_helpers import only_rule
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(council):
    return UserFactory(username="root", role=User.Role.ADMIN, council=council, is_staff=True,
                       is_superuser=True)


def _first_visits(person) -> int:
    return Reminder.objects.filter(constituent=person, rule__trigger_type=TriggerType.FIRST_VISIT).count()


def test_a_constituent_added_on_the_members_page_gets_a_first_visit(
    client_for, council, member_a, django_capture_on_commit_callbacks
):
    only_rule(council, TriggerType.FIRST_VISIT)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(member_a).post(
            reverse("members:constituent-create"), {"name": "新群众", "phone": "13812345678"}
        )
    assert response.status_code == 302
    assert _first_visits(Constituent.objects.get(name="新群众")) == 1


def test_a_constituent_added_in_the_admin_gets_a_first_visit(
    client_for, root, council, member_a, django_capture_on_commit_callbacks
):
    only_rule(council, TriggerType.FIRST_VISIT)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(root).post("/admin/members/constituent/add/", {
            "council": council.pk, "sector": member_a.sector_id, "member": member_a.pk,
            "name": "后台新增", "phone": "138 1234 5678", "active": "on",
        })
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Constituent.objects.get(name="后台新增")
    assert person.phone == "13812345678"  # through the service: normalised
    assert person.history.get().history_user == root  # and audited
    assert _first_visits(person) == 1


def test_a_council_changed_in_the_admin_gets_no_second_set_of_rules(client_for, root, council):
    response = client_for(root).post(
        f"/admin/members/council/{council.pk}/change/",
        {"name": council.name, "short_name": "新兴区", "level": "district"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert MustVisitRule.objects.filter(council=council).count() == 8


def test_only_the_operator_adds_councils(staff):
    from django.core.exceptions import PermissionDenied

    from members.services import council_create

    with pytest.raises(PermissionDenied):
        council_create(by=staff, name="越权区政协", level=Council.Level.DISTRICT)
    assert not Council.objects.filter(name="越权区政协").exists()


def test_a_bare_save_sets_nothing_off(council, member_a, django_capture_on_commit_callbacks):
    only_rule(council, TriggerType.FIRST_VISIT)
    with django_capture_on_commit_callbacks(execute=True):
        bare = Council.objects.create(name="裸存区政协", level=Council.Level.DISTRICT)
        person = Constituent.objects.create(council=council, member=member_a,
                                            sector=member_a.sector, name="裸存群众")
    assert not MustVisitRule.objects.filter(council=bare).exists()
    assert _first_visits(person) == 0  # the daily sweep makes it, as for bulk imports

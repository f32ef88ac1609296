"""The helpers below every app: who may act for a member, the council-scoped queryset, how a
view shows a service's refusal, and the clock services date their rows by."""

from datetime import UTC, date, datetime

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.utils import timezone

from members import permissions
from members.common import clock
from members.common.forms import service_errors
from members.models import Council, Sector, User
from tests.factories import CouncilFactory, SectorFactory, UserFactory


@pytest.mark.django_db
def test_may_act_for_the_member_themself_and_staff_that_reach_their_council(
    member_a, member_b, staff, leader, other_staff, council
):
    city = CouncilFactory(name="七台河市政协", level=Council.Level.CITY)
    council.parent = city
    council.save()
    city_staff = UserFactory(role=User.Role.STAFF, council=city)

    assert permissions.may_act_for(member_a.user, member_a)
    assert not permissions.may_act_for(member_b.user, member_a)
    assert permissions.may_act_for(staff, member_a)
    assert permissions.may_act_for(city_staff, member_a)
    assert not permissions.may_act_for(leader, member_a)
    assert not permissions.may_act_for(other_staff, member_a)


@pytest.mark.django_db
def test_in_reach_of_is_the_own_council_and_its_subtree(council, other_council, staff, sector):
    city = CouncilFactory(name="七台河市政协", level=Council.Level.CITY)
    council.parent = city
    council.save()
    city_staff = UserFactory(role=User.Role.STAFF, council=city)
    outside = SectorFactory(council=other_council, name="外区经济界")

    assert list(Sector.objects.in_reach_of(staff)) == [sector]
    assert list(Sector.objects.in_reach_of(city_staff)) == [sector]
    assert set(Council.objects.in_reach_of(city_staff)) == {city, council}
    assert outside not in Sector.objects.in_reach_of(staff)


@pytest.mark.django_db
def test_reach_of_names_what_every_scoped_lookup_reads(council, other_council, staff, sector):
    """``permissions.reach_of`` is the one answer that ``council_q``, ``in_reach_of`` and the
    dashboard's SQL write: all, none, the own council, or the subtree."""
    from django.contrib.auth.models import AnonymousUser

    city = CouncilFactory(name="七台河市政协", level=Council.Level.CITY)
    council.parent = city
    council.save()
    city_staff = UserFactory(role=User.Role.STAFF, council=city)
    root = UserFactory(username="root", is_superuser=True, council=city)
    homeless = UserFactory(username="nobody", role=User.Role.STAFF, council=None)

    assert permissions.reach_of(staff) == (permissions.REACH_OWN, council.pk)
    assert permissions.reach_of(city_staff) == (permissions.REACH_SUBTREE, city.pk)
    assert permissions.reach_of(root) == (permissions.REACH_ALL, None)
    assert permissions.reach_of(homeless) == (permissions.REACH_NONE, None)
    assert permissions.reach_of(AnonymousUser()) == (permissions.REACH_NONE, None)
    # The queryset of a subtree and the Q of the same reach read the same rows.
    SectorFactory(council=other_council, name="外区经济界")
    for user in (staff, city_staff, root, homeless, AnonymousUser()):
        assert set(Sector.objects.in_reach_of(user)) == set(
            Sector.objects.filter(permissions.council_q(user)))


class _NameForm(forms.Form):
    name = forms.CharField()


def _valid_form():
    form = _NameForm({"name": "张三"})
    assert form.is_valid()
    return form


def test_service_errors_put_field_errors_on_the_field_and_the_rest_on_the_form():
    form = _valid_form()
    with service_errors(form) as call:
        raise ValidationError({"name": "taken", "phone": "bad"})
    assert not call.ok
    assert form.errors["name"] == ["taken"]
    assert form.non_field_errors() == ["bad"]


def test_service_errors_without_a_refusal_leave_the_form_alone():
    form = _valid_form()
    with service_errors(form) as call:
        pass
    assert call.ok
    assert form.errors == {}


def test_service_errors_flash_messages_when_there_is_no_form():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    with service_errors(request=request) as call:
        raise ValidationError(["one", "two"])
    assert not call.ok
    assert [str(m) for m in get_messages(request)] == ["one", "two"]


def test_service_errors_let_anything_else_through():
    with pytest.raises(PermissionDenied), service_errors(_valid_form()):
        raise PermissionDenied
    with pytest.raises(TypeError), service_errors():
        pass


def test_clock_is_the_real_time_outside_frozen_at():
    before = timezone.now()
    assert before <= clock.now() <= timezone.now()
    assert clock.localdate() == timezone.localdate()


def test_clock_frozen_at_holds_inside_the_block_only():
    moment = datetime(2025, 1, 22, 16, 30, tzinfo=UTC)  # 00:30 the next day in Beijing
    with clock.frozen_at(moment):
        assert clock.now() == moment
        assert str(clock.localdate()) == "2025-01-23"
        with clock.frozen_at(datetime(2024, 1, 1, tzinfo=UTC)):
            assert clock.now().year == 2024
        assert clock.now() == moment
    assert clock.now() != moment
    with pytest.raises(ValueError, match="aware"), clock.frozen_at(datetime(2025, 1, 22)):
        pass


def test_start_of_a_day_is_its_midnight_in_beijing():
    # The day's times begin at 00:00 Asia/Shanghai, 16:00 UTC the day before.
    assert clock.start_of(date(2026, 12, 3)) == datetime(2026, 12, 2, 16, 0, tzinfo=UTC)
    assert timezone.localtime(clock.start_of(date(2026, 1, 1))).hour == 0


"""The current session is the latest one opened: marking an older one current is refused in
Chinese (the demo once kept 十届四次 current beside 十届五次, and new proposals were filed
under the old session); a session planned for a later day does not count yet."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from tests.proposals.factories import SessionFactory

pytestmark = pytest.mark.django_db


def test_an_older_session_cannot_be_current_once_a_later_one_opened(council):
    today = timezone.localdate()
    old = SessionFactory(council=council, number=4, name="十届四次", opened_on=today - timedelta(days=400))
    SessionFactory(council=council, number=5, name="十届五次", opened_on=today - timedelta(days=30))
    old.is_current = True
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        old.full_clean()
    assert "十届五次" in refused.value.message_dict["is_current"][0]
    assert "最新" in refused.value.message_dict["is_current"][0]


def test_the_latest_opened_session_may_be_current(council):
    today = timezone.localdate()
    SessionFactory(council=council, number=4, name="十届四次", opened_on=today - timedelta(days=400))
    new = SessionFactory(council=council, number=5, name="十届五次", opened_on=today - timedelta(days=30))
    new.is_current = True
    new.full_clean()


def test_a_session_planned_for_later_does_not_displace_the_current_one(council, other_council):
    today = timezone.localdate()
    old = SessionFactory(council=council, number=4, opened_on=today - timedelta(days=300))
    SessionFactory(council=council, number=5, opened_on=today + timedelta(days=40))
    SessionFactory(council=other_council, number=6, opened_on=today - timedelta(days=3))  # not ours
    old.is_current = True
    old.full_clean()

"""Marking who came to an activity: the members present are typed into the member picker
(the page had a checkbox for every serving member of the council); it carries those already
marked present, and a member of another council is refused in Chinese, changing nothing."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Attendance
from tests.activities.events.event_helpers import ActivityFactory
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(council):
    activity = ActivityFactory(council=council)
    Activity.objects.filter(pk=activity.pk).update(starts_at=timezone.now() - timedelta(hours=2))
    return activity


def attended_select(body: str) -> str:
    match = re.search(r'<select name="attended"[^>]*>.*?</select>', body, re.S)
    assert match, "no attended select"
    return match.group(0)


def test_the_page_carries_only_those_present(client_for, staff, council, sector, held, member_a):
    MemberFactory.create_batch(150, council=council, sector=sector, committee=member_a.committee)
    client = client_for(staff)
    body = client.get(held.get_absolute_url()).content.decode()
    select = attended_select(body)
    assert select.count("<option") == 0
    assert not re.search(r'<input[^>]*type="checkbox"[^>]*name="attended"', body)
    assert f'data-lookup-url="{reverse("members:member-lookup")}?council={council.pk}&amp;active=1"' in select
    assert body.count("js/lookup-select.js") == 1
    client.post(reverse("activities:activity-attendance", args=[held.pk]), {"attended": [member_a.pk]})
    select = attended_select(client.get(held.get_absolute_url()).content.decode())
    assert select.count("<option") == 1
    assert f'<option value="{member_a.pk}" selected>{member_a.name}（{member_a.sector.name}）</option>' in select


def test_a_member_of_another_council_is_refused(client_for, staff, held, member_a, other_member):
    response = client_for(staff).post(
        reverse("activities:activity-attendance", args=[held.pk]),
        {"attended": [member_a.pk, other_member.pk]}, follow=True,
    )
    assert "请从名单中选择到场委员。" in response.content.decode()
    assert not Attendance.objects.exists()

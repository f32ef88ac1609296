"""The consultation's participating members (参加委员) are picked by typing: the form carries
the chosen members only (never the council's whole list), labelled with their sector, and an
id outside the council is refused in Chinese, changing nothing."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Consultation
from tests.activities.events.event_helpers import ConsultationFactory
from tests.factories import MemberFactory, PlatformFactory

pytestmark = pytest.mark.django_db

MEMBER_LOOKUP = reverse("members:member-lookup")


@pytest.fixture
def city(council, other_council):
    from members.models import Council
    from tests.factories import CouncilFactory

    city = CouncilFactory(name="七台河市政协", level=Council.Level.CITY)
    Council.objects.filter(pk__in=[council.pk, other_council.pk]).update(parent=city)
    council.refresh_from_db()
    return city


def members_select(body: str) -> str:
    match = re.search(r'<select name="members"[^>]*>.*?</select>', body, re.S)
    assert match, "no members select"
    return match.group(0)


def test_the_form_carries_no_list_of_every_member(client_for, staff, council, sector):
    """150 members in the council: the new form has no option at all, the edit form the two
    chosen ones (with their sector), and the picker reads the council's members."""
    members = MemberFactory.create_batch(150, council=council, sector=sector)
    client = client_for(staff)
    body = client.get(reverse("activities:consultation-create")).content.decode()
    select = members_select(body)
    assert body.count("<option") < 40  # the platform's and the like; none of the 150 members
    assert select.count("<option") == 0
    assert f'data-lookup-url="{MEMBER_LOOKUP}?council={council.pk}"' in select
    assert "multiple" in select
    assert body.count("tom-select.complete.min.js") == 1
    assert body.count("js/lookup-select.js") == 1

    consultation = ConsultationFactory(council=council, members=[members[7], members[99]])
    body = client.get(reverse("activities:consultation-edit", args=[consultation.pk])).content.decode()
    select = members_select(body)
    assert select.count("<option") == 2
    for member in (members[7], members[99]):
        assert f'<option value="{member.pk}" selected>{member.name}（{sector.name}）</option>' in select


def test_the_lookup_offers_the_consultation_s_council_only(client_for, council, sector, city,
                                                          other_council):
    """A city's staff reach both districts; the picker of a city consultation offers the
    city's own members, which is what the form accepts."""
    from members.models import User
    from tests.factories import UserFactory

    city_staff = UserFactory(username="city_staff", role=User.Role.STAFF, council=city)
    MemberFactory(council=city, name="王市委员")
    MemberFactory(council=council, sector=sector, name="王区委员")
    client = client_for(city_staff)
    rows = client.get(MEMBER_LOOKUP, {"q": "王"}).json()["results"]
    assert sorted(r["text"] for r in rows) == ["王区委员", "王市委员"]
    rows = client.get(MEMBER_LOOKUP, {"q": "王", "council": city.pk}).json()["results"]
    assert [r["text"] for r in rows] == ["王市委员"]
    body = client.get(reverse("activities:consultation-create")).content.decode()
    assert f"?council={city.pk}" in members_select(body)


def test_posting_members_of_another_council_is_refused_in_chinese(client_for, staff, council,
                                                                   member_a, other_member):
    platform = PlatformFactory(council=council)
    data = {
        "topic": "农产品销路", "held_on": timezone.localdate().isoformat(), "platform": platform.pk,
        "host": "王主任", "officials_count": 0, "constituents_count": 0,
    }
    client = client_for(staff)
    for bad in ([member_a.pk, other_member.pk], ["x"]):
        response = client.post(reverse("activities:consultation-create"), {**data, "members": bad})
        assert response.status_code == 200
        assert "请选择本政协的委员。" in response.content.decode()
        assert Consultation.objects.count() == 0
    consultation = ConsultationFactory(council=council, members=[member_a])
    response = client.post(reverse("activities:consultation-edit", args=[consultation.pk]), {
        **data, "topic": consultation.topic, "members": [other_member.pk]})
    assert "请选择本政协的委员。" in response.content.decode()
    assert list(consultation.members.all()) == [member_a]


def test_two_chosen_members_are_saved(client_for, staff, council, member_a, member_b):
    platform = PlatformFactory(council=council)
    client_for(staff).post(reverse("activities:consultation-create"), {
        "topic": "农产品销路", "held_on": timezone.localdate().isoformat(), "platform": platform.pk,
        "host": "王主任", "officials_count": 0, "constituents_count": 0,
        "members": [member_a.pk, member_b.pk],
    })
    assert set(Consultation.objects.get().members.all()) == {member_a, member_b}

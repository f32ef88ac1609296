"""Named constituents on an activity: chosen on the form from a short list (kept by the members
who signed up or attended, of the activity's sectors), never more than the constituents
reached, shown by name to staff and leaders and as a count to members."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.events.services import activities as services
from activities.models import Attendance
from tests.activities.events.event_helpers import ActivityFactory
from tests.factories import ConstituentFactory, MemberFactory, SectorFactory

pytestmark = pytest.mark.django_db

LOOKUP = "activities:activity-constituent-lookup"


@pytest.fixture
def activity(council, sector):
    return ActivityFactory(council=council, title="送医义诊", sectors=[sector],
                           starts_at=timezone.now() - timedelta(days=1), state="held",
                           constituents_reached=30)


@pytest.fixture
def people(council, sector, activity, member_a, member_b, other_council):
    """Who may be named: a constituent kept by a member who attended (member_b, of another
    sector) and one of the activity's sector (kept by someone else); who may not: one of an
    unrelated member and sector, an inactive one, and another council's."""
    Attendance.objects.create(activity=activity, member=member_b, attended=True)
    unrelated = MemberFactory(council=council, sector=SectorFactory(council=council, name="宗教界"))
    return {
        "attendee_s": ConstituentFactory(member=member_b, name="王秀兰"),
        "sector_s": ConstituentFactory(member=member_a, name="李建国"),
        "unrelated": ConstituentFactory(member=unrelated, name="赵无关"),
        "inactive": ConstituentFactory(member=member_a, name="钱停用", active=False),
        "foreign": ConstituentFactory(member=MemberFactory(council=other_council), name="孙外区"),
    }


def _edit_data(activity, **extra):
    return {
        "title": activity.title, "kind": activity.kind_id, "channel": activity.channel,
        "starts_at": timezone.localtime(activity.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "state": activity.state, "constituents_reached": activity.constituents_reached,
        "sectors": [s.pk for s in activity.sectors.all()], **extra,
    }


def test_the_edit_form_accepts_a_short_list_typed_into_a_picker(client_for, staff, activity,
                                                                people):
    response = client_for(staff).get(reverse("activities:activity-edit", args=[activity.pk]))
    field = response.context["form"].fields["constituents"]
    assert set(field.queryset) == {people["attendee_s"], people["sector_s"]}
    html = response.content.decode()
    select = re.search(r'<select name="constituents".*?</select>', html, re.S).group(0)
    assert "<option" not in select  # the sectors' constituents run to thousands: never listed
    assert reverse(LOOKUP) in select
    assert "lookup-select.js" in html


def test_the_picker_offers_what_the_activity_may_name(client_for, staff, activity, people):
    client = client_for(staff)

    def found(q):
        response = client.get(reverse(LOOKUP), {"activity": activity.pk, "q": q})
        assert response.status_code == 200
        return [(row["text"], row["hint"]) for row in response.json()["results"]]

    assert found("王秀") == [("王秀兰", people["attendee_s"].member.name)]  # who keeps them
    assert found("李建国") == [("李建国", people["sector_s"].member.name)]
    for name in ("赵无关", "钱停用", "孙外区"):
        assert found(name) == []


def test_only_staff_who_reach_the_activity_use_the_picker(client_for, member_a, other_council,
                                                         activity, people):
    from members.models import User
    from tests.factories import UserFactory

    params = {"activity": activity.pk, "q": "王"}
    assert client_for(member_a).get(reverse(LOOKUP), params).status_code == 403
    outsider = UserFactory(username="outsider", role=User.Role.STAFF, council=other_council)
    assert client_for(outsider).get(reverse(LOOKUP), params).status_code == 404


def test_a_constituent_outside_the_list_is_refused(client_for, staff, activity, people):
    url = reverse("activities:activity-edit", args=[activity.pk])
    response = client_for(staff).post(url, _edit_data(activity, constituents=[people["foreign"].pk]))
    assert response.status_code == 200
    assert response.context["form"].errors["constituents"]
    assert not activity.constituents.exists()


def test_staff_name_constituents_and_the_page_lists_them(client_for, staff, leader, activity, people):
    url = reverse("activities:activity-edit", args=[activity.pk])
    chosen = [people["attendee_s"].pk, people["sector_s"].pk]
    response = client_for(staff).post(url, _edit_data(activity, constituents=chosen))
    assert response.status_code == 302
    assert set(activity.constituents.values_list("pk", flat=True)) == set(chosen)
    for reader in (staff, leader):
        page = client_for(reader).get(activity.get_absolute_url()).content.decode()
        assert "李建国、王秀兰" in page
    # Named once, still offered after leaving the list's reach (e.g. the attendance changed).
    Attendance.objects.all().delete()
    form = client_for(staff).get(url).context["form"]
    assert people["attendee_s"] in form.fields["constituents"].queryset


def test_members_see_how_many_were_named_but_not_who(client_for, staff, member_a, activity, people):
    services.activity_update(activity=activity, by=staff,
                             constituents=[people["attendee_s"], people["sector_s"]])
    response = client_for(member_a).get(activity.get_absolute_url())
    page = response.content.decode()
    assert "named_constituents" not in response.context
    assert "王秀兰" not in page
    assert "李建国" not in page
    assert 'data-testid="named-constituents"' in page


@pytest.mark.parametrize("who", ["unrelated", "inactive", "foreign"])
def test_constituents_outside_the_list_are_refused(client_for, staff, activity, people, who):
    url = reverse("activities:activity-edit", args=[activity.pk])
    response = client_for(staff).post(url, _edit_data(activity, constituents=[people[who].pk]))
    assert response.status_code == 200
    assert response.context["form"].has_error("constituents")
    assert not activity.constituents.exists()


def test_fewer_reached_than_named_is_refused_and_nothing_is_written(client_for, staff, activity, people):
    url = reverse("activities:activity-edit", args=[activity.pk])
    data = _edit_data(activity, constituents=[people["attendee_s"].pk, people["sector_s"].pk],
                      constituents_reached=1, title="改了标题")
    response = client_for(staff).post(url, data)
    assert response.status_code == 200
    assert response.context["form"].has_error("constituents_reached")
    activity.refresh_from_db()
    assert (activity.title, activity.constituents_reached) == ("送医义诊", 30)
    assert not activity.constituents.exists()


def test_the_service_keeps_reached_at_least_named(council, staff, activity, people):
    """The form refuses fewer reached than named; callers of the service (the demo, imports)
    get the count raised to the named ones, never below them."""
    named = [people["attendee_s"], people["sector_s"]]
    services.activity_update(activity=activity, by=staff, constituents_reached=1,
                             constituents=named)
    activity.refresh_from_db()
    assert activity.constituents_reached == 2
    services.activity_update(activity=activity, by=staff, constituents_reached=40)
    activity.refresh_from_db()
    assert activity.constituents_reached == 40
    assert activity.constituents.count() == 2
    made = services.activity_create(council=council, by=staff, title="座谈", kind=activity.kind,
                                    channel=activity.channel, starts_at=activity.starts_at,
                                    constituents=named)
    assert made.constituents_reached == 2


def test_the_new_activity_form_names_no_one_yet(client_for, staff, council):
    response = client_for(staff).get(reverse("activities:activity-create"))
    assert "constituents" not in response.context["form"].fields


@pytest.mark.parametrize("n", [3, 30])
def test_detail_query_budget_with_named_constituents(client_for, staff, leader, member_a, activity,
                                                     n, django_assert_max_num_queries):
    named = [ConstituentFactory(member=member_a) for _ in range(n)]
    services.activity_update(activity=activity, by=staff, constituents_reached=n,
                             constituents=named)
    staff_client, leader_client, member_client = (client_for(u) for u in (staff, leader, member_a))
    # session, user, council, activity (with counts), sectors, attendances + members, tags,
    # named constituents, photos
    with django_assert_max_num_queries(9):
        assert staff_client.get(activity.get_absolute_url()).status_code == 200
    # session, user, council, activity (with counts), sectors, tags, photos, named
    # constituents
    with django_assert_max_num_queries(8):
        assert leader_client.get(activity.get_absolute_url()).status_code == 200
    # session, user (with the member), activity (with counts: the named ones a number),
    # sectors, tags, photos, my attendance
    with django_assert_max_num_queries(7):
        assert member_client.get(activity.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("n", [3, 30])
def test_edit_form_query_budget(client_for, staff, activity, member_a, n,
                                django_assert_max_num_queries):
    for _ in range(n):
        ConstituentFactory(member=member_a)
        member = MemberFactory(council=activity.council)
        Attendance.objects.create(activity=activity, member=member, attended=True)
        ConstituentFactory(member=member)
    client = client_for(staff)
    # session, user, council, activity, its council, kinds ensure (savepoint, kinds, release),
    # initial sectors, tags and constituents, choices (kind, platform, committee, sectors,
    # series, tags; the constituents', with their members, are read by the assert below),
    # photos
    with django_assert_max_num_queries(18):
        response = client.get(reverse("activities:activity-edit", args=[activity.pk]))
    assert len(response.context["form"].fields["constituents"].queryset) == 2 * n


def test_the_picker_keeps_its_budget_and_answers_bad_input_with_nothing(
        client_for, staff, activity, people, django_assert_max_num_queries):
    client = client_for(staff)
    assert client.get(reverse(LOOKUP), {"activity": "x", "q": "王"}).json() == {"results": []}
    assert client.get(reverse(LOOKUP), {"activity": activity.pk, "q": ""}).json() == {"results": []}
    ConstituentFactory.create_batch(30, member=people["sector_s"].member, name="王同名")
    client.get(reverse(LOOKUP), {"activity": activity.pk, "q": "王"})
    # session, user, council, the activity, the matches
    with django_assert_max_num_queries(6):
        response = client.get(reverse(LOOKUP), {"activity": activity.pk, "q": "王"})
    assert len(response.json()["results"]) == 20

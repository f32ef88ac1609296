"""The demo reproduces the seed's figures through the services, and every record opens."""

import random
from datetime import date

import pytest
from django.urls import reverse

from activities.models import Activity, ActivitySeries, Consultation, Problem
from liaison.demo import SEED
from liaison.demo import activities as activities_part
from liaison.demo import members as members_part
from members.models import Platform, User

TODAY = date(2026, 5, 20)


def build():
    council = members_part.ensure_council()
    for part in (members_part, activities_part):
        part.build(council, random.Random(SEED), TODAY)
    return council


@pytest.mark.django_db
def test_demo_figures_and_every_record_opens(client_for):
    council = build()
    consultations = Consultation.objects.filter(council=council)
    assert consultations.count() == 26
    assert consultations.values("platform").distinct().count() > 10  # across the platforms
    problems = Problem.objects.filter(consultation__council=council)
    assert problems.solved().count() == 31
    assert problems.exclude(state=Problem.State.RESOLVED).count() == 4
    series = ActivitySeries.objects.get(council=council, name=activities_part.SERIES)
    held = series.activities.filter(state=Activity.State.HELD, starts_at__year=2024)
    assert held.count() == 12
    assert held.values("platform").distinct().count() == 10
    assert not held.exclude(platform__kind=Platform.Kind.WORKSTATION).exists()
    cross = Activity.objects.filter(council=council).cross_sector()
    assert cross.filter(kind__name="助农", sectors__name="农业界").exists()
    assert cross.filter(kind__name="法治进校园", sectors__name="教育界").exists()
    assert Activity.objects.filter(council=council, kind__name="惠企政策宣传",
                                   platform__name="工商联界别委员联系点").exists()

    # A second run changes nothing.
    before = (Activity.objects.count(), Consultation.objects.count(), Problem.objects.count())
    build()
    assert (Activity.objects.count(), Consultation.objects.count(), Problem.objects.count()) == before

    client = client_for(User.objects.get(username="staff"))
    list_page = client.get(reverse("activities:consultation-list")).content.decode()
    assert 'data-testid="consultation-count">26<' in list_page
    assert 'data-testid="resolved-count">31<' in list_page
    for consultation in consultations:
        assert client.get(consultation.get_absolute_url()).status_code == 200
    for activity in held:
        assert client.get(activity.get_absolute_url()).status_code == 200
    for platform in Platform.objects.filter(council=council):
        url = reverse("activities:platform-events", args=[platform.pk])
        assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_the_demo_member_signed_up_for_and_attended_activities(client_for):
    from activities.models import Attendance
    from members.models import Member

    council = build()
    member = Member.objects.get(council=council, user__username="member")
    rows = Attendance.objects.filter(member=member, activity__state=Activity.State.HELD)
    mine = activities_part.MEMBER_ACTIVITIES
    assert rows.filter(signed_up_at__isnull=False).count() == len(mine)
    attended = rows.filter(attended=True)
    assert attended.count() >= sum(1 for *_rest, came in mine if came)
    # The seed's figure holds: every held activity at a workstation is one of the 12.
    at_stations = Activity.objects.filter(council=council, state=Activity.State.HELD,
                                          platform__kind=Platform.Kind.WORKSTATION)
    assert at_stations.count() == 12
    # Named constituents are the member's own, and counted among those reached.
    clinic = Activity.objects.get(council=council, title=mine[2][2])
    assert clinic.constituents.count() == 2
    assert set(clinic.constituents.values_list("member", flat=True)) == {member.pk}
    assert clinic.constituents_reached >= 2

    client = client_for(member)
    page = client.get(reverse("activities:activity-mine")).context["page"]
    assert page.paginator.count == attended.count()
    record = client.get(reverse("liaison:my-duty-record"), follow=True).context["record"]
    assert record["attendance"] == {"signed_up": len(mine), "attended": attended.count()}

    # A demo database made before the member took part gets it on the next build, once.
    Activity.objects.filter(title__in=[row[2] for row in mine]).delete()
    build()
    build()
    assert Attendance.objects.filter(member=member, signed_up_at__isnull=False).count() == len(mine)


@pytest.mark.django_db
def test_the_second_district_has_platforms_activities_and_consultations(client_for):
    from liaison import demo
    from liaison.demo import rollup
    from members.models import Council

    demo.build(today=TODAY)
    district = Council.objects.get(name=rollup.DISTRICT)
    platforms = Platform.objects.filter(council=district)
    assert platforms.filter(kind=Platform.Kind.WORKSTATION).count() == 2
    assert platforms.exclude(kind=Platform.Kind.WORKSTATION).count() == 1
    held = Activity.objects.filter(council=district, state=Activity.State.HELD)
    assert held.count() == 3
    assert all(activity.attendances.filter(attended=True).exists() for activity in held)
    problems = Problem.objects.filter(consultation__council=district)
    assert Consultation.objects.filter(council=district).count() == 2
    assert (problems.count(), problems.solved().count()) == (3, 2)
    # The seed's council is as it was.
    seed = Council.objects.get(name=demo.DEMO_COUNCIL)
    assert Consultation.objects.filter(council=seed).count() == 26
    assert Problem.objects.filter(consultation__council=seed).solved().count() == 31

    # The city's roll-up shows the district in every column, and a second build adds nothing.
    city_row = {row["pk"]: row for row in client_for(User.objects.get(username="city"))
                .get(reverse("liaison:dashboard")).context["councils"]}[district.pk]
    for column in ("members", "constituents", "contacts", "consultations", "activities"):
        assert city_row[f"n_{column}"] > 0, column
    before = (Platform.objects.count(), Activity.objects.count(), Problem.objects.count())
    demo.build(today=TODAY)
    assert (Platform.objects.count(), Activity.objects.count(), Problem.objects.count()) == before


@pytest.mark.django_db
def test_the_demo_tags_its_contacts_and_activities_with_the_default_tags():
    """四联四助: the council's eight default tags, named on logs and held activities by what
    they were about (a free clinic: 联系困难群众 and 助推民生改善), through the services."""
    from activities.models import ContactLog, LinkTag
    from activities.tags.models import DEFAULT_LINK_TAGS
    from liaison.demo import contacts as contacts_part

    council = build()
    contacts_part.build(council, random.Random(SEED), TODAY)
    names = list(LinkTag.objects.filter(council=council).values_list("name", flat=True))
    assert names == [name for _order, name, _kind, _description in DEFAULT_LINK_TAGS]
    clinic = Activity.objects.filter(council=council, kind__name="送医义诊").first()
    assert {t.name for t in clinic.tags.all()} == {"联系困难群众", "助推民生改善"}
    logs = ContactLog.objects.filter(council=council)
    assert logs.filter(tags__isnull=False).distinct().count() > logs.count() // 2
    for log in logs.filter(difficulty=True):
        assert log.tags.filter(name="联系困难群众").exists()
    assert not LinkTag.objects.exclude(council=council).filter(contact_logs__council=council).exists()

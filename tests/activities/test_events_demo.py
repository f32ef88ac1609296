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

"""The demo's reports: a handful at every stage, one adopted by the city with an instruction
that the demo member sees; a second run changes nothing."""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.urls import reverse

from liaison.demo import SEED
from liaison.demo import members as members_part
from liaison.demo import opinions as opinions_part
from members.models import Council, User
from opinions.models import Instruction, Report, ReportRouting

TODAY = date(2026, 5, 20)


def build():
    council = members_part.ensure_council()
    for part in (members_part, opinions_part):
        part.build(council, random.Random(SEED), TODAY)
    return council


@pytest.mark.django_db
def test_the_demo_has_reports_at_every_stage(client_for):
    council = build()
    city = Council.objects.get(pk=council.parent_id)
    province = Council.objects.get(name=opinions_part.PROVINCE)
    assert city.parent == province
    reports = Report.objects.filter(council=council)
    assert reports.filter(state="pending", current_council=council).count() >= 2
    assert reports.filter(state="pending", current_council=city).exists()
    assert reports.filter(state="pending", current_council=province).exists()
    assert reports.filter(state="not_used").exists()
    assert reports.filter(state="adopted", current_council=council).exists()
    by_city = reports.get(state="adopted", current_council=city)
    assert by_city.instructed
    assert by_city.member.user.username == "member"
    assert ReportRouting.objects.filter(report=by_city, council=city, decision="adopted").exists()

    page = client_for(User.objects.get(username="member")).get(by_city.get_absolute_url())
    assert Instruction.objects.get(routing__report=by_city).text in page.content.decode()
    queue = client_for(User.objects.get(username="city_staff")).get(
        reverse("opinions:report-list"), {"queue": "true"})
    assert queue.context["page"].paginator.count == 1

    counts = (Report.objects.count(), ReportRouting.objects.count(), Instruction.objects.count())
    build()
    assert (Report.objects.count(), ReportRouting.objects.count(),
            Instruction.objects.count()) == counts

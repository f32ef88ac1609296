"""A small council with something of everything the dashboard counts (``world``), sized by a
multiplier so that query budgets can be checked at two data sizes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from activities.models import (
    Activity,
    Attendance,
    Channel,
    MustVisitRule,
    Problem,
    Reminder,
    TriggerType,
)
from activities.tags.services import link_tags_install_defaults
from members.models import Council, Platform, User
from proposals.models import Reply, State
from tests.activities.events.event_helpers import (
    ActivityFactory,
    ConsultationFactory,
    ProblemFactory,
)
from tests.factories import (
    CommitteeFactory,
    ConstituentFactory,
    ContactLogFactory,
    CouncilFactory,
    MemberFactory,
    PlatformFactory,
    UserFactory,
)
from tests.opinions.helpers import report_in
from tests.proposals.factories import HandlingUnitFactory, SessionFactory, proposal_in, unit_login

EARLY = date(2025, 3, 15)
LATE = date(2025, 6, 15)
CHANNELS = [value for value, _label in Channel.choices]


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def build_world(council, staff, *, sectors, committees, size: int = 1) -> dict:
    """``size`` × a handful of rows of every kind, spread over two sectors, two committees,
    two dates (EARLY, LATE), the five channels and the default "四联四助" tags."""
    point = PlatformFactory(council=council, kind=Platform.Kind.LIAISON_POINT, name="工商联联系点")
    PlatformFactory(council=council, kind=Platform.Kind.STUDIO, name="医药卫生界工作室")
    PlatformFactory(council=council, kind=Platform.Kind.STUDIO, name="已撤销工作室", active=False)
    station = PlatformFactory(council=council, kind=Platform.Kind.WORKSTATION, name="兴安街道工作站")
    session = SessionFactory(council=council, term=10, number=4, name="十届四次", is_current=True,
                             opened_on=date(2025, 1, 10))
    unit = HandlingUnitFactory(council=council, name="区教育局")
    unit_login(unit, f"unit-{council.pk}")
    rule, _ = MustVisitRule.objects.get_or_create(
        council=council, name="定期走访", defaults={"trigger_type": TriggerType.PERIODIC, "period_days": 90}
    )
    tags = link_tags_install_defaults(council=council)
    links, helps = tags[:4], tags[4:]
    members = []
    for i in range(4 * size):
        member = MemberFactory(council=council, sector=sectors[i % 2], committee=committees[i % 2])
        members.append(member)
        people = [ConstituentFactory(member=member) for _ in range(2)]
        ConstituentFactory(member=member, active=False)
        for j, day in enumerate([EARLY, LATE]):
            ContactLogFactory(
                member=member, constituents=[people[j]], contacted_at=at(day),
                channel=CHANNELS[(i + j) % len(CHANNELS)],
                mode="platform" if j else "visit", platform=point if j else None,
                tags=[links[(i + j) % 3]] + ([helps[i % 2]] if j else []),
            )
        for state, on_time, due in [
            (Reminder.State.DONE, True, EARLY), (Reminder.State.DONE, False, LATE),
            (Reminder.State.OVERDUE, False, LATE), (Reminder.State.OPEN, False, LATE),
        ]:
            Reminder.objects.create(
                council=council, rule=rule, member=member, constituent=people[0],
                period_key=f"{state}-{due}", trigger_on=due - timedelta(days=30), due_on=due,
                state=state, on_time=on_time,
            )
    MemberFactory(council=council, sector=sectors[0], committee=committees[0])  # no constituents

    states = [State.CLOSED, State.REPLIED, State.FILED, State.SUBMITTED, State.DRAFT]
    for i in range(len(states) * size):
        proposal_in(states[i % len(states)], proposer=members[i % len(members)], staff=staff,
                    unit=unit, session=session, cosigners=[members[(i + 1) % len(members)]],
                    reply_category=[c for c, _l in Reply.Category.choices][i % 4])

    for i in range(2 * size):
        consultation = ConsultationFactory(council=council, held_on=[EARLY, LATE][i % 2],
                                           platform=point, members=members[:2])
        ProblemFactory(consultation=consultation, state=Problem.State.RESOLVED,
                       resolution="已解决", resolved_on=consultation.held_on)
        ProblemFactory(consultation=consultation)
    for i in range(3 * size):
        activity = ActivityFactory(
            council=council, state=Activity.State.HELD, starts_at=at([EARLY, LATE][i % 2]),
            channel=CHANNELS[i % len(CHANNELS)], committee=committees[i % 2],
            platform=station if i % 3 == 0 else None,
            sectors=sectors if i % 2 == 0 else sectors[:1],
            tags=[helps[i % 2], links[0]] if i % 2 == 0 else [helps[1]],
        )
        Attendance.objects.create(activity=activity, member=members[i % len(members)],
                                  signed_up_at=activity.starts_at, attended=True)
    ActivityFactory(council=council, state=Activity.State.PLANNED, sectors=sectors,
                    tags=[helps[0]])  # not held: not counted
    # 社情民意信息 at each stage the district reaches alone, in both halves of the period.
    stages = ["pending", "adopted", "instructed", "not_used"]
    for i in range(len(stages) * size):
        report_in(stages[i % len(stages)], member=members[i % len(members)], offices=[staff],
                  day=[EARLY, LATE][i % 2])
    return {"members": members, "session": session, "point": point, "station": station,
            "tags": tags}


@pytest.fixture
def other_committee(council):
    return CommitteeFactory(council=council, name="教科卫体委")


@pytest.fixture
def world(council, staff, sector, other_sector, committee, other_committee):
    return build_world(council, staff, sectors=[sector, other_sector],
                       committees=[committee, other_committee])


@pytest.fixture
def city(council, other_council):
    """七台河市政协 over both districts, with a city leader."""
    city = CouncilFactory(name="七台河市政协", level=Council.Level.CITY)
    Council.objects.filter(pk__in=[council.pk, other_council.pk]).update(parent=city)
    council.refresh_from_db()
    other_council.refresh_from_db()
    return city


@pytest.fixture
def city_leader(city):
    return UserFactory(username="city", display_name="市政协领导", role=User.Role.LEADER, council=city)

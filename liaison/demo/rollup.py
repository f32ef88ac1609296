"""Demo part: a second, small district under 七台河市政协 — 茄子河区政协 — and a city login,
so that the city's dashboard has two councils to roll up and drill into.

Small on purpose: a few members, constituents, contact logs and proposals. Everything is
fictional; the writes go through the same services users run.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from activities.contacts.services import contact_log_create
from activities.events.services import activities as events
from activities.events.services import consultations
from activities.models import Activity, Channel, ContactLog, Problem
from activities.reminders.services.rules import rules_install_defaults
from activities.tags.services import link_tags_install_defaults
from liaison.demo.activities import KIND_CHANNEL
from liaison.demo.members import CITY, GIVEN, SURNAMES
from members import rollups
from members.models import Committee, Council, Member, Platform, Sector, User
from members.services import constituent_create
from proposals import services
from proposals.models import Category, Session

DISTRICT = "茄子河区政协"
MEMBERS = 12
CONSTITUENTS_EACH = 3
LOGS = 30
PROPOSALS = 6
SECTORS = [("工商联", True), ("农业界", True), ("教育界", False), ("医药卫生界", False)]


def _name(rng) -> str:
    return SURNAMES[rng.randrange(len(SURNAMES))] + GIVEN[rng.randrange(len(GIVEN))] * (1 + (rng.random() < 0.5))


def build(council: Council, rng, today: date) -> None:
    from liaison.demo import DEMO_PASSWORD

    city = Council.objects.get(name=CITY)
    User.objects.get_or_create(
        username="city",
        defaults={"display_name": "七台河市政协领导", "role": User.Role.LEADER, "council": city,
                  "email": "city@qitaihe.example", "password": make_password(DEMO_PASSWORD)},
    )
    district, created = Council.objects.get_or_create(
        name=DISTRICT, defaults={"level": Council.Level.DISTRICT, "parent": city, "short_name": "茄子河区"}
    )
    # The default must-visit rules and "四联四助" tags, as every new council gets them:
    # idempotent, so a demo database made before councils got them on creation is brought up
    # to date too.
    for each in (city, district):
        rules_install_defaults(council=each)
        link_tags_install_defaults(council=each)
    if not created and district.members.exists():
        _platforms_and_events(district, today)  # a demo database made before it had them
        return
    staff, _ = User.objects.get_or_create(
        username="qzh_staff",
        defaults={"display_name": "茄子河区政协工作人员", "role": User.Role.STAFF, "council": district,
                  "email": "qzh_staff@qitaihe.example", "password": make_password(DEMO_PASSWORD)},
    )
    sectors = [Sector.objects.create(council=district, name=name, is_key=key, order=n)
               for n, (name, key) in enumerate(SECTORS)]
    committee = Committee.objects.create(council=district, name="综合委")
    password = make_password(DEMO_PASSWORD)
    members = []
    for i in range(MEMBERS):
        name = _name(rng)
        user = User.objects.create(
            username=f"qzh{i:02d}", display_name=f"{name}委员", role=User.Role.MEMBER,
            council=district, email=f"qzh{i:02d}@qitaihe.example", password=password,
        )
        members.append(Member.objects.create(
            user=user, council=district, name=name, sector=sectors[i % len(sectors)],
            committee=committee, phone=f"139{46900000 + i:08d}", zone=f"{sectors[i % len(sectors)].name}·茄子河责任区",
        ))
    rollups.members_added(members)
    # Through the service staff use, which announces each (their first-visit reminders).
    for n, member in enumerate(members):
        for k in range(CONSTITUENTS_EACH):
            constituent_create(
                by=staff, member=member, name=_name(rng),
                phone=f"137{46900000 + n * 10 + k:08d}", community="茄子河社区",
                consent_note="本人口头同意作为界别群众联系人",
            )
    _contacts(members, rng, today)
    _proposals(district, members, staff)
    _platforms_and_events(district, today)


# The district's platforms: (kind, name, sectors, which members: "sector" or a station's half)
PLATFORMS = [
    (Platform.Kind.STUDIO, "农业界委员工作室", ["农业界"], "sector"),
    (Platform.Kind.WORKSTATION, "茄子河镇委员工作站", [], 0),
    (Platform.Kind.WORKSTATION, "宏伟镇委员工作站", [], 1),
]
# (days before today, kind, title, platform, sectors)
ACTIVITIES = [
    (120, "助农", "工商联、农业界委员助农对接会", "农业界委员工作室", ["农业界", "工商联"]),
    (70, "理论学习", "委员工作站理论学习会", "茄子河镇委员工作站", []),
    (25, "送医义诊", "医药卫生界委员进村义诊", "宏伟镇委员工作站", ["医药卫生界"]),
]
# (days before today, topic, platform, [(problem, responsible unit, resolved after n days or None)])
CONSULTATIONS = [
    (150, "农产品冷链物流协商议事会", "农业界委员工作室",
     [("缺少产地冷库", "区农业农村局", 40), ("运输成本高", "区交通运输局", None)]),
    (60, "乡村卫生室建设协商议事会", "宏伟镇委员工作站", [("村医待遇偏低", "区卫健局", 30)]),
]


def _platforms_and_events(district: Council, today: date) -> None:
    """A studio and two workstations, three activities held there and two consultations with
    their problems, made through the same services staff use, so every section of the city's
    roll-up has something of this district. No random draws. Runs once."""
    if district.platforms.exists():
        return
    staff = User.objects.filter(council=district, role=User.Role.STAFF).order_by("pk").first()
    members = list(district.members.select_related("sector").order_by("pk"))
    if staff is None or not members:
        return
    sectors = {s.name: s for s in Sector.objects.filter(council=district)}
    platforms = {}
    for n, (kind, name, sector_names, who) in enumerate(PLATFORMS):
        people = (
            [m for m in members if m.sector.name in sector_names] if who == "sector"
            else members[who::2]
        )
        platform = Platform.objects.create(
            council=district, kind=kind, name=name, convenor=people[0],
            address=f"茄子河区{name[:3]}党群服务中心", opened_on=date(2024, 3 + n, 1),
        )
        platform.sectors.set([sectors[s] for s in sector_names] or {m.sector for m in people})
        platform.members.set(people)
        platforms[name] = (platform, people)
    kinds = {k.name: k for k in events.activity_kinds_ensure(council=district)}
    tz = timezone.get_current_timezone()
    for days_ago, kind, title, platform_name, sector_names in ACTIVITIES:
        day = today - timedelta(days=days_ago)
        platform, people = platforms[platform_name]
        activity = events.activity_create(
            council=district, by=staff, title=title, kind=kinds[kind], channel=KIND_CHANNEL[kind],
            starts_at=datetime.combine(day, time(9), tzinfo=tz),
            ends_at=datetime.combine(day, time(11), tzinfo=tz), place=platform.address,
            platform=platform, sectors=[sectors[s] for s in sector_names],
            state=Activity.State.HELD, constituents_reached=12 + 6 * len(people),
            summary=f"{title}：委员与群众面对面交流。",
        )
        events.activity_mark_attendance(activity=activity, by=staff, attended=people[:4], today=day)
    for days_ago, topic, platform_name, problems in CONSULTATIONS:
        held_on = today - timedelta(days=days_ago)
        platform, people = platforms[platform_name]
        consultation = consultations.consultation_create(
            council=district, by=staff, topic=topic, held_on=held_on, platform=platform,
            host=platform.convenor.name, members=people[:3], sectors=platform.sectors.all(),
            officials_count=len(problems), constituents_count=10 + len(people),
            minutes=f"围绕{topic[:-5]}，委员、部门和群众协商，提出问题{len(problems)}个。",
        )
        for description, unit, resolved_after in problems:
            problem = consultations.problem_create(consultation=consultation, by=staff,
                                            description=description, responsible_unit=unit)
            if resolved_after is not None:
                consultations.problem_set_state(
                    problem=problem, by=staff, state=Problem.State.RESOLVED,
                    resolved_on=held_on + timedelta(days=resolved_after),
                    resolution=f"{unit}已落实，并向群众反馈。",
                )


def _contacts(members, rng, today: date) -> None:
    tz = timezone.get_current_timezone()
    channels = [value for value, _label in Channel.choices]
    for n in range(LOGS):
        member = members[n % len(members)]
        people = list(member.constituents.all()[:1])
        day = today - timedelta(days=rng.randrange(1, 300))
        contact_log_create(
            member=member, by=member.user, constituents=people,
            contacted_at=datetime.combine(day, time(10), tzinfo=tz),
            channel=channels[n % len(channels)], mode=ContactLog.Mode.VISIT,
            summary="走访了解生产经营和生活情况。",
        )


def _proposals(district, members, staff) -> None:
    session = Session.objects.create(council=district, term=10, number=4, name="十届四次",
                                     opened_on=date(2025, 1, 8), is_current=True)
    category = Category.objects.create(council=district, name="社会民生")
    for n in range(PROPOSALS):
        member = members[n]
        proposal = services.proposal_create(
            session=session, by=member.user, title=f"关于改善茄子河区民生服务的建议（{n + 1}）",
            reasons="群众反映的问题。", suggestions="具体建议。", category=category,
        )
        proposal = services.proposal_submit(proposal=proposal, by=member.user)
        if n % 2 == 0:
            proposal = services.proposal_start_review(proposal=proposal, by=staff)
            services.proposal_file(proposal=proposal, by=staff)

"""Demo part: a second, small district under 七台河市政协 — 茄子河区政协 — and a city login,
so that the city's dashboard has two councils to roll up and drill into.

Small on purpose: a few members, constituents, contact logs and proposals. Everything is
fictional; the writes go through the same services users run.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from activities.models import Channel, ContactLog
from activities.reminders import rules_install_defaults
from activities.services import contact_log_create
from liaison.demo.members import CITY, GIVEN, SURNAMES
from members.models import Committee, Constituent, Council, Member, Sector, User
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
    # The default must-visit rules, as every new council gets them: idempotent, so a demo
    # database made before councils got them on creation is brought up to date too.
    for each in (city, district):
        rules_install_defaults(council=each)
    if not created and district.members.exists():
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
    for n, member in enumerate(members):
        for k in range(CONSTITUENTS_EACH):
            Constituent.objects.create(
                council=district, sector=member.sector, member=member, name=_name(rng),
                phone=f"137{46900000 + n * 10 + k:08d}", community="茄子河社区",
                consent_note="本人口头同意作为界别群众联系人",
            )
    _contacts(members, rng, today)
    _proposals(district, members, staff)


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

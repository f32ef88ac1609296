"""Demo part 1: the council, its sectors, committees, members, platforms and constituents.

Reproduces the seed's "两个1" figures: every serving member has a responsibility zone and at
least one constituent (100 % coverage), 582 constituents in all, 1 sector liaison point
(the 工商联 point), 8 member studios and 10 member workstations.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.hashers import make_password
from simple_history.utils import bulk_create_with_history

from members import rollups
from members.models import Committee, Constituent, Council, Member, Platform, Sector, User

CITY = "七台河市政协"
COUNCIL = "新兴区政协"
CONSTITUENTS = 582
MEMBERS = 120

# (name, kind, key sector)
SECTORS = [
    ("中国共产党", Sector.Kind.PARTY, False),
    ("民革", Sector.Kind.PARTY, False),
    ("民盟", Sector.Kind.PARTY, False),
    ("民建", Sector.Kind.PARTY, False),
    ("工商联", Sector.Kind.ORGANISATION, True),
    ("经济界", Sector.Kind.SECTOR, True),
    ("农业界", Sector.Kind.SECTOR, True),
    ("教育界", Sector.Kind.SECTOR, True),
    ("医药卫生界", Sector.Kind.SECTOR, True),
    ("法律界", Sector.Kind.SECTOR, False),
    ("文化艺术界", Sector.Kind.SECTOR, False),
    ("科技界", Sector.Kind.SECTOR, False),
    ("社会福利和社会保障界", Sector.Kind.SECTOR, False),
    ("少数民族界", Sector.Kind.SECTOR, False),
    ("宗教界", Sector.Kind.SECTOR, False),
    ("特邀", Sector.Kind.INVITED, False),
]

COMMITTEES = [
    "提案委",
    "经济委",
    "农业和农村委",
    "教科卫体委",
    "社会和法制委",
    "文化文史和学习委",
    "民族宗教委",
]

# The committee that is the "basic organ" of each sector's work.
SECTOR_COMMITTEE = {
    "中国共产党": "提案委",
    "民革": "社会和法制委",
    "民盟": "教科卫体委",
    "民建": "经济委",
    "工商联": "经济委",
    "经济界": "经济委",
    "农业界": "农业和农村委",
    "教育界": "教科卫体委",
    "医药卫生界": "教科卫体委",
    "法律界": "社会和法制委",
    "文化艺术界": "文化文史和学习委",
    "科技界": "教科卫体委",
    "社会福利和社会保障界": "社会和法制委",
    "少数民族界": "民族宗教委",
    "宗教界": "民族宗教委",
    "特邀": "提案委",
}

STREETS = ["兴安街道", "兴北街道", "红旗街道", "长兴街道", "新立街道", "北山街道", "南岭街道", "河西街道", "东胜街道", "西苑街道"]
COMMUNITIES = [f"{street[:-2]}{n}社区" for street in STREETS for n in ("一", "二", "三")]

STUDIOS = [
    ("医药卫生界委员工作室", ["医药卫生界"], "教科卫体委"),
    ("教育界委员工作室", ["教育界"], "教科卫体委"),
    ("农业界委员工作室", ["农业界"], "农业和农村委"),
    ("经济界委员工作室", ["经济界", "民建"], "经济委"),
    ("法律界委员工作室", ["法律界", "民革"], "社会和法制委"),
    ("文化艺术界委员工作室", ["文化艺术界"], "文化文史和学习委"),
    ("科技界委员工作室", ["科技界", "民盟"], "教科卫体委"),
    ("民族宗教界委员工作室", ["少数民族界", "宗教界"], "民族宗教委"),
]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国志刚晓东海波立新春梅凤林永红淑珍宏伟丹丹雪梅国庆文博子涵思远晨曦佳怡浩然"
UNITS = ["区人民医院", "区第一中学", "兴安小学", "七台河煤业公司", "新兴区农机合作社", "区市场服务中心", "宏达商贸公司", "区律师事务所", "区文化馆", "区科技服务中心", "社区卫生服务站", "个体工商户", "家庭农场", "区养老服务中心", "清真寺管委会"]
OCCUPATIONS = ["医生", "教师", "企业负责人", "个体经营者", "农民", "律师", "社区工作者", "退休职工", "技术员", "文艺工作者", "护士", "合作社理事长"]


def _name(rng) -> str:
    given = GIVEN[rng.randrange(len(GIVEN))]
    if rng.random() < 0.6:
        given += GIVEN[rng.randrange(len(GIVEN))]
    return SURNAMES[rng.randrange(len(SURNAMES))] + given


def ensure_council() -> Council:
    city, _ = Council.objects.get_or_create(name=CITY, defaults={"level": Council.Level.CITY})
    council, _ = Council.objects.get_or_create(
        name=COUNCIL, defaults={"level": Council.Level.DISTRICT, "parent": city, "short_name": "新兴区"}
    )
    return council


def _user(username: str, display_name: str, role: str, council: Council) -> User:
    from liaison.demo import DEMO_PASSWORD

    user, created = User.objects.get_or_create(
        username=username,
        defaults={"display_name": display_name, "role": role, "council": council, "email": f"{username}@xinxing.example"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def build(council: Council, rng, today: date) -> None:
    _user("admin", "区政协办公室管理员", User.Role.ADMIN, council)
    _user("staff", "联络办工作人员", User.Role.STAFF, council)
    _user("leader", "区政协主席", User.Role.LEADER, council)
    # Separation of duties (三权分立): accounts and the audit, for the whole installation.
    _user("security", "安全管理员", User.Role.SECURITY_ADMIN, None)
    _user("audit", "审计管理员", User.Role.AUDIT_ADMIN, None)
    if council.members.exists():
        return

    sectors = {}
    for order, (name, kind, key) in enumerate(SECTORS):
        sectors[name] = Sector.objects.create(council=council, name=name, kind=kind, is_key=key, order=order)
    committees = {
        name: Committee.objects.create(council=council, name=name, order=order)
        for order, name in enumerate(COMMITTEES)
    }

    members = _members(council, sectors, committees, rng)
    rollups.members_added(members)  # counted as the import counts them
    _platforms(council, sectors, committees, members, rng)
    _constituents(council, members, rng)


def _members(council, sectors, committees, rng) -> list[Member]:
    from liaison.demo import DEMO_PASSWORD

    # Hashing is deliberately slow: hash the shared demo password once for everyone.
    password = make_password(DEMO_PASSWORD)
    sector_names = [s[0] for s in SECTORS]
    # Bigger sectors get more members; every sector has at least three.
    weights = [3 if sectors[n].is_key else 2 for n in sector_names]
    members = []
    for i in range(MEMBERS):
        sector_name = sector_names[i % len(sector_names)] if i < 3 * len(sector_names) else rng.choices(sector_names, weights)[0]
        name = "张建华" if i == 0 else _name(rng)
        username = "member" if i == 0 else f"m{i:03d}"
        user = User.objects.create(
            username=username, display_name=f"{name}委员", role=User.Role.MEMBER, council=council,
            email=f"{username}@xinxing.example", password=password,
        )
        street = STREETS[i % len(STREETS)]
        members.append(
            Member.objects.create(
                user=user,
                council=council,
                name=name,
                gender=rng.choice([Member.Gender.MALE, Member.Gender.FEMALE]),
                sector=sectors[sector_name],
                committee=committees[SECTOR_COMMITTEE[sector_name]],
                term="第十届",
                phone=f"139{46400000 + i * 7:08d}",
                unit=rng.choice(UNITS),
                title=rng.choice(["主任", "副主任", "院长", "校长", "经理", "理事长", "律师", "医师", "教师"]),
                zone=f"{sector_name}·{street}责任区",
            )
        )
    return members


def _platforms(council, sectors, committees, members, rng) -> None:
    by_sector = {}
    for m in members:
        by_sector.setdefault(m.sector.name, []).append(m)

    point = Platform.objects.create(
        council=council,
        kind=Platform.Kind.LIAISON_POINT,
        name="工商联界别委员联系点",
        host_committee=committees["经济委"],
        convenor=by_sector["工商联"][0],
        address="新兴区兴安街道商会大厦一楼",
        opened_on=date(2023, 3, 15),
        tags="联企业,助发展,联群众,助民生",
    )
    point.sectors.set([sectors["工商联"], sectors["经济界"]])
    point.members.set(by_sector["工商联"] + by_sector["经济界"])

    for n, (name, sector_names, committee) in enumerate(STUDIOS):
        people = [m for s in sector_names for m in by_sector[s]]
        studio = Platform.objects.create(
            council=council,
            kind=Platform.Kind.STUDIO,
            name=name,
            host_committee=committees[committee],
            convenor=people[0],
            address=f"新兴区{STREETS[n]}政务服务中心二楼",
            opened_on=date(2023, 4 + n % 6, 10),
        )
        studio.sectors.set([sectors[s] for s in sector_names])
        studio.members.set(people)

    for n, street in enumerate(STREETS):
        people = [m for i, m in enumerate(members) if i % len(STREETS) == n]
        station = Platform.objects.create(
            council=council,
            kind=Platform.Kind.WORKSTATION,
            name=f"{street}委员工作站",
            convenor=people[0],
            address=f"新兴区{street}党群服务中心",
            opened_on=date(2023, 6, 1 + n),
        )
        station.members.set(people)
        station.sectors.set({m.sector for m in people})


def _constituents(council, members, rng) -> None:
    # Every member keeps at least three contacts; the rest are spread at random.
    counts = [3] * len(members)
    for _ in range(CONSTITUENTS - sum(counts)):
        counts[rng.randrange(len(members))] += 1
    rows = []
    serial = 0
    for member, count in zip(members, counts, strict=True):
        for _ in range(count):
            serial += 1
            rows.append(
                Constituent(
                    council=council,
                    sector=member.sector,
                    member=member,
                    name=_name(rng),
                    phone=f"13{rng.randrange(5, 10)}{46410000 + serial:08d}",
                    unit=rng.choice(UNITS),
                    occupation=rng.choice(OCCUPATIONS),
                    community=rng.choice(COMMUNITIES),
                    consent_note="本人口头同意作为界别群众联系人",
                )
            )
    rollups.constituents_added(bulk_create_with_history(rows, Constituent, batch_size=500))

"""Demo activities and consultations, made through the same services staff use.

Reproduces the seed's figures: 26 consultation sessions at the platforms with 31 problems
resolved (and four still being worked on), the 12 activities of the 75th-anniversary series
held at the 10 member workstations in 2024, cross-sector work (经济界 + 农业界 helping
farmers, 法律界 + 教育界 taking law into schools), theory study, reading, free clinics, a
工商联 policy briefing, and a few upcoming activities members can sign up for.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from activities.events.services import activities as services
from activities.events.services import consultations
from activities.models import Activity, Channel, LinkTag, Problem
from activities.tags.services import link_tags_install_defaults
from members.models import Platform, Sector, User

SERIES = "人民政协成立75周年系列活动"

# The 75th-anniversary series: (kind, title), one per workstation, two workstations hold two.
ANNIVERSARY = [
    ("座谈交流", "“协商民主七十五载”委员座谈会"),
    ("文艺演出", "“同心共筑中国梦”庆祝人民政协成立75周年文艺演出"),
    ("图片展", "人民政协75年光辉历程图片展"),
    ("书香政协读书", "“书香政协”委员读书分享会"),
    ("委员风采展示", "“履职为民”委员风采展示"),
    ("座谈交流", "“我与政协”老委员座谈会"),
    ("书香政协读书", "委员领读《人民政协重要文献选编》"),
    ("委员风采展示", "界别委员履职成果展示"),
    ("座谈交流", "“凝心聚力新时代”界别群众座谈会"),
    ("委员风采展示", "委员风采进社区"),
    ("书香政协读书", "“读懂人民政协”主题读书会"),
    ("图片展", "“委员在身边”履职影像展"),
]

KIND_CHANNEL = {
    "理论学习": Channel.READING,
    "书香政协读书": Channel.READING,
    "理论宣讲": Channel.FORUM,
    "座谈交流": Channel.FORUM,
    "调研视察": Channel.RESEARCH,
    "送医义诊": Channel.CLINIC,
    "惠企政策宣传": Channel.FORUM,
    "文艺演出": Channel.FORUM,
    "图片展": Channel.FORUM,
    "委员风采展示": Channel.FORUM,
    "助农": Channel.RESEARCH,
    "法治进校园": Channel.FORUM,
}

# The "四联四助" tags staff tick on each kind of activity (the default tags' names).
KIND_TAGS = {
    "理论学习": ["联系界别群众"],
    "书香政协读书": ["联系界别群众"],
    "理论宣讲": ["联系基层组织", "助促社会和谐"],
    "座谈交流": ["联系界别群众", "助促社会和谐"],
    "调研视察": ["联系基层组织", "助推民生改善"],
    "送医义诊": ["联系困难群众", "助推民生改善"],
    "惠企政策宣传": ["联系企业", "助力经济发展"],
    "文艺演出": ["助促社会和谐"],
    "助农": ["联系企业", "助力经济发展"],
    "法治进校园": ["联系基层组织", "助解矛盾纠纷"],
}


def _tags(council, kind: str) -> list:
    return list(LinkTag.objects.filter(council=council, name__in=KIND_TAGS.get(kind, [])))


# (days before today, kind, title, platform name, sectors)
OTHER_ACTIVITIES = [
    (200, "助农", "经济界、农业界委员走进合作社助农增收", "农业界委员工作室", ["经济界", "农业界"]),
    (95, "助农", "委员帮农户对接销路“直播带货”", "农业界委员工作室", ["经济界", "农业界"]),
    (150, "法治进校园", "法律界、教育界委员“法治进校园”宣讲", "法律界委员工作室", ["法律界", "教育界"]),
    (40, "法治进校园", "预防校园欺凌法治课堂", "法律界委员工作室", ["法律界", "教育界"]),
    (180, "理论学习", "委员工作室理论学习会", "经济界委员工作室", ["经济界"]),
    (120, "理论学习", "学习全国两会精神专题学习会", "科技界委员工作室", ["科技界"]),
    (60, "理论宣讲", "委员宣讲团进社区", "文化艺术界委员工作室", ["文化艺术界"]),
    (160, "书香政协读书", "“书香政协”读书分享会", "教育界委员工作室", ["教育界"]),
    (75, "书香政协读书", "委员与群众共读一本书", "文化艺术界委员工作室", ["文化艺术界"]),
    (130, "送医义诊", "医药卫生界委员送医义诊进社区", "医药卫生界委员工作室", ["医药卫生界"]),
    (30, "送医义诊", "医药卫生界委员下乡义诊", "医药卫生界委员工作室", ["医药卫生界"]),
    (90, "惠企政策宣传", "工商联惠企政策宣讲会", "工商联界别委员联系点", ["工商联", "经济界"]),
    (110, "调研视察", "民族宗教界委员调研宗教场所安全", "民族宗教界委员工作室", ["少数民族界", "宗教界"]),
]

# (days after today, kind, title, platform name, sectors) — open for sign-up.
UPCOMING = [
    (6, "理论宣讲", "委员工作站理论宣讲", "兴安街道委员工作站", []),
    (13, "送医义诊", "“健康进万家”送医义诊", "医药卫生界委员工作室", ["医药卫生界", "中国共产党"]),
    (20, "座谈交流", "界别群众恳谈会", "工商联界别委员联系点", ["工商联", "经济界"]),
]

# 26 sessions: (topic, [(problem, responsible unit), …]); 35 problems in all.
CONSULTATIONS = [
    ("老旧小区改造中的群众关切", [("楼道照明损坏", "区住建局"), ("小区雨污管网老化", "区住建局")]),
    ("中小企业融资难问题", [("首贷获得难", "区金融服务中心"), ("担保费用偏高", "区财政局")]),
    ("农产品销售渠道拓展", [("缺少冷链仓储", "区农业农村局")]),
    ("校园周边交通安全", [("上下学高峰拥堵", "区交警大队"), ("缺少减速带", "区交通运输局")]),
    ("社区居家养老服务", [("日间照料中心不足", "区民政局")]),
    ("基层医疗服务能力提升", [("社区卫生站缺少全科医生", "区卫健局")]),
    ("营商环境优化", [("审批材料重复提交", "区营商环境局"), ("涉企检查过多", "区市场监管局")]),
    ("农村人居环境整治", [("垃圾转运不及时", "区城管局")]),
    ("青少年法治教育", [("学校法治副校长配备不全", "区司法局")]),
    ("采煤沉陷区治理", [("沉陷区道路破损", "区交通运输局")]),
    ("农机合作社发展", [("农机库棚用地难", "区自然资源局")]),
    ("少数民族群众就业", [("技能培训岗位少", "区人社局")]),
    ("社区文化活动场所建设", [("文化广场照明不足", "区文广旅局"), ("活动室开放时间短", "兴安街道")]),
    ("个体工商户纾困", [("租金压力大", "区商务局")]),
    ("城区停车难", [("老旧小区停车位不足", "区住建局"), ("占道停车管理", "区城管局")]),
    ("冬季供暖保障", [("部分楼栋室温不达标", "区供热办")]),
    ("农村饮水安全", [("水质检测频次低", "区水务局")]),
    ("义务教育均衡发展", [("薄弱学校师资不足", "区教育局")]),
    ("宗教场所消防安全", [("消防器材老化", "区消防救援大队")]),
    ("家庭农场品牌建设", [("缺少统一品牌", "区农业农村局"), ("电商人才缺乏", "区商务局")]),
    ("退役军人服务保障", [("服务站人员不足", "区退役军人事务局")]),
    ("食品安全监管", [("小餐饮后厨不规范", "区市场监管局")]),
    ("残疾人康复服务", [("康复机构距离远", "区残联")]),
    ("科技成果转化", [("企业研发投入补贴兑现慢", "区科技局"), ("缺少中试平台", "区工信局")]),
    ("背街小巷改造", [("路面坑洼积水", "区城管局")]),
    ("政务服务“一网通办”", [("老年人不会网上办事", "区政务服务中心"), ("部分事项仍需跑腿", "区政务服务中心")]),
]
# Problems still being worked on: (consultation index, problem index) → state.
UNFINISHED = {(14, 1): "open", (20, 0): "in_progress", (23, 1): "in_progress", (25, 1): "open"}

OFFICIAL_TITLES = ["科长", "副局长", "主任", "副主任"]


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def build(council, rng, today: date) -> None:
    if council.activities.exists() or council.consultations.exists():
        _demo_member_takes_part(council, today)  # a demo database made before it had them
        return
    staff = User.objects.filter(council=council, role=User.Role.STAFF).order_by("pk").first()
    kinds = {k.name: k for k in services.activity_kinds_ensure(council=council)}
    sectors = {s.name: s for s in Sector.objects.filter(council=council)}
    platforms = {p.name: p for p in Platform.objects.filter(council=council).prefetch_related("members", "sectors")}
    link_tags_install_defaults(council=council)
    _anniversary(council, rng, staff, kinds, platforms)
    _others(council, rng, today, staff, kinds, sectors, platforms)
    _upcoming(council, rng, today, staff, kinds, sectors, platforms)
    _consultations(council, rng, today, staff, platforms)
    _to_proposals(council, staff)
    _demo_member_takes_part(council, today)


# What the demo member (张建华, 中国共产党界别, login "member") took part in — none of it at
# a workstation, so the seed's "12 activities at the 10 workstations" stays as it is.
# (days before today, kind, title, platform name or None, sectors, attended)
MEMBER_ACTIVITIES = [
    (85, "理论学习", "中共界别委员学习贯彻全会精神专题学习会", None, ["中国共产党"], True),
    (55, "调研视察", "中共、民建界别委员联合视察老旧小区改造", None, ["中国共产党", "民建"], True),
    (35, "送医义诊", "“健康社区行”义诊志愿服务", "医药卫生界委员工作室", ["医药卫生界", "中国共产党"], True),
    (15, "书香政协读书", "界别委员共读《人民政协重要文献选编》", None, ["中国共产党"], False),
]


def _demo_member_takes_part(council, today: date) -> None:
    """The demo member signs up for a few activities of their sector and attends three
    (missing one), as members do: staff plan the activity, members sign up (报名), staff
    record it held and mark who came (签到). No random draws: the rest of the demo is
    unchanged. Runs once (an activity with the first title already there)."""
    from members.models import Constituent, Member

    first_title = MEMBER_ACTIVITIES[0][2]
    if council.activities.filter(title=first_title).exists():
        return
    member = Member.objects.filter(council=council, user__username="member").first()
    staff = User.objects.filter(council=council, role=User.Role.STAFF).order_by("pk").first()
    if member is None or staff is None:
        return
    kinds = {k.name: k for k in services.activity_kinds_ensure(council=council)}
    sectors = {s.name: s for s in Sector.objects.filter(council=council)}
    platforms = {p.name: p for p in Platform.objects.filter(council=council)}
    kept = list(Constituent.objects.filter(member=member, active=True).order_by("pk")[:2])
    for days_ago, kind, title, platform_name, sector_names, attended in MEMBER_ACTIVITIES:
        day = today - timedelta(days=days_ago)
        platform = platforms.get(platform_name)
        activity = services.activity_create(
            council=council, by=staff, title=title, kind=kinds[kind], channel=KIND_CHANNEL[kind],
            tags=_tags(council, kind),
            starts_at=_at(day, 14), ends_at=_at(day, 16),
            place=platform.address if platform else "区政协机关会议室",
            platform=platform, committee=member.committee,
            sectors=[sectors[s] for s in sector_names],
            summary=f"{title}：委员与界别群众面对面交流，收集意见建议。",
        )
        # Three others of the member's sector sign up too (the first by roster order).
        others = list(
            Member.objects.filter(council=council, sector=member.sector, status=Member.Status.ACTIVE)
            .exclude(pk=member.pk).order_by("pk")[:3]
        )
        for person in [member, *others]:
            services.activity_sign_up(activity=activity, member=person, now=_at(day - timedelta(days=7), 9))
        # Held: the people reached, naming the member's own constituents at the free clinic.
        named = kept if kind == "送医义诊" else []
        services.activity_update(
            activity=activity, by=staff, state=Activity.State.HELD,
            constituents_reached=25 + 5 * len(others), constituents=named,
        )
        present = others + ([member] if attended else [])
        services.activity_mark_attendance(activity=activity, by=staff, attended=present, today=day)


def _hold(activity, rng, staff, platform, today) -> None:
    """Mark a sample of the platform's members present, as staff do after the event."""
    people = list(platform.members.all())
    present = rng.sample(people, min(len(people), rng.randint(4, 9)))
    services.activity_mark_attendance(activity=activity, by=staff, attended=present, today=today)


def _anniversary(council, rng, staff, kinds, platforms) -> None:
    series = services.activity_series_get_or_create(
        council=council, name=SERIES,
        description="庆祝中国人民政治协商会议成立75周年，10个委员工作站开展的系列活动。",
    )
    stations = sorted(
        (p for p in platforms.values() if p.kind == Platform.Kind.WORKSTATION), key=lambda p: p.pk
    )
    for n, (kind, title) in enumerate(ANNIVERSARY):
        station = stations[n % len(stations)]
        day = date(2024, 8, 20) + timedelta(days=4 * n)
        activity = services.activity_create(
            council=council, by=staff, title=f"{station.name}·{title}", kind=kinds[kind],
            tags=_tags(council, kind),
            channel=KIND_CHANNEL[kind], starts_at=_at(day, 9 + n % 6),
            ends_at=_at(day, 11 + n % 6), place=station.address, platform=station, series=series,
            state=Activity.State.HELD,
            constituents_reached=rng.randint(40, 150),
            summary=f"{station.name}开展{title}，委员与界别群众共同回顾人民政协75年光辉历程。",
        )
        _hold(activity, rng, staff, station, day)


def _others(council, rng, today, staff, kinds, sectors, platforms) -> None:
    for days_ago, kind, title, platform_name, sector_names in OTHER_ACTIVITIES:
        day = today - timedelta(days=days_ago)
        platform = platforms[platform_name]
        activity = services.activity_create(
            council=council, by=staff, title=title, kind=kinds[kind], channel=KIND_CHANNEL[kind],
            tags=_tags(council, kind),
            starts_at=_at(day, 9), ends_at=_at(day, 12), place=platform.address,
            platform=platform, committee=platform.host_committee,
            sectors=[sectors[s] for s in sector_names], state=Activity.State.HELD,
            constituents_reached=rng.randint(20, 120),
            summary=f"{title}：委员深入一线，倾听群众意见，现场解答问题。",
        )
        _hold(activity, rng, staff, platform, day)


def _upcoming(council, rng, today, staff, kinds, sectors, platforms) -> None:
    for days_ahead, kind, title, platform_name, sector_names in UPCOMING:
        day = today + timedelta(days=days_ahead)
        platform = platforms[platform_name]
        activity = services.activity_create(
            council=council, by=staff, title=title, kind=kinds[kind], channel=KIND_CHANNEL[kind],
            tags=_tags(council, kind),
            starts_at=_at(day, 9), ends_at=_at(day, 11), place=platform.address,
            platform=platform, committee=platform.host_committee,
            sectors=[sectors[s] for s in sector_names],
            summary=f"欢迎委员报名参加{title}。",
        )
        # A few members have already signed up; the demo member ("member") has not.
        people = [m for m in platform.members.all() if m.user.username != "member"]
        for member in rng.sample(people, min(3, len(people))):
            services.activity_sign_up(activity=activity, member=member, now=_at(today, 0))


def _consultations(council, rng, today, staff, platforms) -> None:
    places = sorted(platforms.values(), key=lambda p: p.pk)
    first = date(2023, 6, 1)
    span = (today - timedelta(days=45) - first).days
    for n, (topic, problems) in enumerate(CONSULTATIONS):
        platform = places[n % len(places)]
        held_on = first + timedelta(days=span * n // len(CONSULTATIONS))
        people = list(platform.members.all())
        units = sorted({unit for _problem, unit in problems})
        consultation = consultations.consultation_create(
            council=council, by=staff, topic=f"{topic}协商议事会", held_on=held_on,
            platform=platform, host=platform.convenor.name if platform.convenor else "",
            members=rng.sample(people, min(len(people), rng.randint(3, 6))),
            sectors=platform.sectors.all(),  # the sectors the platform serves are involved
            officials_count=len(units) + 1,
            officials_names="、".join(f"{u}{rng.choice(OFFICIAL_TITLES)}" for u in units),
            constituents_count=rng.randint(8, 30),
            minutes=f"围绕{topic}，委员、部门负责人和界别群众面对面协商，形成意见建议{len(problems)}条。",
        )
        for p, (description, unit) in enumerate(problems):
            problem = consultations.problem_create(
                consultation=consultation, by=staff, description=description,
                raised_by=rng.choice(["界别群众", "委员", "社区代表", "企业代表"]),
                responsible_unit=unit,
            )
            _follow_up(problem, UNFINISHED.get((n, p)), rng, today, staff, held_on)


def _follow_up(problem: Problem, unfinished: str | None, rng, today, staff, held_on) -> None:
    if unfinished == "open":
        return
    if unfinished == "in_progress" or rng.random() < 0.5:
        consultations.problem_set_state(problem=problem, by=staff, state=Problem.State.IN_PROGRESS)
    if unfinished:
        return
    resolved_on = min(held_on + timedelta(days=rng.randint(7, 60)), today)
    consultations.problem_set_state(
        problem=problem, by=staff, state=Problem.State.RESOLVED, resolved_on=resolved_on,
        resolution=f"{problem.responsible_unit}已落实整改，并向界别群众反馈。",
    )


def _to_proposals(council, staff) -> None:
    """Two problems went into proposals of the demo session (when the proposals part ran)."""
    from proposals.models import Proposal

    proposals = list(Proposal.objects.filter(council=council).order_by("pk")[:2])
    problems = Problem.objects.filter(consultation__council=council, state=Problem.State.RESOLVED)
    for problem, proposal in zip(problems.order_by("pk")[:2], proposals, strict=False):
        consultations.problem_to_proposal(problem=problem, proposal=proposal, by=staff)

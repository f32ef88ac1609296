"""Demo part: the proposal pipeline of 新兴区政协.

The current session 十届四次 reproduces the seed's figures — 85 proposals collected since it
opened in January 2025, 83 filed (立案) and 2 not filed, all 83 closed (办结) after replies of
every category and every proposer's rating — and the next session 十届五次 has a few
proposals in every earlier state so that each staff queue has something in it.

Everything goes through ``proposals.services`` at the moment it would have happened (each
step runs inside ``members.common.clock.frozen_at``, which the services date their rows by),
so numbers, events, deadlines and notices are what users would have produced. Titles and people are fictional.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from members.common import clock
from members.models import Committee, Member, Notification, Sector, User
from proposals import services
from proposals.models import Category, HandlingUnit, ProposerKind, Reply, Session, State
from proposals.models.reference import DEFAULT_CATEGORIES

SEED = 31158  # its own random stream: adding this part does not reshuffle the others
TZ = ZoneInfo("Asia/Shanghai")

COLLECTED = 85
NOT_FILED = 2
# Reply categories of the 83 filed proposals of 十届四次.
REPLY_MIX = {"A": 38, "B": 24, "C": 14, "D": 7}
UNSATISFIED_FIRST = 4  # rated 不满意 once, re-handled, then rated again

# (login, unit, categories it leads on)
UNITS = [
    ("unit_fgj", "区发改局", ["经济"]),
    ("unit_nyj", "区农业农村局", ["农业农村"]),
    ("unit", "区教育局", ["教育"]),
    ("unit_wjj", "区卫健局", ["社会民生"]),
    ("unit_zjj", "区住建局", ["社会民生", "生态环境", "其他"]),
    ("unit_scj", "区市场监管局", ["经济"]),
    ("unit_sfj", "区司法局", ["法治"]),
    ("unit_wlj", "区文旅局", ["文化"]),
    ("unit_sthj", "市生态环境局新兴分局", ["生态环境"]),
    ("unit_rsj", "区人社局", ["社会民生", "经济"]),
]

TITLES = {
    "经济": [
        "关于优化营商环境、提升涉企服务效率的提案",
        "关于支持中小微企业融资纾困的提案",
        "关于推动煤炭资源型城市产业转型的提案",
        "关于加快石墨新材料产业园建设的提案",
        "关于发展夜间经济、激活城区消费的提案",
        "关于规范涉企收费、减轻企业负担的提案",
        "关于培育本地电商直播产业的提案",
        "关于盘活闲置厂房和低效用地的提案",
        "关于完善招商引资项目跟踪服务机制的提案",
        "关于加强商贸物流园区配套建设的提案",
        "关于推进老旧商业街区改造提升的提案",
        "关于扶持个体工商户稳定经营的提案",
        "关于建立企业家恳谈会常态化机制的提案",
        "关于推进数字经济与实体经济融合的提案",
        "关于加大首台套新产品推广应用支持的提案",
        "关于完善政府采购支持本地企业政策的提案",
        "关于提升企业开办“一日办结”服务的提案",
    ],
    "农业农村": [
        "关于发展设施农业、延长蔬菜供应期的提案",
        "关于推广黑木耳标准化种植的提案",
        "关于加强高标准农田建设后期管护的提案",
        "关于培育新型农业经营主体的提案",
        "关于完善农村冷链物流体系的提案",
        "关于推进农村人居环境整治长效管理的提案",
        "关于打造特色农产品区域公用品牌的提案",
        "关于加强农村集体经济组织规范管理的提案",
        "关于发展乡村旅游与民宿经济的提案",
        "关于提高农业机械化社会化服务水平的提案",
        "关于做好防止返贫动态监测帮扶的提案",
        "关于加强农产品质量安全追溯的提案",
        "关于支持返乡青年创业兴农的提案",
        "关于推进秸秆综合利用的提案",
        "关于完善农村供水工程运行管护的提案",
    ],
    "社会民生": [
        "关于推进老旧小区加装电梯的提案",
        "关于完善社区居家养老服务网络的提案",
        "关于加强基层医疗卫生人才队伍建设的提案",
        "关于扩大高校毕业生就业见习岗位的提案",
        "关于解决老旧小区停车难问题的提案",
        "关于推广家庭医生签约服务的提案",
        "关于加强灵活就业人员社会保障的提案",
        "关于建设城市15分钟便民生活圈的提案",
        "关于完善困难群众冬季供暖救助的提案",
        "关于提升社区卫生服务中心诊疗能力的提案",
        "关于加强独居老人关爱服务的提案",
        "关于推进无障碍环境建设的提案",
        "关于做好采煤沉陷区居民安置保障的提案",
        "关于建设普惠托育服务机构的提案",
        "关于加强慢性病患者用药保障的提案",
        "关于推进县域医共体建设的提案",
        "关于完善退役军人服务保障的提案",
    ],
    "教育": [
        "关于加强学校周边交通安全管理的提案",
        "关于推进义务教育优质均衡发展的提案",
        "关于缓解城区学校大班额问题的提案",
        "关于加强中小学心理健康教育的提案",
        "关于规范校外培训机构管理的提案",
        "关于提高乡村教师待遇、稳定教师队伍的提案",
        "关于推进职业教育产教融合的提案",
        "关于完善课后延时服务的提案",
        "关于加强校园食品安全监管的提案",
        "关于建设学前教育普惠性幼儿园的提案",
        "关于推进中小学体育场馆向社会开放的提案",
        "关于加强特殊教育资源配置的提案",
        "关于推进智慧校园建设的提案",
        "关于减轻中小学生课业负担的提案",
        "关于加强青少年近视防控的提案",
    ],
    "文化": [
        "关于保护利用煤矿工业遗产的提案",
        "关于建设城市书房、推广全民阅读的提案",
        "关于挖掘地方红色文化资源的提案",
        "关于扶持本地非物质文化遗产传承的提案",
        "关于丰富群众冬季文体活动的提案",
        "关于推进公共文化服务数字化的提案",
        "关于打造冰雪旅游特色品牌的提案",
        "关于加强基层综合文化服务中心建设的提案",
        "关于编纂新兴区地方文史资料的提案",
        "关于加强历史街区风貌保护的提案",
        "关于推动文旅融合发展的提案",
        "关于加强社区文艺团队扶持的提案",
        "关于建设城市规划展览馆的提案",
    ],
    "生态环境": [
        "关于推进采煤沉陷区生态修复的提案",
        "关于加强倭肯河流域水环境治理的提案",
        "关于推进生活垃圾分类的提案",
        "关于加强冬季大气污染防治的提案",
        "关于推广清洁取暖改造的提案",
        "关于建设城市绿道和口袋公园的提案",
        "关于加强矸石山综合治理的提案",
        "关于推进农村污水处理设施建设的提案",
        "关于加强建筑工地扬尘管控的提案",
        "关于推广新能源公交车辆的提案",
        "关于加强饮用水水源地保护的提案",
        "关于推进节水型社会建设的提案",
        "关于开展城区植树增绿行动的提案",
    ],
    "法治": [
        "关于加强基层公共法律服务体系建设的提案",
        "关于推进矛盾纠纷多元化解的提案",
        "关于加强农民工工资支付保障的提案",
        "关于开展青少年法治教育进校园的提案",
        "关于规范行政执法自由裁量权的提案",
        "关于加强老年人防范电信诈骗宣传的提案",
        "关于完善社区矫正工作机制的提案",
        "关于推进法治乡村建设的提案",
        "关于加强物业管理纠纷调解的提案",
        "关于加强未成年人网络保护的提案",
        "关于推进“枫桥经验”在社区落地的提案",
        "关于规范电动自行车停放充电管理的提案",
    ],
    "其他": [
        "关于提升政务服务“一网通办”水平的提案",
        "关于加强城市道路冬季除雪保畅的提案",
        "关于优化城区公交线路的提案",
        "关于加强城市排水防涝设施建设的提案",
        "关于规范城区户外广告设置的提案",
        "关于推进城市燃气管网更新改造的提案",
        "关于加强城区背街小巷环境整治的提案",
        "关于完善城市应急避难场所的提案",
    ],
}

REASONS = "{title_core}是群众反映较多的问题。委员在走访界别群众和调研中了解到，目前存在政策落实不到位、部门协同不够、资金保障不足等情况，影响了群众的获得感。"
SUGGESTIONS = "一是摸清底数，建立工作台账；二是明确牵头部门和责任分工，形成工作合力；三是加大资金投入，争取上级政策支持；四是建立跟踪问效机制，定期向社会通报进展。"

REPLIES = {
    "A": "经研究，提案所提问题已解决。我单位已会同有关部门完成整改，相关措施已落实到位。",
    "B": "提案所提问题正在解决。我单位已制定工作方案，目前正按计划推进，预计年内完成。",
    "C": "提案所提建议已列入明年工作计划，我单位将积极争取资金和政策支持，分步骤实施。",
    "D": "提案所提建议受现有条件限制暂难实施，我单位将留作工作参考，并在今后工作中统筹考虑。",
}
REHANDLED = "根据委员意见，我单位重新研究办理，已召开专题会议，调整了实施方案并明确完成时限。"

NOT_FILED_REASONS = [
    ("反映的是个人具体诉求，不属于提案范围，已转有关部门按信访程序办理。", False),
    ("内容属于社情民意，建议以社情民意信息形式报送。", True),
]


def _at(day: date, hour: int = 10):
    """Date the steps run in the block ``day`` at ``hour`` o'clock, Beijing time."""
    return clock.frozen_at(datetime.combine(day, time(hour, 0), tzinfo=TZ))


def build(council, rng, today: date) -> None:
    if Session.objects.filter(council=council, term=10, number=4).exists():
        return
    rng = random.Random(SEED)
    staff = User.objects.filter(council=council, role=User.Role.STAFF).order_by("pk").first()
    categories = {
        name: Category.objects.get_or_create(council=council, name=name, defaults={"order": n})[0]
        for n, name in enumerate(DEFAULT_CATEGORIES)
    }
    units = _units(council)
    members = list(Member.objects.filter(council=council).active().select_related("user").order_by("pk"))
    current = Session.objects.create(
        council=council, term=10, number=4, name="十届四次", opened_on=date(2025, 1, 10),
        closes_on=date(2025, 1, 13), is_current=True,
    )
    next_opens = date(2026, 1, 9) if today >= date(2026, 3, 1) else today - timedelta(days=80)
    upcoming = Session.objects.create(
        council=council, term=10, number=5, name="十届五次", opened_on=next_opens,
        closes_on=next_opens + timedelta(days=3),
    )
    titles = [(cat, title) for cat, items in TITLES.items() for title in items]
    rng.shuffle(titles)
    world = {
        "council": council, "staff": staff, "categories": categories, "units": units,
        "members": members, "rng": rng,
    }
    _current_session(world, current, titles[:COLLECTED])
    _next_session(world, upcoming, titles[COLLECTED:], today)
    # History is not e-mailed again; notices older than a month count as read.
    now = timezone.now()
    demo_notices = Notification.objects.filter(user__council=council, kind__startswith="proposal_")
    demo_notices.filter(emailed_at__isnull=True).update(emailed_at=now)
    demo_notices.filter(created_at__lt=now - timedelta(days=30)).update(read_at=now)


def _units(council) -> dict[str, HandlingUnit]:
    from liaison.demo import DEMO_PASSWORD

    units = {}
    for order, (login, name, _cats) in enumerate(UNITS):
        unit = HandlingUnit.objects.create(council=council, name=name, order=order)
        user = User(
            username=login, display_name=f"{name}提案办理员", role=User.Role.UNIT,
            council=council, email=f"{login}@xinxing.example",
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        unit.users.add(user)
        units[name] = unit
    return units


def _lead_for(world, category: str) -> HandlingUnit:
    choices = [name for _login, name, cats in UNITS if category in cats]
    return world["units"][world["rng"].choice(choices)]


def _draft(world, session, category, title, day, proposer=None, collective=None, cosigners=0):
    """A draft entered on ``day`` by a member (or by staff for a collective proposer), with
    ``cosigners`` invitations, answered the next day (most confirm)."""
    rng = world["rng"]
    proposer = proposer or rng.choice(world["members"])
    core = title.removeprefix("关于").removesuffix("的提案")
    kwargs = {
        "session": session, "title": title, "category": world["categories"][category],
        "reasons": REASONS.format(title_core=core), "suggestions": SUGGESTIONS,
    }
    with _at(day, 9):
        if collective is None:
            p = services.proposal_create(by=proposer.user, proposer=proposer, **kwargs)
            by = proposer.user
        else:
            p = services.proposal_create(by=world["staff"], **collective, **kwargs)
            by = world["staff"]
    invited = []
    if cosigners:
        pool = [m for m in world["members"] if m.pk != proposer.pk]
        invited = rng.sample(pool, cosigners)
        with _at(day, 10):
            services.cosigner_invite(proposal=p, by=by, members=invited)
        with _at(day + timedelta(days=1), 11):
            for member in invited:
                services.cosigner_respond(proposal=p, by=member.user, accept=rng.random() < 0.85)
        p.refresh_from_db()
    return p, by


def _collectives(world) -> list[dict]:
    council = world["council"]
    sectors = {s.name: s for s in Sector.objects.filter(council=council)}
    committees = {c.name: c for c in Committee.objects.filter(council=council)}
    found = []
    for kind, name in ((ProposerKind.PARTY, "民盟"), (ProposerKind.SECTOR, "工商联")):
        if name in sectors:
            found.append({"proposer_kind": kind, "proposer_sector": sectors[name]})
    if "经济委" in committees:
        found.append({"proposer_kind": ProposerKind.COMMITTEE, "proposer_committee": committees["经济委"]})
    return found


def _rate_all(world, p, by, raters, day, unsatisfied=False) -> object:
    rng = world["rng"]
    for n, user in enumerate([by, *raters]):
        value = "unsatisfied" if unsatisfied and n == 0 else rng.choice(
            ["satisfied", "satisfied", "satisfied", "basically"]
        )
        with _at(day + timedelta(days=n), 15):
            p = services.proposal_rate(
                proposal=p, by=user, value=value,
                comment="答复未回应核心问题，希望进一步落实。" if value == "unsatisfied" else "",
            )
        if p.state != State.REPLIED:
            break
    return p


def _confirmed_raters(p) -> list[User]:
    return list(
        User.objects.filter(member__cosignatures__proposal=p, member__cosignatures__state="confirmed")
    )


def _current_session(world, session, titles) -> None:
    """十届四次: 85 collected, 83 filed, 2 not filed, 83 closed."""
    rng, staff = world["rng"], world["staff"]
    collectives = _collectives(world)
    drafts = []
    for n, (category, title) in enumerate(titles):
        day = date(2025, 1, 3) + timedelta(days=n % 10)
        collective = collectives[n // 20] if n % 20 == 7 and n // 20 < len(collectives) else None
        p, by = _draft(world, session, category, title, day, collective=collective,
                       cosigners=rng.choice([0, 0, 1, 1, 2, 3]))
        with _at(day + timedelta(days=2), 16):
            p = services.proposal_submit(proposal=p, by=by)
        drafts.append((p, by, category))
    drafts.sort(key=lambda item: (item[0].submitted_at, item[0].pk))
    rejected = set(rng.sample(range(len(drafts)), NOT_FILED))
    categories = [c for c, k in REPLY_MIX.items() for _ in range(k)]
    rng.shuffle(categories)
    unsatisfied = set(rng.sample(range(len(drafts) - NOT_FILED), UNSATISFIED_FIRST))
    filed = 0
    for n, (p, by, category) in enumerate(drafts):
        review_day = date(2025, 1, 15) + timedelta(days=n % 6)
        with _at(review_day, 9):
            p = services.proposal_start_review(proposal=p, by=staff)
        decide_day = date(2025, 1, 22) + timedelta(days=n // 6)
        if n in rejected:
            reason, to_opinion = NOT_FILED_REASONS[len([r for r in rejected if r < n])]
            with _at(decide_day, 10):
                services.proposal_reject(proposal=p, by=staff, reason=reason, to_opinion=to_opinion)
            continue
        with _at(decide_day, 10):
            p = services.proposal_file(proposal=p, by=staff)
        assign_day = date(2025, 2, 24) + timedelta(days=filed // 12)
        lead = _lead_for(world, category)
        co = [u for u in world["units"].values() if u.pk != lead.pk]
        with _at(assign_day, 14):
            p = services.proposal_assign(
                proposal=p, by=staff, lead_unit=lead, deadline=assign_day + timedelta(days=90),
                co_units=rng.sample(co, rng.choice([0, 0, 1])),
            )
        reply_day = assign_day + timedelta(days=rng.randint(35, 85))
        replier = lead.users.first()
        with _at(reply_day, 11):
            p = services.proposal_reply(
                proposal=p, by=replier, category=categories[filed], text=REPLIES[categories[filed]]
            )
        raters = _confirmed_raters(p)
        rate_day = reply_day + timedelta(days=rng.randint(5, 15))
        p = _rate_all(world, p, by, raters, rate_day, unsatisfied=filed in unsatisfied)
        if p.state == State.ASSIGNED:  # 不满意: the unit handles it again
            with _at(rate_day + timedelta(days=20), 11):
                p = services.proposal_reply(
                    proposal=p, by=replier, category=Reply.Category.A, text=REHANDLED
                )
            p = _rate_all(world, p, by, raters, rate_day + timedelta(days=25))
        assert p.state == State.CLOSED, p
        filed += 1


def _next_session(world, session, titles, today: date) -> None:
    """十届五次: a few proposals in each earlier state, dated relative to ``today``."""
    rng, staff = world["rng"], world["staff"]
    demo_member = next((m for m in world["members"] if m.user.username == "member"), world["members"][0])
    others = [m for m in world["members"] if m.pk != demo_member.pk]
    education = world["units"]["区教育局"]
    titles = iter(titles)

    def draft(days_ago, proposer=None, cosigners=0):
        category, title = next(titles)
        return _draft(world, session, category, title, today - timedelta(days=days_ago),
                      proposer=proposer, cosigners=cosigners) + (category,)

    def step(days_ago, fn, **kwargs):
        with _at(today - timedelta(days=days_ago), 10):
            return fn(by=staff, **kwargs)

    def to_filed(p, by, days_ago):
        with _at(today - timedelta(days=days_ago), 9):
            p = services.proposal_submit(proposal=p, by=by)
        p = step(days_ago - 1, services.proposal_start_review, proposal=p)
        return step(days_ago - 2, services.proposal_file, proposal=p)

    # Drafts: the demo member's own, and one they are invited to co-sign.
    draft(2, proposer=demo_member)
    p, by, _ = draft(1, proposer=others[0])
    with _at(today - timedelta(days=1), 12):
        services.cosigner_invite(proposal=p, by=by, members=[demo_member],
                                 deadline=today + timedelta(days=5))
    # 待审查: submitted, and under review.
    for days_ago, review in ((6, False), (5, False), (10, True), (9, True)):
        p, by, _ = draft(days_ago, cosigners=rng.choice([0, 1]))
        with _at(today - timedelta(days=days_ago - 1), 9):
            p = services.proposal_submit(proposal=p, by=by)
        if review:
            step(days_ago - 2, services.proposal_start_review, proposal=p)
    # Returned to the proposer for revision.
    p, by, _ = draft(14, proposer=demo_member)
    with _at(today - timedelta(days=13), 9):
        p = services.proposal_submit(proposal=p, by=by)
    p = step(12, services.proposal_start_review, proposal=p)
    step(11, services.proposal_return, proposal=p,
         reason="案由部分请补充调研数据和具体案例，建议部分请细化到可操作的措施。")
    # 待交办: filed, waiting for a unit.
    for days_ago in (20, 18):
        p, by, _ = draft(days_ago)
        to_filed(p, by, days_ago - 1)
    # Being handled: due soon (临期), overdue (超期未答复), and on time. 区教育局 has one of each.
    for days_ago, due_in, lead in (
        (40, 3, education), (38, 5, None), (70, -5, education), (75, -12, None), (30, 40, education),
    ):
        p, by, category = draft(days_ago)
        p = to_filed(p, by, days_ago - 1)
        step(days_ago - 5, services.proposal_assign, proposal=p,
             lead_unit=lead or _lead_for(world, category), deadline=today + timedelta(days=due_in))
    # 待评价: replied, the demo member's among them.
    for days_ago, proposer in ((60, demo_member), (55, None)):
        p, by, category = draft(days_ago, proposer=proposer)
        p = to_filed(p, by, days_ago - 1)
        lead = education if proposer else _lead_for(world, category)
        p = step(days_ago - 5, services.proposal_assign, proposal=p, lead_unit=lead,
                 deadline=today + timedelta(days=30))
        with _at(today - timedelta(days=3), 11):
            services.proposal_reply(proposal=p, by=lead.users.first(), category="B", text=REPLIES["B"])
    # 不满意: rated unsatisfied, back with 区教育局.
    p, by, _ = draft(65)
    p = to_filed(p, by, 64)
    p = step(60, services.proposal_assign, proposal=p, lead_unit=education,
             deadline=today + timedelta(days=10))
    with _at(today - timedelta(days=12), 11):
        p = services.proposal_reply(proposal=p, by=education.users.first(), category="D",
                                    text=REPLIES["D"])
    with _at(today - timedelta(days=8), 15):
        services.proposal_rate(proposal=p, by=by, value="unsatisfied",
                               comment="答复过于笼统，希望明确时间表。")

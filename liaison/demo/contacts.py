"""Demo part 2: a few hundred contact logs over the five channels and the last twelve months,
recorded through the same service members use (so last-contact dates stay right)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from activities.contacts.services import contact_log_create
from activities.models import Channel, ContactLog
from activities.tags.services import link_tags_install_defaults
from members.models import Council, Member, Platform

LOGS = 420

SUMMARIES = {
    Channel.RESEARCH: [
        ("走访了解企业用工和融资情况", "建议简化小微企业贷款审批流程"),
        ("就老旧小区改造进展听取居民意见", "希望加快加装电梯审批"),
        ("调研农产品销售渠道", "建议搭建本地农产品线上销售平台"),
    ],
    Channel.FORUM: [
        ("参加界别群众座谈会，交流营商环境感受", "反映办事窗口排队时间长"),
        ("组织社区座谈，听取对养老服务的意见", "建议增设社区日间照料中心"),
        ("与青年创业者座谈交流", ""),
    ],
    Channel.ONLINE: [
        ("通过微信群解答惠企政策问题", ""),
        ("线上收集群众对公交线路调整的意见", "建议恢复夜间公交班次"),
        ("网络互动宣传医保缴费政策", ""),
    ],
    Channel.CLINIC: [
        ("参加送医义诊活动，为群众量血压、讲健康知识", "希望社区卫生站增加慢病用药"),
        ("到村里开展义诊", "反映村卫生室医生不足"),
    ],
    Channel.READING: [
        ("参加委员读书活动，分享读书体会", ""),
        ("与群众共读政策解读读本", "建议在社区图书室增加农技书籍"),
    ],
}
# The "四联四助" tags each kind of contact served (the default tags' names); no random draw,
# so the rest of the demo stays as it was.
SUMMARY_TAGS = {
    "走访了解企业用工和融资情况": ["联系企业", "助力经济发展"],
    "就老旧小区改造进展听取居民意见": ["联系基层组织", "助推民生改善"],
    "调研农产品销售渠道": ["联系界别群众", "助力经济发展"],
    "参加界别群众座谈会，交流营商环境感受": ["联系界别群众", "联系企业"],
    "组织社区座谈，听取对养老服务的意见": ["联系基层组织", "助推民生改善"],
    "与青年创业者座谈交流": ["联系界别群众"],
    "通过微信群解答惠企政策问题": ["联系企业", "助力经济发展"],
    "线上收集群众对公交线路调整的意见": ["助推民生改善"],
    "网络互动宣传医保缴费政策": ["助促社会和谐"],
    "参加送医义诊活动，为群众量血压、讲健康知识": ["联系困难群众", "助推民生改善"],
    "到村里开展义诊": ["联系困难群众", "联系基层组织"],
    "参加委员读书活动，分享读书体会": ["联系界别群众"],
    "与群众共读政策解读读本": ["联系界别群众", "助促社会和谐"],
}
MODES = [ContactLog.Mode.VISIT, ContactLog.Mode.PHONE, ContactLog.Mode.ONLINE, ContactLog.Mode.PLATFORM]


def build(council: Council, rng, today: date) -> None:
    if ContactLog.objects.filter(council=council).exists():
        return
    members = list(
        Member.objects.filter(council=council).select_related("user").prefetch_related("constituents", "platforms")
    )
    platforms = list(Platform.objects.filter(council=council))
    channels = list(SUMMARIES)
    tags = {t.name: t for t in link_tags_install_defaults(council=council)}
    tz = timezone.get_current_timezone()
    for n in range(LOGS):
        # The demo member (index 0) logs often, so their home page has a history to show.
        member = members[0] if n % 20 == 0 else rng.choice(members)
        roster = list(member.constituents.all())
        # Leave the demo member's last two contacts never contacted, to show them first.
        if member is members[0]:
            roster = roster[:-2] or roster
        people = rng.sample(roster, k=min(len(roster), rng.choice([1, 1, 1, 2, 3])))
        channel = channels[n % len(channels)] if n < 50 else rng.choice(channels)
        summary, opinions = rng.choice(SUMMARIES[channel])
        mode = rng.choice(MODES)
        member_platforms = list(member.platforms.all()) or platforms
        platform = rng.choice(member_platforms) if mode == ContactLog.Mode.PLATFORM else None
        day = today - timedelta(days=rng.randrange(0, 365))
        when = datetime.combine(day, time(rng.randrange(8, 18), rng.choice([0, 15, 30, 45])), tzinfo=tz)
        when = min(when, timezone.now() - timedelta(minutes=5))
        difficulty = rng.random() < 0.04
        contact_log_create(
            by=member.user,
            member=member,
            constituents=people,
            contacted_at=when,
            channel=channel,
            mode=mode,
            platform=platform,
            summary=summary,
            opinions=opinions,
            difficulty=difficulty,
            difficulty_kind=ContactLog.Difficulty.HARDSHIP if difficulty else "",
            tags=[tags[name] for name in SUMMARY_TAGS.get(summary, [])]
            + ([tags["联系困难群众"]] if difficulty else []),
        )

"""Demo part: the proposal pipeline of 新兴区政协.

The session 十届四次 reproduces the seed's figures — 85 proposals collected since it opened
in January 2025, 83 filed (立案) and 2 not filed, all 83 closed (办结) after replies of every
category and every proposer's rating: the report of 2025 states them ("十届四次全会以来共征集
提案85件，立案83件，办结83件"). The next session 十届五次 (January 2026) is the current one —
the latest opened, so a new proposal goes to it — and has a few proposals in every earlier
state so that each staff queue has something in it.

Everything goes through ``proposals.services`` at the moment it would have happened (each
step runs inside ``members.common.clock.frozen_at``, which the services date their rows by),
so numbers, events, deadlines and notices are what users would have produced. Titles and people are fictional.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from liaison.demo.proposal_texts import (
    NOT_FILED_REASONS,
    REASONS,
    REHANDLED,
    REPLIES,
    SUGGESTIONS,
    TITLES,
    UNITS,
)
from members import services as member_services
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
    seed = Session.objects.create(
        council=council, term=10, number=4, name="十届四次", opened_on=date(2025, 1, 10),
        closes_on=date(2025, 1, 13),
    )
    # The latest opened session is the current one: new proposals are filed under it.
    next_opens = date(2026, 1, 9) if today >= date(2026, 3, 1) else today - timedelta(days=80)
    current = Session.objects.create(
        council=council, term=10, number=5, name="十届五次", opened_on=next_opens,
        closes_on=next_opens + timedelta(days=3), is_current=True,
    )
    titles = [(cat, title) for cat, items in TITLES.items() for title in items]
    rng.shuffle(titles)
    world = {
        "council": council, "staff": staff, "categories": categories, "units": units,
        "members": members, "rng": rng,
    }
    _seed_session(world, seed, titles[:COLLECTED])
    _current_session(world, current, titles[COLLECTED:], today)
    # History is not e-mailed again; notices older than a month count as read.
    now = timezone.now()
    demo_notices = Notification.objects.filter(user__council=council, kind__startswith="proposal_")
    demo_notices.filter(emailed_at__isnull=True).update(emailed_at=now)
    demo_notices.filter(created_at__lt=now - timedelta(days=30)).update(read_at=now)
    member_services.unread_recount(council=council.pk)


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


def _seed_session(world, session, titles) -> None:
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


def _current_session(world, session, titles, today: date) -> None:
    """十届五次, the current session: a few proposals in each earlier state, dated relative
    to ``today``."""
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
    _raised_again(world, session, today)


def _raised_again(world, session, today: date) -> None:
    """A matter raised before comes again (under review): its page lists the earlier
    proposal on lifts in old housing estates, with its state and reply, among the similar
    ones — to merge it (并案) or to point to the answer already given."""
    p, by = _draft(
        world, session, "社会民生", "关于加快老旧小区加装电梯进度的提案", today - timedelta(days=4),
        proposer=world["members"][1],
    )
    with _at(today - timedelta(days=4), 10):
        p = services.proposal_update(
            proposal=p, by=by,
            reasons="我区不少老旧小区多层住宅没有电梯，高龄老人上下楼困难。加装电梯的提案答复后，"
            "部分小区已经启动，但低层住户意见不一、费用分摊难、审批手续多，加装电梯进度仍然缓慢。",
            suggestions="建议简化老旧小区加装电梯审批手续，提高财政补贴标准，由社区牵头协调低层住户。",
        )
    with _at(today - timedelta(days=3), 9):
        p = services.proposal_submit(proposal=p, by=by)
    with _at(today - timedelta(days=2), 10):
        services.proposal_start_review(proposal=p, by=world["staff"])

"""Benchmark (not a test): similar proposals (issue 15) at 20,000 proposals of one council.

    createdb -h 127.0.0.1 -U postgres liaison_similar
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_similar .venv/bin/python bench/similar_proposals.py

Migrates the scratch database given, adds the demo's council with its members and staff
(``liaison.demo.members``), then — once — 20,000 proposals over five sessions written from
topic templates with a seeded random stream (the same text on every run): the demo's 120
proposal topics, each said in several ways, at one of 20 places, with problem and suggestion
sentences drawn from pools. The proposals and the replies of the closed ones are inserted in
bulk, past the services; then the word index is built by ``similar_rebuild`` (timed).

Then measures ``RUNS`` similarity queries (the texts of proposals drawn at random, the
proposal itself left out): the search alone, as staff and as a member, and the whole
drafting lookup (``proposals:similar-lookup``, middleware, view, template) as a member through
Django's test client; prints p50/p95/max in ms, the queries per lookup, and the plan of the scoring
query. Never run it against a database that matters: it refuses ``liaison_province``.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
os.environ.setdefault("DEBUG", "true")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from liaison.demo import SEED  # noqa: E402
from liaison.demo import members as members_part  # noqa: E402
from liaison.demo.proposal_texts import TITLES  # noqa: E402
from members.models import Member, User  # noqa: E402
from proposals.models import (  # noqa: E402
    Category,
    HandlingUnit,
    Proposal,
    ProposalTerm,
    Reply,
    Session,
    State,
)
from proposals.similarity import similar_proposals  # noqa: E402
from proposals.similarity.index import body_of  # noqa: E402
from proposals.similarity.search import listed_to, query_for  # noqa: E402

PROPOSALS = 20_000
SESSIONS = 5
RUNS = 200
RNG_SEED = 20_000

PLACES = ["兴安街道", "新立街道", "新建街道", "太阳街道", "红旗镇", "长兴乡", "北山社区", "矿区社区",
          "铁东社区", "铁西社区", "新兴大街", "学府路", "经济开发区", "石墨产业园", "老城区", "城北新区",
          "东风村", "胜利村", "倭肯河沿岸", "火车站周边"]
ASKS = ["关于{core}的提案", "关于进一步{core}的提案", "关于{place}{core}的提案",
        "关于加快{core}、回应群众关切的提案", "关于{core}若干问题的建议", "关于切实{core}的提案"]
PROBLEMS = [
    "委员在走访界别群众中了解到，{place}群众对{core}反映强烈。",
    "目前相关工作存在资金投入不足、专业人员短缺的问题。",
    "部门之间职责交叉，协调联动不够，出现问题互相推诿。",
    "政策宣传不到位，群众对相关政策知晓率不高。",
    "基础设施老化，维护管理跟不上，安全隐患较多。",
    "考核评价机制不健全，工作成效难以量化。",
    "群众参与渠道少，意见建议得不到及时回应。",
    "农村地区与城区差距明显，资源配置不均衡。",
    "现有标准偏低，与群众期待还有差距。",
    "信息化水平不高，数据不共享，办事需要多次跑腿。",
    "社会资本参与积极性不高，市场化运营机制没有形成。",
    "监管力量薄弱，执法检查频次低，违规行为屡禁不止。",
    "冬季气候寒冷，施工期短，项目推进受到影响。",
    "老年人和困难群体的特殊需求考虑不够。",
    "上级补助资金使用效率不高，部分项目建成后闲置。",
    "近三年相关投诉举报数量逐年上升，社会关注度高。",
    "{place}人口流动大，底数不清，管理服务覆盖不全。",
    "基层工作人员待遇偏低，队伍不稳定。",
]
SUGGESTIONS = [
    "建议由区政府牵头成立专班，统筹推进{core}。",
    "建议将相关经费纳入年度财政预算，并积极争取上级专项资金。",
    "建议制定实施方案，明确时间表、路线图和责任单位。",
    "建议引入第三方评估，定期公开工作进展。",
    "建议加强宣传引导，通过社区、网络等渠道提高政策知晓率。",
    "建议建立部门联席会议制度，定期会商解决难点问题。",
    "建议在{place}先行试点，总结经验后全区推广。",
    "建议加大执法检查力度，对违规行为依法查处。",
    "建议完善考核办法，把群众满意度作为重要指标。",
    "建议运用信息化手段，实现数据共享和全程网办。",
    "建议鼓励社会力量参与，探索市场化运营模式。",
    "建议加强基层队伍建设，提高工作人员待遇。",
]


def _topics() -> list[str]:
    return [t.removeprefix("关于").removesuffix("的提案") for items in TITLES.values() for t in items]


def _text(rng, core: str) -> tuple[str, str, str]:
    place = rng.choice(PLACES)
    title = rng.choice(ASKS).format(core=core, place=place)[:200]
    reasons = "".join(s.format(core=core, place=place) for s in rng.sample(PROBLEMS, rng.randint(3, 6)))
    suggestions = "".join(s.format(core=core, place=place)
                          for s in rng.sample(SUGGESTIONS, rng.randint(3, 5)))
    return title, reasons, suggestions


def ensure_data():
    call_command("migrate", verbosity=0)
    council = members_part.ensure_council()
    if not Member.objects.filter(council=council).exists():
        members_part.build(council, random.Random(SEED), timezone.localdate())
    if Proposal.objects.filter(council=council).count() >= PROPOSALS:
        return council
    rng = random.Random(RNG_SEED)
    staff = User.objects.filter(council=council, role=User.Role.STAFF).order_by("pk").first()
    members = list(Member.objects.filter(council=council).select_related("user").order_by("pk"))
    category, _ = Category.objects.get_or_create(council=council, name="社会民生")
    unit, _ = HandlingUnit.objects.get_or_create(council=council, name="区住建局")
    topics = _topics()
    started = time.perf_counter()
    with transaction.atomic():
        sessions = [
            Session.objects.create(council=council, term=9 + (n + 1) // 6, number=n % 5 + 1,
                                   name=f"第{n + 1}次会议", opened_on=date(2021 + n, 1, 10),
                                   is_current=n == SESSIONS - 1)
            for n in range(SESSIONS)
        ]
        now = timezone.now()
        rows = []
        for n in range(PROPOSALS):
            session = sessions[n * SESSIONS // PROPOSALS]
            member = rng.choice(members)
            title, reasons, suggestions = _text(rng, rng.choice(topics))
            live = session.is_current
            state = rng.choice([State.SUBMITTED, State.UNDER_REVIEW, State.FILED, State.ASSIGNED]) \
                if live else State.CLOSED
            rows.append(Proposal(
                council=council, session=session, title=title, reasons=reasons,
                suggestions=suggestions, category=category, proposer=member,
                submitted_by=member.user, state=state, latest_reply="" if live else rng.choice("ABCD"),
                number=None if state in (State.SUBMITTED, State.UNDER_REVIEW) else n + 1,
                submitted_at=now - timedelta(days=rng.randint(1, 1500)),
            ))
        Proposal.objects.bulk_create(rows, batch_size=1000)
        replies = [
            Reply(proposal=p, unit=unit, round=1, category=p.latest_reply,
                  text="经研究，提案所提问题已纳入工作计划，正在分步骤推进。", replied_at=now, replied_by=staff)
            for p in rows if p.state == State.CLOSED
        ]
        Reply.objects.bulk_create(replies, batch_size=1000)
    print(f"{PROPOSALS} proposals and {len(replies)} replies inserted in "
          f"{time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    call_command("similar_rebuild", "--council", str(council.pk))
    print(f"similar_rebuild: {time.perf_counter() - started:.1f} s, "
          f"{ProposalTerm.objects.filter(council=council).count():,} index rows")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return council


def _figures(times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[int(len(ms) * 0.95) - 1]
    return f"p50 {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms"


def measure(council) -> None:
    rng = random.Random(1)
    staff = User.objects.filter(council=council, role=User.Role.STAFF).order_by("pk").first()
    member = User.objects.filter(council=council, username="member").first() or \
        Member.objects.filter(council=council).first().user
    ids = list(Proposal.objects.filter(council=council).values_list("pk", flat=True))
    sample = list(Proposal.objects.filter(pk__in=rng.sample(ids, RUNS))
                  .values_list("pk", "title", "reasons", "suggestions"))
    similar_proposals(user=staff, council_id=council.pk, title="预热", body="")  # loads jieba
    for label, user in (("staff", staff), ("member", member)):
        times, found = [], 0
        for pk, title, reasons, suggestions in sample:
            started = time.perf_counter()
            listed = similar_proposals(user=user, council_id=council.pk, title=title,
                                       body=body_of(reasons, suggestions), exclude=pk)
            times.append(time.perf_counter() - started)
            found += len(listed)
        print(f"search as {label}: {_figures(times)} ({found / len(sample):.1f} listed a search)")
    # Staff logins need their second factor before any page: the member's lookup is the page.
    for label, user in (("member", member),):
        client = Client()
        client.force_login(user)
        url = reverse("proposals:similar-lookup")
        times = []
        for pk, title, reasons, suggestions in sample[:100]:
            data = {"title": title, "reasons": reasons, "suggestions": suggestions, "proposal": pk}
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.post(url, data)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
        print(f"lookup page as {label}: {_figures(times)}, {len(queries)} queries")
    _pk, title, reasons, suggestions = sample[0]
    query = query_for(council.pk, title, body_of(reasons, suggestions))
    scoring = (ProposalTerm.objects.filter(council_id=council.pk, term__in=list(query.weights),
                                           proposal_id__in=listed_to(member).values("pk"))
               .values("proposal_id").order_by())
    print("plan of the scoring query's rows (as a member):")
    print(scoring.explain(analyze=True))


def main() -> None:
    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or name == "liaison_province":
        sys.exit(f"Run it on a scratch PostgreSQL database of its own (not {name!r}).")
    council = ensure_data()
    measure(council)


if __name__ == "__main__":
    main()

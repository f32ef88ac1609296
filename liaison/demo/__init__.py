"""The demo: a fictional 新兴区政协 whose data reproduce the seed article's figures
(``../shared/DOMAIN.md``). Every person is fictional; the figures come from the data through
the same code users run.

``build()`` is idempotent: each part checks whether it is already there and a second run
changes nothing. Parts run in dependency order; each is a module with
``build(council, rng, today) -> None``.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from activities.partitions import partitions_ensure
from liaison.demo import activities as activities_part
from liaison.demo import contacts as contacts_part
from liaison.demo import intake as intake_part
from liaison.demo import members as members_part
from liaison.demo import opinions as opinions_part
from liaison.demo import proposals as proposals_part
from liaison.demo import reminders as reminders_part
from liaison.demo import rollup as rollup_part
from members import security

DEMO_COUNCIL = "新兴区政协"
SEED = 1158

# Order matters: later parts use what earlier ones made.
PARTS = [members_part, proposals_part, contacts_part, activities_part, reminders_part, rollup_part,
         intake_part, opinions_part]

DEMO_LOGINS = [
    ("admin", "管理员（政协机关）"),
    ("staff", "工作人员（提案委/联络办）"),
    ("leader", "领导（只读）"),
    ("member", "委员（手机端）"),
    ("unit", "承办单位（区教育局）"),
    ("city", "七台河市政协领导（汇总看板）"),
    ("security", "安全管理员（锁定、双因素、账号）"),
    ("audit", "审计管理员（安全审计，只读）"),
]
# Published in README and by `manage.py demo`; refused at login when DEBUG is off.
DEMO_PASSWORD = security.DEMO_PASSWORD


def build(today: date | None = None) -> None:
    today = today or timezone.localdate()
    rng = random.Random(SEED)
    with transaction.atomic():
        # PostgreSQL: the demo's year of history in monthly partitions, not the default one.
        partitions_ensure(first=today - timedelta(days=396), today=today)
        council = members_part.ensure_council()
        for part in PARTS:
            part.build(council, rng, today)

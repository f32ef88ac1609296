"""Benchmark (not a test): a full must-visit sweep at district-to-city scale on PostgreSQL.

    createdb -h 127.0.0.1 -U postgres liaison_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench .venv/bin/python bench/reminders_sweep.py

Creates (or reuses) a council with 2,000 members keeping 100,000 constituents and 500,000
contact logs (spread over the last year, 2 % flagging a difficulty), one running campaign
and an upcoming consultation; then runs the sweep of the eight default rules from an empty
reminder table (cold) and once more (warm: everything already there), printing wall time
and the number of queries per rule. The data are generated in SQL (generate_series), so
setting up takes seconds, not minutes.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from activities import reminders  # noqa: E402
from activities.models import Campaign, Consultation, ContactLog, Reminder  # noqa: E402
from members.models import Committee, Constituent, Council, Member, Sector, User  # noqa: E402

COUNCIL = "基准测试市政协（bench）"
MEMBERS = 2_000
CONSTITUENTS = 100_000
LOGS = 500_000


def ensure_data() -> Council:
    council, _ = Council.objects.get_or_create(name=COUNCIL, defaults={"level": "city"})
    sectors = [Sector.objects.get_or_create(council=council, name=f"界别{i}")[0] for i in range(12)]
    committee, _ = Committee.objects.get_or_create(council=council, name="联络委")
    if Member.objects.filter(council=council).count() < MEMBERS:
        password = make_password(None)
        users = User.objects.bulk_create(
            User(username=f"bench-m{i}", password=password, role="member", council=council)
            for i in range(MEMBERS)
        )
        Member.objects.bulk_create(
            Member(user=u, council=council, name=f"委员{i}", sector=sectors[i % len(sectors)],
                   committee=committee, zone=f"责任区{i}", phone="")
            for i, u in enumerate(users)
        )
    with connection.cursor() as cursor:
        if Constituent.objects.filter(council=council).count() < CONSTITUENTS:
            # Each member keeps 50; added over the last two years.
            cursor.execute(
                """
                WITH m AS (SELECT id, sector_id, row_number() OVER (ORDER BY id) - 1 AS rn
                           FROM members_member WHERE council_id = %s)
                INSERT INTO members_constituent
                  (council_id, sector_id, member_id, name, phone, unit, occupation, community,
                   tags, notes, consent_note, active, created_at, updated_at)
                SELECT %s, m.sector_id, m.id, '群众' || g, '', '', '', '', '', '', '', true,
                       now() - random() * interval '730 days', now()
                FROM generate_series(0, %s - 1) AS g JOIN m ON m.rn = g %% %s
                """,
                [council.pk, council.pk, CONSTITUENTS, MEMBERS],
            )
        if ContactLog.objects.filter(council=council).count() < LOGS:
            # Five logs per constituent on average, at random, over the last year; the
            # constituent's id rides in the summary for the link rows, then is replaced.
            cursor.execute(
                """
                WITH c AS (SELECT id, member_id, row_number() OVER (ORDER BY id) - 1 AS rn
                           FROM members_constituent WHERE council_id = %s)
                INSERT INTO activities_contactlog
                  (council_id, member_id, contacted_at, channel, mode, summary, opinions,
                   difficulty, difficulty_kind, created_at)
                SELECT %s, c.member_id, now() - random() * interval '365 days', 'forum', 'visit',
                       'bench:' || c.id, '', (g %% 50 = 0),
                       CASE WHEN g %% 50 = 0 THEN 'hardship' ELSE '' END, now()
                FROM generate_series(0, %s - 1) AS g
                JOIN c ON c.rn = (hashint4(g) & 2147483647) %% %s
                """,
                [council.pk, council.pk, LOGS, CONSTITUENTS],
            )
            cursor.execute(
                """
                INSERT INTO activities_contactlogconstituent (contact_log_id, constituent_id)
                SELECT id, substring(summary FROM 7)::bigint FROM activities_contactlog
                WHERE council_id = %s AND summary LIKE 'bench:%%'
                """,
                [council.pk],
            )
            cursor.execute(
                "UPDATE activities_contactlog SET summary = '走访' WHERE council_id = %s", [council.pk]
            )
            cursor.execute(
                """
                UPDATE members_constituent c SET last_contacted_at = x.last
                FROM (SELECT l.constituent_id, max(g.contacted_at) AS last
                      FROM activities_contactlogconstituent l
                      JOIN activities_contactlog g ON g.id = l.contact_log_id
                      WHERE g.council_id = %s GROUP BY l.constituent_id) x
                WHERE c.id = x.constituent_id
                """,
                [council.pk],
            )
        cursor.execute("ANALYZE")
    rules = reminders.rules_install_defaults(council=council)
    today = timezone.localdate()
    campaign_rule = next(r for r in rules if r.trigger_type == "campaign")
    staff, _ = User.objects.get_or_create(username="bench-staff", defaults={"role": "staff", "council": council})
    Campaign.objects.get_or_create(
        council=council, rule=campaign_rule, title="传达全会精神",
        defaults={"kind": "meeting", "started_by": staff, "started_on": today,
                  "due_on": today + timedelta(days=30)},
    )
    consultation, created = Consultation.objects.get_or_create(
        council=council, topic="基准协商", defaults={"held_on": today + timedelta(days=10)}
    )
    if created:
        consultation.members.set(Member.objects.filter(council=council)[:50])
    return council


def sweep(council: Council, today, label: str) -> None:
    print(f"\n== {label} ==")
    started = time.perf_counter()
    total_queries = 0
    for rule in reminders._rules(council.pk):
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            with transaction.atomic():
                created = reminders.SWEEPERS[rule.trigger_type](rule, today)
                elapsed = time.perf_counter() - t0
            # The commit runs the deferred foreign-key checks of the inserted rows.
            commit = time.perf_counter() - t0 - elapsed
        total_queries += len(queries)
        print(f"  {rule.order}. {rule.name:<10} {rule.trigger_type:<17} {created:>7} created "
              f"{len(queries):>3} queries {elapsed:6.2f} s + commit {commit:5.2f} s")
    with CaptureQueriesContext(connection) as queries:
        t0 = time.perf_counter()
        overdue = reminders.reminders_mark_overdue(today=today, council=council)
    total_queries += len(queries) + 1  # + the rules query
    print(f"  mark overdue: {overdue} rows, {len(queries)} query, {time.perf_counter() - t0:.2f} s")
    print(f"  full sweep: {time.perf_counter() - started:.2f} s wall, {total_queries} queries")


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Run on PostgreSQL: set DATABASE_URL=postgres://…")
    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    council = ensure_data()
    print(f"data ready in {time.perf_counter() - t0:.1f} s: "
          f"{Member.objects.filter(council=council).count()} members, "
          f"{Constituent.objects.filter(council=council).count()} constituents, "
          f"{ContactLog.objects.filter(council=council).count()} contact logs")
    Reminder.objects.filter(council=council).delete()
    today = timezone.localdate()
    sweep(council, today, f"cold sweep on {today} (empty reminder table)")
    sweep(council, today, "warm sweep (run again: nothing new)")
    print(f"\nreminders: {Reminder.objects.filter(council=council).count()}")


if __name__ == "__main__":
    main()

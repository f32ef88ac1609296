"""Benchmark (not a test): a full must-visit sweep at district-to-city scale on PostgreSQL.

    createdb -h 127.0.0.1 -U postgres liaison_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench .venv/bin/python bench/reminders_sweep.py

Creates (or reuses) a council with 2,000 members keeping 100,000 constituents and 500,000
contact logs (spread over the last year, 2 % flagging a difficulty), one running all-sector
campaign and an upcoming consultation. The data are generated in SQL (generate_series), so
setting up takes a minute or two the first time, not hours. Then, each from an empty
reminder table (deleted and vacuumed in between, so no run pays for the previous one's dead
rows), it times

1. the cold full sweep of the eight rules — the campaign's ~100,000 reminders included, as
   when its start event was lost and the sweep catches up;
2. the same sweep run again (warm: everything already there — what a rerun costs), then the
   next day's (nothing new but what the day itself makes due — a normal morning); both read
   only what changed since the run before, through the rules' watermarks (``SweepMark``);
3. the campaign's start event alone (``reminders_for_campaign``, what staff pressing
   "start" costs), then the cold daily sweep after it.

"Cold" starts with no reminders and no watermarks: every rule is read whole.

Per rule: reminders created, queries (BEGIN and COMMIT included), wall time of the statements,
wall time of the commit (where PostgreSQL runs the deferred foreign-key checks) and the
database server's CPU time for both — read from /proc, so only when the database runs on
this machine. On a machine others share, wall time wanders with the load; the server CPU
time is the steadier figure to compare runs by.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
# The laptop defaults, as the figures in bench/README.md were measured (DEBUG is off unless
# asked for; with it off the settings would want a production SECRET_KEY).
os.environ.setdefault("DEBUG", "true")

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from activities.models import Campaign, Consultation, ContactLog, Reminder  # noqa: E402
from activities.reminders.models import SweepMark  # noqa: E402
from activities.reminders.services import sweep as generation  # noqa: E402
from activities.reminders.services.rules import rules_install_defaults  # noqa: E402
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
            # Last edited when added, as a roster is: the sweep's watermark reads updated_at.
            cursor.execute(
                "UPDATE members_constituent SET updated_at = created_at WHERE council_id = %s",
                [council.pk],
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
    rules = rules_install_defaults(council=council)
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


class ServerClock:
    """CPU seconds the database backend of this connection has used (user + system)."""

    def __init__(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.path = Path(f"/proc/{cursor.fetchone()[0]}/stat")
        self.tick = os.sysconf("SC_CLK_TCK")

    def __call__(self) -> float:
        try:
            fields = self.path.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the database runs elsewhere
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / self.tick


def reset(council: Council) -> None:
    """No reminders and no watermarks: the next sweep reads every rule whole."""
    Reminder.objects.filter(council=council).delete()
    SweepMark.objects.filter(rule__council=council).delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE activities_reminder")


def timed(clock: ServerClock, work) -> dict:
    """Run ``work`` in a transaction: its result, queries, wall and server CPU seconds of the
    statements and of the commit (the deferred foreign-key checks)."""
    with CaptureQueriesContext(connection) as queries:
        t0, c0 = time.perf_counter(), clock()
        with transaction.atomic():
            result = work()
            t1, c1 = time.perf_counter(), clock()
        t2, c2 = time.perf_counter(), clock()
    return {"result": result, "queries": len(queries), "wall": t1 - t0, "cpu": c1 - c0,
            "commit_wall": t2 - t1, "commit_cpu": c2 - c1}


def line(label: str, created: int, m: dict) -> str:
    return (f"  {label:<34} {created:>7} created {m['queries']:>3} queries "
            f"{m['wall']:6.2f} s + commit {m['commit_wall']:5.2f} s wall | "
            f"server CPU {m['cpu']:5.2f} + {m['commit_cpu']:5.2f} s")


def campaign_event(council: Council, today, clock: ServerClock) -> dict:
    campaign = Campaign.objects.get(council=council, title="传达全会精神")
    m = timed(clock, lambda: generation.reminders_for_campaign(campaign=campaign, today=today))
    print(line("campaign started (event)", m["result"], m))
    return m


def sweep(council: Council, today, label: str, clock: ServerClock) -> dict:
    print(f"\n== {label} ==")
    started = time.perf_counter()
    total = {"queries": 1, "cpu": 0.0, "created": 0}  # 1: the rules query
    for rule in generation._rules(council.pk):
        m = timed(clock, lambda rule=rule: generation._sweep_rule(rule, today))
        total["queries"] += m["queries"]
        total["cpu"] += m["cpu"] + m["commit_cpu"]
        total["created"] += m["result"]
        print(line(f"{rule.order}. {rule.name} ({rule.trigger_type})", m["result"], m))
    with CaptureQueriesContext(connection) as queries:
        t0, c0 = time.perf_counter(), clock()
        overdue = generation.reminders_mark_overdue(today=today, council=council)
        total["cpu"] += clock() - c0
    total["queries"] += len(queries)
    print(f"  mark overdue: {overdue} rows, {len(queries)} query, {time.perf_counter() - t0:.2f} s")
    total["wall"] = time.perf_counter() - started
    print(f"  full sweep: {total['created']} created, {total['wall']:.2f} s wall, "
          f"{total['queries']} queries, server CPU {total['cpu']:.2f} s")
    return total


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
    clock = ServerClock()
    today = timezone.localdate()

    reset(council)
    cold = sweep(council, today, f"1. cold full sweep on {today} (empty reminder table, campaign included)", clock)
    warm = sweep(council, today, "2. warm sweep (run again: nothing new)", clock)

    tomorrow = sweep(council, today + timedelta(days=1),
                     "2b. the next day's sweep (nothing new but what the day makes due)", clock)

    reset(council)
    print("\n== 3. the campaign's start event, then the cold daily sweep ==")
    event = campaign_event(council, today, clock)
    daily = sweep(council, today, "3. cold daily sweep after the campaign event", clock)
    print(f"\nreminders: {Reminder.objects.filter(council=council).count()}")
    print("\nsummary (wall s / server CPU s / queries):")
    print(f"  cold full sweep, campaign included: {cold['wall']:.2f} / {cold['cpu']:.2f} / {cold['queries']}")
    print(f"  warm sweep:                         {warm['wall']:.2f} / {warm['cpu']:.2f} / {warm['queries']}")
    print(f"  the next day's sweep:               {tomorrow['wall']:.2f} / {tomorrow['cpu']:.2f} / {tomorrow['queries']}")
    print(f"  campaign start event:               {event['wall'] + event['commit_wall']:.2f} / "
          f"{event['cpu'] + event['commit_cpu']:.2f} / {event['queries']}")
    print(f"  cold daily sweep after the event:   {daily['wall']:.2f} / {daily['cpu']:.2f} / {daily['queries']}")


if __name__ == "__main__":
    main()

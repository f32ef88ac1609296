"""What each hot page reads from PostgreSQL, and what it costs the database (benchmark, not a
test): for every query a page runs, ``EXPLAIN (ANALYZE, BUFFERS)`` of it, summed per page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_province \\
        .venv/bin/python bench/province/reads.py [--repeat 5]

Run on the province at 1× and at 3× (``generate.py --scale 3``): a page whose buffers and
database time stay flat while the data triples reads rollups and indexes, not the history —
the premise of docs/SCALING.md's capacity figures. Each page is requested once to warm the
caches, then its queries are captured from a second request and each is explained
``--repeat`` times (the median of the planning + execution time is kept). The requests go
through Django's test client in this process (no server), as the users named below.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.province.settings")
os.environ.setdefault("DASHBOARD_CACHE_SECONDS", "0")  # the figures computed, not cached

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.province.measure import loadavg, world  # noqa: E402


def client_of(username: str) -> Client:
    """Logged in as ``username``, past the second factor (a TOTP device of this script's)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from members.models import User

    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench-reads",
                                                 defaults={"confirmed": True})
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def pages(w: dict) -> list[tuple[str, str, str]]:
    member = w["members"][0]
    return [
        ("member home", member, "/members/me/"),
        ("member roster", member, "/members/me/constituents/"),
        ("member log-contact form", member, "/activities/contacts/new/"),
        ("staff constituents, page 1", "staff-p", "/members/staff/constituents/"),
        ("staff constituents, sector", "staff-p", f"/members/staff/constituents/?sector={w['sector']}"),
        ("staff contact logs, page 1", "staff-p", "/activities/contacts/all/"),
        ("staff contact logs, page 200", "staff-p", "/activities/contacts/all/?page=200"),
        ("staff members, page 1", "staff-p", "/members/staff/members/"),
        ("proposal register", "staff-p", "/proposals/staff/register/"),
        ("dashboard, district", "staff-p", f"/dashboard/?council={w['district']}"),
        ("dashboard, province", "staff-p", "/dashboard/"),
        ("staff overview", "staff-p", "/members/staff/"),
    ]


def explained(sql: str, repeat: int) -> dict:
    times, hit, read, rows = [], 0, 0, 0
    with connection.cursor() as cursor:
        for i in range(repeat):
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0][0]
            times.append(plan["Planning Time"] + plan["Execution Time"])
            if i == 0:
                top = plan["Plan"]
                hit = top.get("Shared Hit Blocks", 0) + plan.get("Planning", {}).get("Shared Hit Blocks", 0)
                read = top.get("Shared Read Blocks", 0)
                rows = top.get("Actual Rows", 0)
    return {"ms": statistics.median(times), "hit": hit, "read": read, "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    w = world()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), pg_database_size(current_database()), "
                       "(SELECT count(*) FROM activities_contactlog), (SELECT count(*) FROM members_constituent)")
        name, size, logs, constituents = cursor.fetchone()
    print(f"{name}: {size / 2**30:.1f} GiB, {logs:,} contact logs, {constituents:,} constituents; "
          f"load {loadavg()}")
    print("| page | queries | DB ms (plan + execute) | buffers (8 KiB) | rows returned |")
    print("| --- | --- | --- | --- | --- |")
    clients: dict[str, Client] = {}
    for label, username, path in pages(w):
        if username not in clients:  # one login each: a second one ends the first session
            clients[username] = client_of(username)
        client = clients[username]
        client.get(path)  # warm
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code != 200:
            sys.exit(f"{path}: HTTP {response.status_code} {response.get('Location', '')}")
        selects = [q["sql"] for q in captured.captured_queries
                   if re.match(r"\s*(\(|SELECT|WITH)", q["sql"], re.I)]
        costs = [explained(sql, args.repeat) for sql in selects]
        print(f"| {label} | {len(captured.captured_queries)} | {sum(c['ms'] for c in costs):.1f} | "
              f"{sum(c['hit'] + c['read'] for c in costs):,} | {sum(c['rows'] for c in costs):,} |")
    print(f"(load {loadavg()})")


if __name__ == "__main__":
    main()

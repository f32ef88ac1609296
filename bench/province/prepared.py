"""Prepared or planned each time: the hot pages with psycopg's prepared queries on and off,
interleaved request by request on one connection (benchmark, not a test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_province \\
        .venv/bin/python bench/province/prepared.py [--requests 60]

The portal lets PostgreSQL bind the queries' parameters and psycopg prepare a query its
connection has run five times (settings ``DATABASE_PREPARE_THRESHOLD``): PostgreSQL then
plans it once per connection, and after five runs may keep a generic plan, one made without
the parameters' values. That saves the planning of queries over the month-partitioned
tables; a generic plan can also be worse than one made for the values (a search word, a
council high or low in the tree). This script asks, for the pages a province uses most:
each request is served once with the connection's prepared queries and once with
``prepare_threshold`` set to None on the same connection (PostgreSQL plans every query, as
before), alternating, through Django's test client in this process (``bench.province.settings``,
the dashboards uncached). It prints per page and mode the wall time (p50, p95) and the CPU
time of Django and of the PostgreSQL backend (``/proc/<pid>/schedstat``, so only with the
database on this machine), and the ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.province.settings")
os.environ.setdefault("DASHBOARD_CACHE_SECONDS", "0")  # the figures computed, not cached
os.environ.setdefault("CONN_MAX_AGE", "86400")  # one connection: its prepared queries kept

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from bench.member_pages import backend_cpu_ns  # noqa: E402
from bench.province.measure import loadavg, pct, world  # noqa: E402
from bench.province.reads import client_of  # noqa: E402


def pages(w: dict) -> list[tuple[str, str, str]]:
    q = lambda **kw: "?" + urlencode(kw)  # noqa: E731
    return [
        ("member home", w["members"][0], "/members/me/"),
        ("member roster", w["members"][0], "/members/me/constituents/"),
        ("member log-contact form", w["members"][0], "/activities/contacts/new/"),
        ("dashboard, district", "staff-d1", "/dashboard/"),
        ("dashboard, city", "staff-c1", "/dashboard/"),
        ("dashboard, province", "staff-p", "/dashboard/"),
        ("staff overview", "staff-p", "/members/staff/"),
        ("constituents, page 1", "staff-p", "/members/staff/constituents/"),
        ("constituents, sector", "staff-p", "/members/staff/constituents/" + q(sector=w["sector"])),
        ("constituents, name search", "staff-p", "/members/staff/constituents/" + q(q=w["name"])),
        ("contact logs, page 1", "staff-p", "/activities/contacts/all/"),
        ("reminders, sector", "staff-p", "/activities/reminders/" + q(sector=w["sector"])),
        ("proposal register, title search", "staff-p", "/proposals/staff/register/" + q(q="养老")),
    ]


def served(client, path: str, *, prepared: bool) -> tuple[float, float, float]:
    """(wall, Django CPU, PostgreSQL CPU) of one request, in seconds."""
    connection.ensure_connection()
    threshold = connection.connection.prepare_threshold
    if not prepared:
        connection.connection.prepare_threshold = None
    try:
        db0 = backend_cpu_ns()
        cpu0, t0 = time.thread_time_ns(), time.perf_counter()
        response = client.get(path)
        wall, cpu = time.perf_counter() - t0, (time.thread_time_ns() - cpu0) / 1e9
        db = (backend_cpu_ns() - db0) / 1e9
    finally:
        connection.connection.prepare_threshold = threshold
    if response.status_code != 200:
        sys.exit(f"{path}: HTTP {response.status_code}")
    return wall, cpu, db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=60, help="requests of each page in each mode")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    connection.ensure_connection()
    if connection.connection.prepare_threshold is None:
        sys.exit("prepared queries are off (DATABASE_PREPARE_THRESHOLD=off): nothing to compare")
    w = world()
    rows = pages(w)
    clients = {user: client_of(user) for _label, user, _path in rows}
    times = {(label, mode): [] for label, _u, _p in rows for mode in (True, False)}
    for _label, user, path in rows:  # warm, and past the threshold: the prepared queries made
        for _ in range(8):
            served(clients[user], path, prepared=True)
        served(clients[user], path, prepared=False)
    print(f"{args.requests} requests of each page in each mode, interleaved; load {loadavg()}")
    for i in range(args.requests):
        for label, user, path in rows:
            for prepared in ((True, False) if i % 2 else (False, True)):
                times[(label, prepared)].append(served(clients[user], path, prepared=prepared))
    print(f"  {'page':<34} {'mode':<20} {'wall p50':>9} {'p95':>8}   {'CPU: Django':>11} "
          f"{'PostgreSQL':>10}   {'total vs planned':>16}")
    for label, _u, _p in rows:
        totals = {}
        for prepared in (False, True):
            runs = times[(label, prepared)]
            walls = [r[0] for r in runs]
            cpu, db = statistics.mean(r[1] for r in runs), statistics.mean(r[2] for r in runs)
            totals[prepared] = cpu + db
            ratio = f"{totals[False] / totals[True]:.2f}× faster" if prepared else ""
            mode = "prepared" if prepared else "planned each time"
            print(f"  {label:<34} {mode:<20} {pct(walls, .5) * 1000:7.1f}ms {pct(walls, .95) * 1000:6.1f}ms"
                  f"   {cpu * 1000:9.2f}ms {db * 1000:8.2f}ms   {ratio:>16}")
    print(f"  load after: {loadavg()}")


if __name__ == "__main__":
    main()

"""Where an uncached dashboard's time goes, in this process (benchmark, not a test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_province \\
        .venv/bin/python bench/province/dashboard_profile.py [--requests 20] [--profile province]

Requests the district, city and province dashboards as their staff (``staff-d1``,
``staff-c1``, ``staff-p``) through Django's test client, the figures computed on every
request (``DASHBOARD_CACHE_SECONDS=0``), the pages interleaved. Prints per page the median
and 95th percentile of the whole request (wall and this thread's CPU), of its SQL (the time
spent in the database driver's ``execute``), the queries and the rows they returned, and the
query that returned the most rows. ``--profile PAGE`` adds a cProfile of that page's
requests (the functions with the most cumulative time; ``PROFILE_SORT=tottime`` and
``PROFILE_LINES=60`` change the order and the length). ``--page USER:PATH`` (repeatable)
measures those pages instead of the dashboards, each as its user, with the same clocks: a staff
list, say (``--page staff-p:/members/staff/members/ --profile /members/staff/members/``).
``--flush`` measures them as ``measure.py --parts dashboards`` does instead: the dashboard
cache on, and the whole cache emptied before each request (the same figures here, 2026-12-01:
the empty cache costs nothing the computed figures do not).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.province.settings")
if "--flush" not in sys.argv:
    os.environ["DASHBOARD_CACHE_SECONDS"] = "0"  # the figures computed, not cached

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from bench.province.measure import flush_cache, loadavg  # noqa: E402
from bench.province.reads import client_of  # noqa: E402

PAGES = [
    ("district", "staff-d1", "/dashboard/"),
    ("city", "staff-c1", "/dashboard/"),
    ("province", "staff-p", "/dashboard/"),
]


class SqlClock:
    """Time and rows of every query (an execute wrapper: the driver's execute and fetch)."""

    def __init__(self):
        self.queries: list[tuple[float, int, str]] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        result = execute(sql, params, many, context)
        rows = context["cursor"].rowcount
        self.queries.append((time.perf_counter() - start, rows, sql))
        return result


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--page", action="append", metavar="USER:PATH",
                        help="profile this page as this user instead of the dashboards")
    parser.add_argument("--profile", help="a page's label (district, city, province, or a --page's path)")
    parser.add_argument("--queries", action="store_true", help="each query's median time and rows")
    parser.add_argument("--flush", action="store_true",
                        help="as the harness measures it: the cache on, and emptied before each request")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    pages = PAGES
    if args.page:
        pages = [(path, user, path) for user, path in (each.split(":", 1) for each in args.page)]
    clients = {user: client_of(user) for _l, user, _p in pages}
    for _label, user, path in pages:  # warm: connections, templates, translations
        clients[user].get(path)
    stats = {label: {"wall": [], "cpu": [], "sql": [], "n": 0, "rows": 0, "top": (0, ""),
                     "each": {}} for label, _u, _p in pages}
    profiler = cProfile.Profile() if args.profile else None
    print(f"load {loadavg()}")
    for _ in range(args.requests):
        for label, user, path in pages:
            if args.flush:
                flush_cache()
            clock = SqlClock()
            profiling = profiler is not None and label == args.profile
            with connection.execute_wrapper(clock):
                if profiling:
                    profiler.enable()
                wall, cpu = time.perf_counter(), time.thread_time()
                response = clients[user].get(path)
                cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
                if profiling:
                    profiler.disable()
            assert response.status_code == 200, (label, response.status_code)
            s = stats[label]
            s["wall"].append(wall)
            s["cpu"].append(cpu)
            s["sql"].append(sum(t for t, _r, _s in clock.queries))
            s["n"] = len(clock.queries)
            s["rows"] = sum(max(r, 0) for _t, r, _s in clock.queries)
            s["top"] = max((max(r, 0), sql) for _t, r, sql in clock.queries)
            s["bytes"] = len(response.content)
            for i, (t, r, sql) in enumerate(clock.queries):
                s["each"].setdefault(i, []).append((t, r, sql))
    print("| page | wall p50 / p95 | CPU p50 | SQL p50 | queries | rows | HTML |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for label, _u, _p in pages:
        s = stats[label]
        print(f"| {label} | {statistics.median(s['wall']) * 1000:.0f} / {pct(s['wall'], .95) * 1000:.0f} ms"
              f" | {statistics.median(s['cpu']) * 1000:.0f} ms | {statistics.median(s['sql']) * 1000:.0f} ms"
              f" | {s['n']} | {s['rows']:,} | {s['bytes'] / 1024:.0f} KiB |")
    for label, _u, _p in pages:
        rows, sql = stats[label]["top"]
        print(f"  {label}: most rows ({rows:,}) from {sql[:300]}")
    if args.queries:
        for label, _u, _p in pages:
            print(f"  {label}: the queries, median ms and rows")
            for runs in stats[label]["each"].values():
                t = statistics.median(t for t, _r, _s in runs)
                print(f"    {t * 1000:6.1f} ms {runs[-1][1]:6,} rows  {' '.join(runs[-1][2].split())[:160]}")
    print(f"load {loadavg()}")
    if profiler is not None:
        pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(int(os.environ.get("PROFILE_LINES", "45")))


if __name__ == "__main__":
    main()

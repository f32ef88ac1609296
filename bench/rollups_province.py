"""Time the dashboards (district, city, province; uncached), the staff overview and the
province's period report on a province-scale database, in-process through the whole Django
stack (a test client: no HTTP server, no network), and name each page's slowest queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_prov_rollups \\
        .venv/bin/python bench/rollups_province.py [--requests 15] [--report] [--queries]

Measure a copy of the province database (``createdb -T liaison_province …``): logging in
writes a session row. The same script measured the code before and after the rollups
(``bench/README.md``, "Dashboards on rollups").
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from members.phone_crypto import DEV_KEY

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-bench-only-not-a-secret")
os.environ.setdefault("PHONE_KEY", DEV_KEY)  # what generate.py sealed the phones with
os.environ["DASHBOARD_CACHE_SECONDS"] = "0"  # uncached: every request computes the figures
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.conf import settings  # noqa: E402

# Plain static files (DEBUG off wants a manifest this checkout has not collected).
settings.STORAGES = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from members.models import User  # noqa: E402


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def client_of(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def timed(client: Client, path: str, n: int, show_queries: bool) -> list[float]:
    client.get(path, secure=True)  # warm-up: connection, templates, the planner's statistics
    times = []
    for i in range(n):
        with CaptureQueriesContext(connection) as captured:
            t0 = time.perf_counter()
            response = client.get(path, secure=True)
            times.append(time.perf_counter() - t0)
        assert response.status_code == 200, (path, response.status_code)
        if show_queries and i == 0:
            slow = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:4]
            print(f"    {len(captured.captured_queries)} queries; slowest:")
            for q in slow:
                print(f"      {float(q['time']) * 1000:8.1f} ms  {q['sql'][:150]}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--report", action="store_true", help="the province's report too")
    parser.add_argument("--queries", action="store_true", help="name each page's slowest queries")
    args = parser.parse_args()
    pages = [
        ("dashboard district", "staff-d1", "/dashboard/"),
        ("dashboard city", "staff-c1", "/dashboard/"),
        ("dashboard province", "staff-p", "/dashboard/"),
        ("dashboard province, last 90 days", "staff-p",
         f"/dashboard/?from={date.today() - timedelta(days=90)}"),
        ("staff overview (province)", "staff-p", "/members/staff/"),
        ("staff overview (district)", "staff-d1", "/members/staff/"),
    ]
    for label, user, path in pages:
        times = timed(client_of(user), path, args.requests, args.queries)
        print(f"{label:<34} p50 {pct(times, .5) * 1000:8.1f} ms  p95 {pct(times, .95) * 1000:8.1f} ms"
              f"  (n={len(times)}, mean {statistics.mean(times) * 1000:.1f} ms)")
    if args.report:
        today = date.today()
        province = User.objects.get(username="staff-p").council_id
        query = f"from={today - timedelta(days=365)}&to={today}&council={province}"
        for label, path in [("report province (page)", f"/dashboard/report/?{query}"),
                            ("report province (xlsx)", f"/dashboard/report/?{query}&format=xlsx")]:
            times = timed(client_of("staff-p"), path, 2, args.queries)
            print(f"{label:<34} {' / '.join(f'{t:.1f} s' for t in times)}")
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

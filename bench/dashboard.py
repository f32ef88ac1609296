"""Benchmark (not a test): the dashboard's server time on PostgreSQL at city scale.

    createdb -h 127.0.0.1 -U postgres liaison_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench .venv/bin/python bench/dashboard.py

Reuses (or creates, in SQL, in seconds) the council of ``bench/reminders_sweep.py``: 2,000
members keeping 100,000 constituents and 500,000 contact logs over the last year. Then
requests the dashboard as a staff user through the whole Django stack (middleware, view,
template) — uncached (``DASHBOARD_CACHE_SECONDS=0``) and cached — and prints the median,
best and worst of ``RUNS`` requests and the number of queries.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from reminders_sweep import ensure_data  # noqa: E402

from activities.models import ContactLog  # noqa: E402
from members.models import Constituent, User  # noqa: E402

RUNS = 15
QUERIES = {
    "all records": {},
    "a period (last 90 days)": {"from": "2026-08-29", "to": "2026-11-27"},
}


def timed(client, query: dict, *, cached: bool) -> tuple[list[float], int]:
    settings.DASHBOARD_CACHE_SECONDS = 300 if cached else 0
    cache.clear()
    if cached:
        client.get("/dashboard/", query)  # fill the cache
    times = []
    queries = 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as captured:
            t0 = time.perf_counter()
            response = client.get("/dashboard/", query)
            times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.status_code
        queries = len(captured)
    return times, queries


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Run on PostgreSQL: set DATABASE_URL=postgres://…")
    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    council = ensure_data()
    print(f"data ready in {time.perf_counter() - t0:.1f} s: "
          f"{Constituent.objects.filter(council=council).count()} constituents, "
          f"{ContactLog.objects.filter(council=council).count()} contact logs")
    staff, _ = User.objects.get_or_create(
        username="bench-staff", defaults={"role": "staff", "council": council}
    )
    client = Client(HTTP_HOST=(settings.ALLOWED_HOSTS or ["localhost"])[0].lstrip(".") or "localhost")
    client.force_login(staff)
    print(f"\n{'dashboard':<28} {'':>9} {'median':>8} {'best':>8} {'worst':>8} {'queries':>8}")
    for label, query in QUERIES.items():
        for cached in (False, True):
            times, queries = timed(client, query, cached=cached)
            print(f"{label:<28} {'cached' if cached else 'uncached':>9} "
                  f"{statistics.median(times):7.1f}ms {min(times):7.1f}ms {max(times):7.1f}ms "
                  f"{queries:>8}")


if __name__ == "__main__":
    main()

"""Benchmark (not a test): the dashboard's server time on PostgreSQL at city scale.

    createdb -h 127.0.0.1 -U postgres liaison_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench .venv/bin/python bench/dashboard.py

Reuses (or creates, in SQL, in seconds) the council of ``bench/reminders_sweep.py``: 2,000
members keeping 100,000 constituents and 500,000 contact logs over the last year. The
logs are inserted in SQL, past ``contact_log_create``, so their daily contact counts
(``ContactDay``) are recounted with ``rollups_rebuild`` — timed, as the nightly job's cost.
Then requests the dashboard as a staff user through the whole Django stack (middleware, view,
template) — uncached (``DASHBOARD_CACHE_SECONDS=0``) and cached — and prints the median,
best and worst of ``RUNS`` requests and the number of queries. Last, the contact figures'
one query both ways — grouping the raw logs, and summing ``ContactDay`` (what the dashboard
runs) — with a check that both give the same rows.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
# The laptop defaults, as the figures in bench/README.md were measured (DEBUG is off unless
# asked for; with it off the settings would want a production SECRET_KEY).
os.environ.setdefault("DEBUG", "true")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.db.models.functions import TruncMonth  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from reminders_sweep import ensure_data  # noqa: E402

from activities.contacts.rollups import rollups_rebuild  # noqa: E402
from activities.models import ContactDay, ContactLog  # noqa: E402
from liaison.dashboard.scope import Params, Scope  # noqa: E402
from liaison.dashboard.sql import contact_figures  # noqa: E402
from members.models import Constituent, User  # noqa: E402
from members.rollups import roster_rebuild  # noqa: E402

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


def contacts_both_ways(staff) -> None:
    """The contact trend (month × channel) from the raw logs (as the dashboard computed it
    before the rollups) and from the rollups (``contact_figures``): same rows, median of
    ``RUNS``."""
    scope = Scope(user=staff)

    def from_logs(params):
        return [
            {"month": r["month"].strftime("%Y-%m"), "channel": r["channel"], "n": r["n"]}
            for r in scope.rows(ContactLog)
            .filter(params.span("contacted_at", is_datetime=True))
            .annotate(month=TruncMonth("contacted_at"))
            .values("month", "channel")
            .annotate(n=Count("pk"))
            .order_by()
        ]

    print(f"\n{'contact figures query':<28} {'':>9} {'median':>8} {'best':>8} {'worst':>8} {'rows':>8}")
    for label, query in QUERIES.items():
        params = Params(date_from=date.fromisoformat(query["from"]) if query else None,
                        date_to=date.fromisoformat(query["to"]) if query else None)
        results = {}
        for way, run in (("raw logs", from_logs),
                         ("rollups", lambda p: contact_figures(scope, p, scope)["months"])):
            times = []
            for _ in range(RUNS):
                t0 = time.perf_counter()
                rows = run(params)
                times.append((time.perf_counter() - t0) * 1000)
            results[way] = sorted(rows, key=lambda r: (r["month"], r["channel"]))
            print(f"{label:<28} {way:>10} {statistics.median(times):6.1f}ms {min(times):7.1f}ms "
                  f"{max(times):7.1f}ms {len(rows):>8}")
        assert results["raw logs"] == results["rollups"], "the rollups differ from the logs"


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Run on PostgreSQL: set DATABASE_URL=postgres://…")
    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    council = ensure_data()
    print(f"data ready in {time.perf_counter() - t0:.1f} s: "
          f"{Constituent.objects.filter(council=council).count()} constituents, "
          f"{ContactLog.objects.filter(council=council).count()} contact logs")
    t0 = time.perf_counter()
    rollups_rebuild(council=council, full=True)
    roster_rebuild(council=council)  # the constituents were inserted in SQL, around the services
    print(f"rollups rebuilt in {time.perf_counter() - t0:.1f} s: "
          f"{ContactDay.objects.filter(council=council).count()} rows")
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
    contacts_both_ways(staff)


if __name__ == "__main__":
    main()

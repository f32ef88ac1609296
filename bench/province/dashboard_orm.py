"""How much of an uncached dashboard's figures is the ORM's own work (benchmark, not a test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_province \\
        .venv/bin/python bench/province/dashboard_orm.py [--requests 20]

For the district, city and province dashboards (as ``staff-d1``, ``staff-c1``, ``staff-p``,
no filters), in this process:

- ``figures``: ``liaison.dashboard.figures.dashboard_data`` as the view calls it (querysets
  built, compiled, run, their rows converted), this thread's CPU and the wall time;
- ``same SQL``: the statements that call sent, captured once with their parameters, sent
  again through a cursor and fetched — what the figures would cost if each statement were
  written once, as ``members.home`` writes the member home's;

interleaved request by request, medians. Then, for the province, each figure function's CPU
(the outermost call only), the most expensive first: where writing the statements once would
pay most.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.province.settings")
os.environ["DASHBOARD_CACHE_SECONDS"] = "0"  # the figures computed, not cached

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from bench.province.measure import loadavg  # noqa: E402
from liaison.dashboard import breakdowns, figures, sql  # noqa: E402
from liaison.dashboard.scope import Params, Scope  # noqa: E402
from liaison.dashboard.sql import headline, tables, trends  # noqa: E402
from members.models import User  # noqa: E402

USERS = [("district", "staff-d1"), ("city", "staff-c1"), ("province", "staff-p")]


def figures_call(username: str):
    """The view's call for ``username``'s own dashboard, unfiltered."""
    user = User.objects.select_related("council").get(username=username)
    scope = Scope(user=user)
    reference = figures.reference(scope, user.council_id)
    has_children = any(c["extra"] == user.council_id for c in reference["council"])
    return functools.partial(figures.dashboard_data, scope, Params(), root_id=user.council_id,
                             has_children=has_children)


def captured(call) -> list[tuple[str, object]]:
    statements = []

    def keep(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        call()
    return statements


def replay(statements) -> None:
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            cursor.fetchall()


def clocked(fn) -> tuple[float, float]:
    cpu, wall = time.thread_time(), time.perf_counter()
    fn()
    return time.thread_time() - cpu, time.perf_counter() - wall


def per_function(call, requests: int) -> dict[str, list[float]]:
    """Each figure function's CPU per call of ``call`` (nested calls counted in their caller)."""
    spent: dict[str, list[float]] = defaultdict(list)
    depth = [0]
    patched = []
    for module in (figures, breakdowns, tables, headline, trends):
        for name, fn in list(vars(module).items()):
            if not callable(fn) or getattr(fn, "__module__", None) != module.__name__:
                continue
            if name.startswith("_") or name in ("dashboard_data", "reference") or isinstance(fn, type):
                continue

            def timed(*args, _fn=fn, _name=name, **kwargs):
                depth[0] += 1
                start = time.thread_time()
                try:
                    return _fn(*args, **kwargs)
                finally:
                    depth[0] -= 1
                    if depth[0] == 0:
                        spent[_name].append(time.thread_time() - start)

            # The caller may hold its own reference (``from … import``): patch it there too.
            for holder in (figures, breakdowns, sql, tables, headline, trends):
                if vars(holder).get(name) is fn:
                    patched.append((holder, name, fn))
                    setattr(holder, name, timed)
    try:
        for _ in range(requests):
            call()
    finally:
        for holder, name, fn in patched:
            setattr(holder, name, fn)
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    calls = {label: figures_call(username) for label, username in USERS}
    statements = {label: captured(call) for label, call in calls.items()}
    times: dict[str, dict[str, list]] = {label: defaultdict(list) for label in calls}
    print(f"load {loadavg()}")
    for _ in range(args.requests):
        for label, call in calls.items():
            for what, fn in (("figures", call), ("same SQL", functools.partial(replay, statements[label]))):
                cpu, wall = clocked(fn)
                times[label][what + " cpu"].append(cpu)
                times[label][what + " wall"].append(wall)
    print("| dashboard | statements | figures CPU / wall | same SQL CPU / wall | the ORM's share of the CPU |")
    print("| --- | --- | --- | --- | --- |")
    for label in calls:
        t = {k: statistics.median(v) * 1000 for k, v in times[label].items()}
        share = 1 - t["same SQL cpu"] / t["figures cpu"]
        print(f"| {label} | {len(statements[label])} | {t['figures cpu']:.1f} / {t['figures wall']:.1f} ms"
              f" | {t['same SQL cpu']:.1f} / {t['same SQL wall']:.1f} ms | {share:.0%} |")
    print(f"load {loadavg()}")
    spent = per_function(calls["province"], args.requests)
    print("\nprovince, CPU per figure function (median):")
    for name, values in sorted(spent.items(), key=lambda kv: -statistics.median(kv[1])):
        print(f"  {name:<24} {statistics.median(values) * 1000:5.1f} ms")


if __name__ == "__main__":
    main()

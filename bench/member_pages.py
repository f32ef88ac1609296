"""Member pages against the session+user floor, in-process (benchmark, not a test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_perf \\
        .venv/bin/python bench/member_pages.py [--requests 300] [--profile home] [--member m123]

The same comparison as ``bench/province/measure.py --parts members`` (member home, roster and
log-contact form against the view that loads only the session and the user, and the bare
view), without the HTTP server: one process serves the requests through the whole Django stack
(every middleware, the view, the templates) with Django's test client, logged in as a serving
district member who keeps constituents, with the benchmark's settings
(``bench.province.settings``: DEBUG off, so the cached template loader and the navbar cached
per process, as in production). The pages are requested in turn, one request of each per round
(A, B, C, A, B, C …), so that the shared machine's load falls on all of them alike. Each
request is timed three ways: wall time, this process's CPU time, and the CPU time of the
PostgreSQL backend serving it (``/proc/<pid>/schedstat``, so only with the database on this
machine). On a loaded machine a query's round trip waits for the scheduler, so the wall time
of a page grows with its number of queries more than its cost does; the CPU time (Django's and
PostgreSQL's, added) is what bounds the requests per second of a saturated server, and its
ratio to the floor's is the figure to compare with the harness's.

``--profile PAGE`` (home, roster, form, floor, bare) then runs that page ``--requests`` times
under cProfile and prints where the time goes: the functions with the most time of their own,
and the share of the page spent in template rendering, in the ORM and in the middleware.

``--middleware`` times the floor view with each middleware left out in turn (what each costs a
request).

``--unprepared`` adds each page served with the connection's prepared queries turned off
(``prepare_threshold`` None on the same connection, for that request only): PostgreSQL then
plans every query of the request, as it did before the portal let psycopg prepare them
(settings ``DATABASE_PREPARE_THRESHOLD``). The pages are interleaved with their prepared
selves, request by request.
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.province.settings"
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/liaison_perf")
os.environ.setdefault("BENCH_CACHE_URL", "redis://127.0.0.1:6379/7")
os.environ.setdefault("CONN_MAX_AGE", "86400")  # one connection, one backend to read the CPU of

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

PAGES = {
    "bare": "/bench/bare/",
    "floor": "/bench/session-user/",
    "chrome": "/bench/chrome/",
    "home": "/members/me/",
    "roster": "/members/me/constituents/",
    "form": "/activities/contacts/new/",
}
LABELS = {
    "bare": "bare view",
    "floor": "session + user view",
    "chrome": "page frame, no content",
    "home": "member home",
    "roster": "member roster",
    "form": "member log-contact form",
}


def member_username(given: str | None) -> str:
    """A serving district member who keeps constituents (as the harness picks them)."""
    if given:
        return given
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT u.username FROM members_member m JOIN members_user u ON u.id = m.user_id
            JOIN members_council c ON c.id = m.council_id AND c.level = 'district'
            WHERE m.status = 'active' AND u.username LIKE 'm%%'
              AND EXISTS (SELECT 1 FROM members_constituent k WHERE k.member_id = m.id)
            ORDER BY m.id LIMIT 1
        """)
        return cursor.fetchone()[0]


def logged_in(username: str) -> Client:
    """Logged in and past the second factor, as the province harness logs its users in (a
    member who has set up an authenticator app was sent to the code page before)."""
    from bench.province.reads import client_of

    return client_of(username)


def get(client: Client, path: str) -> None:
    response = client.get(path)
    if response.status_code != 200:
        sys.exit(f"{path}: HTTP {response.status_code} ({response.get('Location', '')})")


def backend_cpu_ns() -> int:
    """CPU time so far of the PostgreSQL backend of this process's connection, in ns."""
    with connection.cursor() as cursor:
        if not hasattr(connection, "bench_backend_pid"):
            cursor.execute("SELECT pg_backend_pid()")
            connection.bench_backend_pid = cursor.fetchone()[0]
    try:
        return int(Path(f"/proc/{connection.bench_backend_pid}/schedstat").read_text().split()[0])
    except OSError:
        return 0


UNPREPARED = "~unprepared"  # a page's name with this suffix: served planning every query


def served(client: Client, name: str) -> None:
    """One request of the page ``name`` (``home``, or ``home~unprepared``)."""
    page, _, unprepared = name.partition("~")
    if not unprepared:
        return get(client, PAGES[page])
    connection.ensure_connection()
    threshold = connection.connection.prepare_threshold
    connection.connection.prepare_threshold = None
    try:
        get(client, PAGES[page])
    finally:
        connection.connection.prepare_threshold = threshold


def label(name: str) -> str:
    page, _, unprepared = name.partition("~")
    return LABELS[page] + (", planned each time" if unprepared else "")


def interleaved(client: Client, anonymous: Client, names: list[str], n: int) -> dict[str, dict]:
    times = {name: {"wall": [], "cpu": [], "db": []} for name in names}
    for name in names:  # warm: connections, template and URL caches, the navbar
        for _ in range(20):
            served(anonymous if name == "bare" else client, name)
    for _ in range(n):
        for name in names:
            c = anonymous if name == "bare" else client
            db0 = backend_cpu_ns()
            cpu0, t0 = time.thread_time_ns(), time.perf_counter()
            served(c, name)
            wall, cpu = time.perf_counter() - t0, time.thread_time_ns() - cpu0
            times[name]["wall"].append(wall)
            times[name]["cpu"].append(cpu / 1e9)
            times[name]["db"].append((backend_cpu_ns() - db0) / 1e9)
    return times


def report(times: dict[str, dict]) -> None:
    def mean(name, *kinds):
        return sum(statistics.mean(times[name][k]) for k in kinds)

    floor_wall, floor_cpu = mean("floor", "wall"), mean("floor", "cpu", "db")
    print(f"  {'page':<44} {'wall mean':>9} {'median':>8} {'of floor':>8}   "
          f"{'CPU: Django':>11} {'+ PostgreSQL':>12} {'= total':>8} {'of floor':>8}")
    for name in times:
        wall, cpu, db = mean(name, "wall"), mean(name, "cpu"), mean(name, "db")
        print(f"  {label(name):<44} {wall * 1000:7.2f}ms {statistics.median(times[name]['wall']) * 1000:6.2f}ms "
              f"{floor_wall / wall:8.0%}   {cpu * 1000:9.2f}ms {db * 1000:10.2f}ms "
              f"{(cpu + db) * 1000:6.2f}ms {floor_cpu / (cpu + db):8.0%}")


def profile(client: Client, anonymous: Client, name: str, n: int, top: int) -> None:
    c = anonymous if name == "bare" else client
    for _ in range(20):
        get(c, PAGES[name])
    profiler = cProfile.Profile(time.thread_time)  # CPU time: waiting for the database is not counted
    profiler.enable()
    for _ in range(n):
        get(c, PAGES[name])
    profiler.disable()
    if os.environ.get("PROFILE_DUMP"):  # for pstats: callers, callees
        profiler.dump_stats(os.environ["PROFILE_DUMP"])
    stats = pstats.Stats(profiler)
    total = sum(row[2] for row in stats.stats.values())  # tottime of everything
    print(f"\n== profile of {LABELS[name]} ({n} requests, {total / n * 1000:.2f} ms a request "
          f"under the profiler) ==")

    def cumulative(predicate) -> float:
        best = 0.0
        for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
            if predicate(filename, func):
                best = max(best, ct)
        return best

    shares = {
        "template rendering (Template.render)": cumulative(
            lambda f, fn: f.endswith("django/template/base.py") and fn == "render"),
        "the ORM (SQLCompiler.execute_sql)": 0.0,
        "the view (handler's _get_response)": cumulative(
            lambda f, fn: f.endswith("django/core/handlers/base.py") and fn == "_get_response"),
    }
    # execute_sql is re-entered; sum its calls from outside the compiler instead.
    for (filename, _line, func), (_cc, _nc, _tt, _ct, callers) in stats.stats.items():
        if filename.endswith("django/db/models/sql/compiler.py") and func == "execute_sql":
            shares["the ORM (SQLCompiler.execute_sql)"] += sum(
                c_ct for (cf, _cl, _cfn), (_a, _b, _c, c_ct) in callers.items()
                if not cf.endswith("sql/compiler.py")
            )
    for label, value in shares.items():
        print(f"  {label:<40} {value / n * 1000:7.2f} ms  {value / total:6.0%}")
    print()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def queries(client: Client, anonymous: Client, name: str, n: int) -> None:
    """Each query of one request of the page, with the PostgreSQL backend's CPU time (the
    mean over ``n`` requests) and its SQL."""
    c = anonymous if name == "bare" else client
    rows: dict[int, list] = {}

    def record(execute, sql, params, many, context):
        db0, t0 = backend_cpu_ns(), time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            wall, db = time.perf_counter() - t0, backend_cpu_ns() - db0
            index = len(current)
            current.append(sql)
            row = rows.setdefault(index, [sql, 0.0, 0.0])
            row[1] += wall
            row[2] += db / 1e9

    get(c, PAGES[name])
    for _ in range(n):
        current: list[str] = []
        with connection.execute_wrapper(record):
            get(c, PAGES[name])
    print(f"\n== queries of {LABELS[name]} (mean of {n} requests) ==")
    for index, (sql, wall, db) in sorted(rows.items()):
        print(f"  {index + 1:2}. wall {wall / n * 1000:6.2f} ms  PostgreSQL CPU {db / n * 1000:6.2f} ms  "
              f"{sql[:400]}")


def template_costs(client: Client, anonymous: Client, name: str, n: int) -> None:
    """CPU time of each template the page renders (inclusive of what it includes) and of
    each call of a simple or inclusion tag, per request."""
    from django.template.base import Template

    spent: dict[str, list] = {}
    original = Template._render

    def timed(self, context):
        t0 = time.thread_time_ns()
        try:
            return original(self, context)
        finally:
            row = spent.setdefault(self.origin.template_name or "?", [0, 0])
            row[0] += time.thread_time_ns() - t0
            row[1] += 1

    c = anonymous if name == "bare" else client
    get(c, PAGES[name])
    Template._render = timed
    try:
        t0 = time.thread_time_ns()
        for _ in range(n):
            get(c, PAGES[name])
        whole = time.thread_time_ns() - t0
    finally:
        Template._render = original
    print(f"\n== templates of {LABELS[name]} ({n} requests; {whole / n / 1e6:.2f} ms of CPU a request) ==")
    for template, (ns, calls) in sorted(spent.items(), key=lambda kv: -kv[1][0]):
        print(f"  {ns / n / 1e6:7.3f} ms  {calls / n:5.1f}×  {template}")


def middleware_costs(client: Client, n: int) -> None:
    """The floor's time without each middleware in turn (rebuilding the handler's chain)."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.test import override_settings

    names = list(settings.MIDDLEWARE)
    rows = []
    for left_out in [None, *names]:
        chain = [m for m in names if m != left_out]
        with override_settings(MIDDLEWARE=chain):
            c = Client()
            c.cookies = client.cookies
            try:
                for _ in range(20):
                    c.get(PAGES["floor"])
            except (ImproperlyConfigured, AttributeError) as needed:
                # Another middleware needs it: the session's under the authentication's, the
                # user (request.user) under the identity controls'.
                rows.append((left_out, f"{type(needed).__name__}: {str(needed).split('.')[0]}"))
                continue
            t0 = time.perf_counter()
            for _ in range(n):
                c.get(PAGES["floor"])
            rows.append((left_out, (time.perf_counter() - t0) / n))
    whole = rows[0][1]
    print(f"\n== middleware: the floor view without each ({n} requests each) ==")
    print(f"  {'all middleware':<58} {whole * 1000:6.3f} ms")
    for left_out, t in rows[1:]:
        if isinstance(t, str):
            print(f"  without {left_out:<50}   (not measured: {t})")
            continue
        print(f"  without {left_out:<50} {t * 1000:6.3f} ms  (it costs {(whole - t) * 1e6:6.0f} µs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300, help="requests of each page")
    parser.add_argument("--member", help="the member's login (default: the first serving district member)")
    parser.add_argument("--pages", default="bare,floor,home,roster,form")
    parser.add_argument("--profile", choices=sorted(PAGES), action="append", default=[])
    parser.add_argument("--queries", choices=sorted(PAGES), action="append", default=[],
                        help="list that page's queries with their PostgreSQL CPU time")
    parser.add_argument("--templates", choices=sorted(PAGES), action="append", default=[],
                        help="time that page's templates (inclusive)")
    parser.add_argument("--top", type=int, default=35, help="functions listed by the profile")
    parser.add_argument("--middleware", action="store_true", help="time each middleware")
    parser.add_argument("--unprepared", action="store_true",
                        help="each page also with the connection's prepared queries off")
    args = parser.parse_args()
    pages = args.pages.split(",")
    if args.unprepared:
        pages = [variant for name in pages
                 for variant in ([name] if name == "bare" else [name, name + UNPREPARED])]

    username = member_username(args.member)
    client, anonymous = logged_in(username), Client()
    load = "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    print(f"{args.requests} interleaved requests of each page as {username}; load {load}")
    report(interleaved(client, anonymous, pages, args.requests))
    print("  load after: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    for name in args.queries:
        queries(client, anonymous, name, min(args.requests, 50))
    for name in args.templates:
        template_costs(client, anonymous, name, args.requests)
    for name in args.profile:
        profile(client, anonymous, name, args.requests, args.top)
    if args.middleware:
        middleware_costs(client, args.requests)


if __name__ == "__main__":
    main()

"""Measure the portal on the province database (benchmark, not a test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_province \\
        .venv/bin/python bench/province/measure.py [--parts lists,members,...] [--requests 20]

Serves the portal with gunicorn (``bench.province.settings``: the portal's settings with DEBUG
off and two floor views) and measures, each comparison interleaved request by request (A, B,
A, B …) so that the shared machine's load hits both sides alike:

- ``sweep``      the must-visit sweep, cold (empty reminder table) and warm (again);
- ``lists``      each staff list (page 1, a deep page, a filter, a search) against the stock
                 Django admin changelist of the same model with the same page / filter /
                 search, as a superuser;
- ``members``    member pages' requests per second at a concurrency of 8 against a bare view
                 and a view that loads the session and the user, on the same gunicorn;
- ``dashboards`` district, city and province dashboards uncached (the cache emptied before
                 every request) and cached, and the staff overview;
- ``report``     the province's period report;
- ``exports``    constituents and contact logs of the whole province: time to the first byte,
                 total time, size, the gunicorn worker's peak RSS (server restarted first);
- ``load``       100 users (80 members, 15 staff, 5 leaders) for 2 minutes with locust;
- ``rollups``    the rollup rebuild commands, full (and incremental where they can be).

Prints every figure with the load average before and after each part, then writes the tables
into ``bench/README.md`` between ``<!-- province:begin -->`` and ``<!-- province:end -->``
(``--no-readme``: not). If the database lacks migrations of the code, the harness measures a
copy (``<database>_bench``, made with ``createdb -T`` and migrated; its rollups rebuilt):
it writes nothing to the province database but what the measured actions write (the sweep's
reminders, the rebuild's rollups).
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.province.settings"
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/liaison_province")

HOST, PORT = "127.0.0.1", int(os.environ.get("BENCH_PORT", "8765"))
PASSWORD = "bench-1158"
# The production server's settings (deploy/gunicorn.conf.py: threaded workers); the number of
# worker processes can be changed for an experiment.
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
README = ROOT / "bench" / "README.md"
RESULTS = ROOT / "bench" / "results"
LOCUST = Path(os.environ.get("BENCH_LOCUST", ROOT / "bench" / ".venv" / "bin" / "locust"))
DEEP_PAGE, PORTAL_PER_PAGE, ADMIN_PER_PAGE = 200, 50, 100
# The latency parts (lists, dashboards) before the throughput ones (members, load): a
# saturating part leaves the machine busy for a while after it ends (PostgreSQL writing out
# what it dirtied, the load average decaying), which was measured into what came next.
PARTS = ["sweep", "lists", "dashboards", "members", "report", "exports", "load", "rollups"]

# "Before": the table (main of 2026-11-29, measured by the author).
BEFORE = {
    "constituents: page 1": "p50 8.6 s (admin 1.6 s)",
    "constituents: filter (sector)": "p50 10.0 s (admin 0.21 s)",
    "contact logs: page 1": "~10 s",
    "members: page 1": "p50 1.6 s (admin 62 ms)",
    "dashboard province, uncached": "p50 6.6 s, p95 10 s",
    "staff overview, uncached": "2.4 s",
    "member home": "67 req/s",
    "member roster": "106 req/s",
    "member log-contact form": "31 req/s",
    "bare view": "2,369 req/s",
    "session + user view": "608 req/s",
    "load": "p50 11 s, p95 24 s; 6.6 req/s",
    "sweep cold": "242 s",
    "sweep warm": "42 s",
    "export constituents": "not streamed; ≈10 min (estimated)",
    "export contact logs": "not streamed; ≈94 min (estimated)",
    "report province": "29 s",
    "rollups_rebuild": "212 s",
}


# What went wrong during the run (a page not answering 200, an export that failed): printed
# as it happens, and with ``--strict`` the run exits with an error at the end (.ci/run runs the
# harness on a small province that way, so that the benchmark cannot rot unseen).
PROBLEMS: list[str] = []


def problem(text: str) -> None:
    PROBLEMS.append(text)
    say(f"    PROBLEM: {text}")


def say(text: str = "") -> None:
    print(text, flush=True)


def loadavg() -> str:
    return "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def fine_ms(seconds: float) -> str:
    """A few milliseconds, to a tenth."""
    return f"{seconds * 1000:.1f} ms"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


# --- The database: the province's, or a migrated copy -------------------------------------


MANAGE = [sys.executable, str(ROOT / "manage.py")]


def database_to_measure(fresh_copy: bool) -> str:
    """The URL to measure: ``DATABASE_URL`` if it has every migration of the code, else a
    copy of it, migrated (and its rollups rebuilt). Decided in subprocesses, before this
    process sets Django up on the one it measures."""
    url = os.environ["DATABASE_URL"]
    check = subprocess.run([*MANAGE, "migrate", "--check"], capture_output=True, text=True, cwd=ROOT)
    pending = check.returncode != 0
    if not pending and not fresh_copy:
        return url
    name = url.rsplit("/", 1)[1]
    copy = f"{name}_bench"
    copy_url = url.rsplit("/", 1)[0] + "/" + copy
    admin = ["-h", HOST, "-U", "postgres"]
    exists = copy in subprocess.run(["psql", *admin, "-Atc", "SELECT datname FROM pg_database"],
                                    capture_output=True, text=True, check=True).stdout.split()
    if fresh_copy and exists:
        subprocess.run(["dropdb", *admin, copy], check=True)
        exists = False
    if not exists:
        say(f"migrations missing in {name}: measuring a copy, {copy} (createdb -T …)")
        t0 = time.perf_counter()
        for attempt in range(60):  # createdb -T needs the template without connections
            done = subprocess.run(["createdb", *admin, "-T", name, copy], capture_output=True, text=True)
            if done.returncode == 0:
                break
            if "being accessed by other users" not in done.stderr:
                sys.exit(done.stderr)
            say(f"  {name} is in use; waiting ({attempt + 1}/60)")
            time.sleep(10)
        else:
            sys.exit(f"{name} stayed in use: could not copy it")
        say(f"  copied in {time.perf_counter() - t0:.0f} s")
    env = {**os.environ, "DATABASE_URL": copy_url}
    t0 = time.perf_counter()
    subprocess.run([*MANAGE, "migrate", "--noinput"], env=env, check=True, cwd=ROOT)
    say(f"  {copy} migrated in {time.perf_counter() - t0:.0f} s; rebuilding its rollups")
    for command in rollup_commands(env):
        t0 = time.perf_counter()
        subprocess.run([*MANAGE, command, *full_flag(command, env)], env=env, check=True, cwd=ROOT)
        say(f"  manage.py {command}: {time.perf_counter() - t0:.0f} s")
    subprocess.run(["psql", *admin, copy, "-qc", "VACUUM ANALYZE"], check=True)
    return copy_url


def rollup_commands(env: dict | None = None) -> list[str]:
    """The management commands with "rollup" in their name (others add rollups over time)."""
    listed = subprocess.run([*MANAGE, "help", "--commands"], env=env, capture_output=True,
                            text=True, check=True, cwd=ROOT).stdout.split()
    return sorted(c for c in listed if "rollup" in c)


def full_flag(command: str, env: dict | None = None) -> list[str]:
    """``--full`` where a rollup command is incremental unless told so."""
    usage = subprocess.run([*MANAGE, command, "--help"], env=env, capture_output=True, text=True,
                           cwd=ROOT).stdout
    return ["--full"] if "--full" in usage else []


# --- The server ---------------------------------------------------------------------------


class Server:
    """gunicorn on ``HOST:PORT`` as production runs it (``deploy/gunicorn.conf.py``: threaded
    workers), with the bench settings and ``WORKERS`` worker processes."""

    def __init__(self, database_url: str):
        self.database_url = database_url
        self.proc: subprocess.Popen | None = None
        RESULTS.mkdir(exist_ok=True)
        self.log = open(RESULTS / "gunicorn.log", "a")  # noqa: SIM115 (kept open while serving)

    def start(self) -> None:
        env = {**os.environ, "DATABASE_URL": self.database_url,
               "DJANGO_SETTINGS_MODULE": "bench.province.settings", "DEBUG": "false"}
        env.pop("CELERY_BROKER_URL", None)  # events run in-process, as on a laptop
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
             "--bind", f"{HOST}:{PORT}", "--workers", str(WORKERS),
             "--chdir", str(ROOT), "--log-level", "warning"],
            env=env, stdout=self.log, stderr=self.log, start_new_session=True,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if Client().get("/bench/bare/").status == 200 and len(self.workers()) == WORKERS:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        sys.exit(f"gunicorn did not start: see {RESULTS / 'gunicorn.log'}")

    def workers(self) -> list[int]:
        if self.proc is None:
            return []
        try:
            text = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def peak_rss_mb(self) -> float:
        """The largest peak resident set (VmHWM) of the workers, in MB."""
        peaks = []
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"VmHWM:\s+(\d+) kB", status)
            if match:
                peaks.append(int(match.group(1)) / 1024)
        return max(peaks, default=float("nan"))

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()


# --- A small HTTP client (keeps cookies; times headers and body) ---------------------------


@dataclass
class Response:
    status: int
    body: bytes
    ttfb: float  # until the status line and headers
    first_byte: float  # until the first byte of the body
    total: float
    size: int = 0
    headers: dict = field(default_factory=dict)


class Client:
    def __init__(self, cookies: dict | None = None):
        self.cookies = dict(cookies or {})
        self.conn: http.client.HTTPConnection | None = None

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None,
                timeout: float = 300, keep_body: bool = True) -> Response:
        headers = {"Host": HOST, **(headers or {})}
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, PORT, timeout=timeout)
            t0 = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise
        ttfb = time.perf_counter() - t0
        first_byte, size, chunks = None, 0, []
        while True:
            chunk = response.read1(1 << 16) if hasattr(response, "read1") else response.read(1 << 16)
            if not chunk:
                break
            if first_byte is None:
                first_byte = time.perf_counter() - t0
            size += len(chunk)
            if keep_body:
                chunks.append(chunk)
        total = time.perf_counter() - t0
        # read1 leaves the response open at its end: closed, the kept-alive connection (the
        # threaded workers keep it) takes the next request.
        response.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if response.will_close:
            self.close()
        return Response(response.status, b"".join(chunks), ttfb, first_byte or total, total, size,
                        dict(response.headers.items()))

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn = None


def login(username: str) -> Client:
    """A real login: GET the form for the CSRF token, POST the credentials."""
    client = Client()
    page = client.get("/accounts/login/").body.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urlencode({"username": username, "password": PASSWORD,
                      "csrfmiddlewaretoken": token, "next": "/"})
    response = client.request("POST", "/accounts/login/", body=body,
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    if response.status != 302 or "sessionid" not in client.cookies:
        sys.exit(f"login of {username} failed (HTTP {response.status})")
    after = client.get(response.headers.get("Location") or "/", keep_body=False)
    if "/accounts/otp/" in (after.headers.get("Location") or ""):
        second_factor(client, username)
    return client


def past_the_pin() -> None:
    """With a read replica (``DATABASE_REPLICA_URL``), a login — a write — pins the browser to
    the primary for ``REPLICA_PIN_SECONDS``, as after any write: wait it out, so that the
    pages measured next read what they would read a while after logging in (the replica)."""
    if os.environ.get("DATABASE_REPLICA_URL"):
        from django.conf import settings

        time.sleep(settings.REPLICA_PIN_SECONDS + 0.5)


def second_factor(client: Client, username: str) -> None:
    """Staff and leaders log in with two factors: a TOTP device of their own for this login
    (named "bench", removed at the start of each run; a code is good once, so one device per
    login), its current code on the verify page, as an authenticator app would give it."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from members.models import User

    device = TOTPDevice.objects.create(user=User.objects.get(username=username), name="bench",
                                       confirmed=True)
    page = client.get("/accounts/otp/verify/").body.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urlencode({"token": f"{totp(device.bin_key):06d}", "csrfmiddlewaretoken": token})
    response = client.request("POST", "/accounts/otp/verify/", body=body,
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    if response.status != 302:
        sys.exit(f"second factor of {username} failed (HTTP {response.status})")


# --- What the parts measure with: users and ids from the database (read only) ---------------


def world() -> dict:
    """Ids and search words the measurements use, read from the database."""
    from django.db import connection

    from members import phone_crypto

    def one(statement, params=()):
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchone()

    province, = one("SELECT id FROM members_council WHERE level = 'province' ORDER BY id LIMIT 1")
    # A district's biggest sector ("经济界" of the first district): a filter with many rows.
    district, = one("SELECT id FROM members_council WHERE level = 'district' ORDER BY id LIMIT 1")
    sector, = one("SELECT id FROM members_sector WHERE council_id = %s ORDER BY "
                  "(SELECT count(*) FROM members_member m WHERE m.sector_id = members_sector.id) DESC, id LIMIT 1",
                  [district])
    name, sealed = one("SELECT name, phone FROM members_constituent WHERE id >= 123 "
                       "AND phone <> '' AND char_length(name) = 3 ORDER BY id LIMIT 1")
    phone = phone_crypto.unseal(sealed)  # sealed at rest (members.phone_crypto)
    member_id, member_name, member_phone = one("SELECT id, name, phone FROM members_member WHERE phone <> '' "
                                    "AND char_length(name) = 3 ORDER BY id LIMIT 1 OFFSET 77")
    with connection.cursor() as cursor:
        # 80 serving district members who keep constituents: the member pages' users.
        cursor.execute("""
            SELECT u.username FROM members_member m JOIN members_user u ON u.id = m.user_id
            JOIN members_council c ON c.id = m.council_id AND c.level = 'district'
            WHERE m.status = 'active' AND u.username LIKE 'm%%'
              AND EXISTS (SELECT 1 FROM members_constituent k WHERE k.member_id = m.id)
            ORDER BY m.id LIMIT 80
        """)
        members = [r[0] for r in cursor.fetchall()]
        cursor.execute("SELECT username FROM members_user WHERE role = 'staff' "
                       "AND username LIKE 'staff-%%' ORDER BY id")
        staff = [r[0] for r in cursor.fetchall()]
        cursor.execute("SELECT username FROM members_user WHERE role = 'leader' "
                       "AND username LIKE 'leader-%%' ORDER BY id")
        leaders = [r[0] for r in cursor.fetchall()]
    connection.close()
    return {"province": province, "district": district, "sector": sector, "name": name,
            "phone": phone, "member_id": member_id, "member_name": member_name, "member_phone": member_phone,
            "members": members, "staff": staff, "leaders": leaders}


# --- Parts --------------------------------------------------------------------------------


def timed_pairs(pairs: list[tuple[str, Client, str]], n: int) -> dict[str, list[float]]:
    """``n`` rounds of every (label, client, path), interleaved; wall times per label. A
    first request of each is not counted (connections, caches of the process)."""
    times: dict[str, list[float]] = {label: [] for label, _c, _p in pairs}
    statuses: dict[str, int] = {}
    for label, client, path in pairs:
        statuses[label] = client.get(path, keep_body=False).status
    for _ in range(n):
        for label, client, path in pairs:
            response = client.get(path, keep_body=False)
            statuses[label] = response.status
            times[label].append(response.total)
    bad = {label: s for label, s in statuses.items() if s != 200}
    if bad:
        problem(f"not 200: {bad}")
    return times


def part_lists(server: Server, w: dict, n: int, deep: int = DEEP_PAGE) -> list[dict]:
    staff = login("staff-p")
    admin = login("bench-admin")
    s, name, phone = w["sector"], w["name"], w["phone"]
    mname, mphone = w["member_name"], w["member_phone"]
    q = lambda **kw: "?" + urlencode(kw) if kw else ""  # noqa: E731
    # The same rows deep down: the portal's page 200 of 50 starts at row 9,951, the admin's
    # pages have 100 rows (list_per_page), so its page 100 holds the same offset.
    admin_deep = (deep - 1) * PORTAL_PER_PAGE // ADMIN_PER_PAGE + 1
    deep_label = f"page {deep}"
    # (list, variant, portal path, admin path or None)
    rows = [
        ("constituents", "page 1", "/members/staff/constituents/", "/admin/members/constituent/"),
        ("constituents", deep_label, "/members/staff/constituents/" + q(page=deep), "/admin/members/constituent/" + q(p=admin_deep)),
        ("constituents", "filter (sector)", "/members/staff/constituents/" + q(sector=s), "/admin/members/constituent/" + q(sector__id__exact=s)),
        ("constituents", "search (name)", "/members/staff/constituents/" + q(q=name), "/admin/members/constituent/" + q(q=name)),
        ("constituents", "search (phone)", "/members/staff/constituents/" + q(q=phone), "/admin/members/constituent/" + q(q=phone)),
        ("contact logs", "page 1", "/activities/contacts/all/", "/admin/activities/contactlog/"),
        ("contact logs", deep_label, "/activities/contacts/all/" + q(page=deep), "/admin/activities/contactlog/" + q(p=admin_deep)),
        # The admin has no sector filter for logs: the channel, on both sides.
        ("contact logs", "filter (channel)", "/activities/contacts/all/" + q(channel="clinic"), "/admin/activities/contactlog/" + q(channel__exact="clinic")),
        ("contact logs", "filter (sector)", "/activities/contacts/all/" + q(sector=s), None),
        ("members", "page 1", "/members/staff/members/", "/admin/members/member/"),
        ("members", deep_label, "/members/staff/members/" + q(page=deep), "/admin/members/member/" + q(p=admin_deep)),
        ("members", "filter (sector)", "/members/staff/members/" + q(sector=s), "/admin/members/member/" + q(sector__id__exact=s)),
        ("members", "search (name)", "/members/staff/members/" + q(q=mname), "/admin/members/member/" + q(q=mname)),
        ("members", "search (phone)", "/members/staff/members/" + q(q=mphone), "/admin/members/member/" + q(q=mphone)),
        ("reminders", "page 1", "/activities/reminders/", None),
        ("reminders", deep_label, "/activities/reminders/" + q(page=deep), None),
        ("reminders", "filter (sector)", "/activities/reminders/" + q(sector=s), None),
        ("proposals", "page 1", "/proposals/staff/register/", "/admin/proposals/proposal/"),
        ("proposals", deep_label, "/proposals/staff/register/" + q(page=deep), "/admin/proposals/proposal/" + q(p=admin_deep)),
        ("proposals", "filter (state)", "/proposals/staff/register/" + q(state="assigned"), "/admin/proposals/proposal/" + q(state__exact="assigned")),
        ("proposals", "search (title)", "/proposals/staff/register/" + q(q="养老"), None),
    ]
    # Beside each pair, as the same staff user: the view that loads the session and the user
    # and nothing else (what any logged-in page costs before its own work), and the portal's
    # page frame alone (base.html). Where the admin is less than ten times the floor, no
    # logged-in page can be ten times faster than it: the row's "admin ÷ floor" says how much
    # room there is.
    floors = [("floor", staff, "/bench/session-user/"), ("frame", staff, "/bench/chrome/")]
    results = []
    say(f"  {'list':<13} {'variant':<17} {'portal p50':>11} {'p95':>9} {'admin p50':>10} {'p95':>9} "
        f"{'admin/portal':>12} {'floor':>7} {'frame':>7} {'admin/floor':>11}")
    for lst, variant, portal_path, admin_path in rows:
        pairs = [("portal", staff, portal_path)] + ([("admin", admin, admin_path)] if admin_path else [])
        times = timed_pairs(pairs + floors, n)
        p, a = times["portal"], times.get("admin")
        row = {"list": lst, "variant": variant, "portal_p50": pct(p, .5), "portal_p95": pct(p, .95),
               "admin_p50": pct(a, .5) if a else None, "admin_p95": pct(a, .95) if a else None,
               "floor_p50": pct(times["floor"], .5), "frame_p50": pct(times["frame"], .5),
               "portal_path": portal_path, "admin_path": admin_path}
        row["ratio"] = row["admin_p50"] / row["portal_p50"] if a else None
        row["room"] = row["admin_p50"] / row["floor_p50"] if a else None
        results.append(row)
        ratio = f"{row['ratio']:.1f}×" if a else "—"
        room = f"{row['room']:.1f}×" if a else "—"
        say(f"  {lst:<13} {variant:<17} {ms(row['portal_p50']):>11} {ms(row['portal_p95']):>9} "
            f"{ms(row['admin_p50']):>10} {ms(row['admin_p95']):>9} {ratio:>12} "
            f"{fine_ms(row['floor_p50']):>7} {fine_ms(row['frame_p50']):>7} {room:>11}")
    return results


def throughput(clients: list[Client], path: str, seconds: float) -> tuple[float, int, int]:
    """Requests per second with one thread per client for ``seconds``; (rate, done, errors)."""
    done, errors = [0], [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def run(client):
        n = e = 0
        while time.perf_counter() < stop:
            try:
                status = client.get(path, keep_body=False, timeout=30).status
            except OSError:
                status = 0
                client.close()
            n += 1
            e += status != 200
        with lock:
            done[0] += n
            errors[0] += e

    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0] / (time.perf_counter() - started), done[0], errors[0]


def part_members(server: Server, w: dict, seconds: float, concurrency: int, rounds: int) -> list[dict]:
    members = [login(u) for u in w["members"][:concurrency]]
    anonymous = [Client() for _ in range(concurrency)]
    pages = [
        ("bare view", anonymous, "/bench/bare/"),
        ("session + user view", members, "/bench/session-user/"),
        ("member home", members, "/members/me/"),
        ("member roster", members, "/members/me/constituents/"),
        ("member log-contact form", members, "/activities/contacts/new/"),
    ]
    rates: dict[str, list[float]] = {label: [] for label, _c, _p in pages}
    errors: dict[str, int] = dict.fromkeys(rates, 0)
    for _ in range(rounds):
        for label, clients, path in pages:
            rate, _done, bad = throughput(clients, path, seconds)
            rates[label].append(rate)
            errors[label] += bad
            if bad:
                problem(f"{label}: {bad} requests not answered 200")
    floor = statistics.mean(rates["session + user view"])
    results = []
    for label, _c, path in pages:
        rate = statistics.mean(rates[label])
        results.append({"page": label, "path": path, "rps": rate, "errors": errors[label],
                        "of_floor": rate / floor if floor else None,
                        "rounds": [round(r) for r in rates[label]]})
        say(f"  {label:<26} {rate:8.0f} req/s  ({', '.join(f'{r:.0f}' for r in rates[label])}) "
            f"{rate / floor:6.0%} of session+user  errors {errors[label]}")
    return results


def flush_cache() -> None:
    import redis
    from django.conf import settings

    redis.Redis.from_url(settings.BENCH_CACHE_URL).flushdb()


def part_dashboards(server: Server, w: dict, n: int) -> list[dict]:
    pages = [
        ("dashboard district", "staff-d1", "/dashboard/"),
        ("dashboard city", "staff-c1", "/dashboard/"),
        ("dashboard province", "staff-p", "/dashboard/"),
        ("staff overview", "staff-p", "/members/staff/"),
    ]
    clients = {user: login(user) for _l, user, _p in pages}
    uncached: dict[str, list[float]] = {label: [] for label, _u, _p in pages}
    cached: dict[str, list[float]] = {label: [] for label, _u, _p in pages}
    for _label, user, path in pages:  # warm-up
        clients[user].get(path, keep_body=False)
    for _ in range(n):
        for label, user, path in pages:
            flush_cache()
            response = clients[user].get(path, keep_body=False)
            assert response.status == 200, (label, response.status)
            uncached[label].append(response.total)
            response = clients[user].get(path, keep_body=False)  # the cache just filled
            if response.status != 200:
                problem(f"{label}, cached: HTTP {response.status}")
            cached[label].append(response.total)
    results = []
    for label, _u, path in pages:
        row = {"page": label, "path": path,
               "uncached_p50": pct(uncached[label], .5), "uncached_p95": pct(uncached[label], .95),
               "cached_p50": pct(cached[label], .5), "cached_p95": pct(cached[label], .95)}
        results.append(row)
        say(f"  {label:<20} uncached p50 {ms(row['uncached_p50']):>9} p95 {ms(row['uncached_p95']):>9}"
            f"   cached p50 {ms(row['cached_p50']):>9} p95 {ms(row['cached_p95']):>9}")
    return results


def part_report(server: Server, w: dict, n: int) -> list[dict]:
    client = login("staff-p")
    past_the_pin()
    today = date.today()
    query = urlencode({"from": (today - timedelta(days=365)).isoformat(), "to": today.isoformat(),
                       "council": w["province"]})
    results = []
    for label, path in [("report province (page)", f"/dashboard/report/?{query}"),
                        ("report province (xlsx)", f"/dashboard/report/?{query}&format=xlsx")]:
        times = []
        for _ in range(n):
            response = client.get(path, keep_body=False, timeout=600)
            assert response.status == 200, (label, response.status)
            times.append(response.total)
        results.append({"what": label, "path": path, "p50": pct(times, .5), "max": max(times)})
        say(f"  {label:<26} p50 {ms(pct(times, .5))}  max {ms(max(times))} ({n} requests)")
    return results


def part_exports(server: Server, w: dict, timeout: float) -> list[dict]:
    # (what, URL, a filter that makes it small: to ask cheaply whether CSV is offered)
    exports = [
        ("constituents", "/members/staff/constituents/export/", urlencode({"q": w["name"]})),
        ("contact logs", "/activities/contacts/all/export/", urlencode({"member": w["member_id"]})),
    ]
    results = []
    for label, path, small in exports:
        probe = login("staff-p").get(f"{path}?format=csv&{small}", keep_body=False, timeout=timeout)
        csv_offered = "csv" in probe.headers.get("Content-Type", "")
        if not csv_offered:
            say(f"  {label:<14} csv   not offered (a small export with format=csv answered "
                f"{probe.headers.get('Content-Type') or probe.status})")
        for fmt, suffix in [("xlsx", ""), *([("csv", "?format=csv")] if csv_offered else [])]:
            server.restart()  # the workers' peak RSS is then this export's
            client = login("staff-p")
            past_the_pin()
            rss_before = server.peak_rss_mb()
            t0 = time.perf_counter()
            try:
                response = client.get(path + suffix, keep_body=False, timeout=timeout)
            except TimeoutError:
                results.append({"export": label, "format": fmt, "error": f"no answer in {timeout:.0f} s",
                                "rss_mb": server.peak_rss_mb()})
                problem(f"export of {label} ({fmt}): no answer in {timeout:.0f} s")
                say(f"  {label:<14} {fmt:<5} no answer in {timeout:.0f} s; peak RSS {server.peak_rss_mb():.0f} MB")
                client.close()
                continue
            row = {"export": label, "format": fmt, "status": response.status,
                   "first_byte": response.first_byte, "total": response.total,
                   "bytes": response.size, "rss_mb": server.peak_rss_mb(), "rss_before_mb": rss_before,
                   "wall": time.perf_counter() - t0}
            results.append(row)
            if response.status != 200:
                problem(f"export of {label} ({fmt}): HTTP {response.status}")
            say(f"  {label:<14} {fmt:<5} HTTP {response.status} first byte {ms(row['first_byte'])}, "
                f"total {ms(row['total'])}, {row['bytes'] / 1e6:,.1f} MB, worker peak RSS "
                f"{row['rss_mb']:.0f} MB (idle {rss_before:.0f} MB)")
    server.restart()
    return results


def part_sweep(w: dict) -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from activities.models import MustVisitRule
    from activities.reminders.services import sweep

    with connection.cursor() as cursor:
        # relkind 'p': the reminder table is partitioned by month on PostgreSQL (its
        # partitions are emptied with it).
        cursor.execute("""SELECT relname FROM pg_class WHERE relkind IN ('r', 'p') AND relname LIKE 'activities_%%'
                          AND (relname = 'activities_reminder' OR relname LIKE '%%sweep%%')""")
        tables = [r[0] for r in cursor.fetchall()]
        cursor.execute("""SELECT count(*) FROM pg_constraint WHERE contype = 'f'
                          AND confrelid = ANY(%s::regclass[])""", [tables])
        referenced = cursor.fetchone()[0]
    say(f"  emptying {', '.join(tables)} (cold sweep)")
    with connection.cursor() as cursor:
        if referenced:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
        else:
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")
    rules = {r.pk: f"{r.council_id}/{r.name}" for r in MustVisitRule.objects.all()}
    names = {r.pk: r.name for r in MustVisitRule.objects.all()}
    today = timezone.localdate()
    results = []
    for label in ("sweep cold", "sweep warm"):
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            created = sweep.reminders_sweep(today=today)
            wall = time.perf_counter() - t0
        per_name: dict[str, int] = {}
        for rule_id, n in (created or {}).items():
            per_name[names.get(rule_id, str(rule_id))] = per_name.get(names.get(rule_id, str(rule_id)), 0) + n
        row = {"what": label, "wall": wall, "queries": len(queries), "rules": len(created or {}),
               "created": sum((created or {}).values()), "per_rule": per_name}
        results.append(row)
        say(f"  {label}: {wall:.1f} s, {row['created']:,} reminders, {len(queries)} queries for "
            f"{row['rules']} rules ({len(queries) / max(row['rules'], 1):.1f} a rule)")
        for rule_name, n in per_name.items():
            say(f"      {rule_name:<12} {n:>9,}")
    assert rules  # the rules exist
    # The statistics say what the sweep wrote (the table was analysed empty above). With
    # autovacuum off (this machine's PostgreSQL) every later part was planned for an empty
    # reminder table — the staff reminder list took seconds a page from that alone; in
    # production autovacuum analyses each month's partition soon after such a change.
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {table}")
    return results


def part_rollups() -> list[dict]:
    from django.core.management import call_command

    results = []
    for command in rollup_commands():
        variants = [("full", full_flag(command))]
        if variants[0][1]:  # incremental unless --full
            variants.append(("incremental", []))
        else:
            since = (date.today() - timedelta(days=1)).isoformat()
            variants.append((f"since {since}", ["--since", since]))
        for label, args in variants:
            t0 = time.perf_counter()
            try:
                call_command(command, *args, stdout=open(os.devnull, "w"))  # noqa: SIM115
            except Exception as error:  # an option this command lacks
                say(f"  {command} {label}: {error}")
                continue
            wall = time.perf_counter() - t0
            results.append({"command": command, "variant": label, "args": args, "wall": wall})
            say(f"  manage.py {command} {' '.join(args):<20} {wall:7.1f} s ({label})")
    return results


def part_load(server: Server, w: dict, users: int, minutes: float) -> dict:
    if not LOCUST.exists():
        say("  locust is not installed: python3 -m venv bench/.venv && "
            "bench/.venv/bin/pip install -r bench/requirements.txt")
        return {}
    server.restart()
    roles = {"member": w["members"][:80], "staff": w["staff"][:15], "leader": w["leaders"][:5]}
    say(f"  logging in {sum(len(v) for v in roles.values())} users (before the clock starts)")
    sessions = {role: [login(u).cookie_header() for u in names] for role, names in roles.items()}
    RESULTS.mkdir(exist_ok=True)
    sessions_file = RESULTS / "load-sessions.json"
    sessions_file.write_text(json.dumps(sessions))
    prefix = RESULTS / "load"
    subprocess.run(
        [str(LOCUST), "-f", str(ROOT / "bench" / "province" / "locustfile.py"), "--headless",
         "-u", str(users), "-r", "20", "-t", f"{int(minutes * 60)}s", "--host", f"http://{HOST}:{PORT}",
         "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10"],
        env={**os.environ, "BENCH_SESSIONS": str(sessions_file)}, check=False,
        stdout=subprocess.DEVNULL, stderr=open(RESULTS / "locust.log", "w"),  # noqa: SIM115
    )
    import csv

    rows = list(csv.DictReader(open(f"{prefix}_stats.csv")))  # noqa: SIM115
    pages = []
    for row in rows:
        pages.append({"name": row["Name"], "requests": int(row["Request Count"]),
                      "failures": int(row["Failure Count"]), "p50": float(row["50%"] or 0) / 1000,
                      "p95": float(row["95%"] or 0) / 1000, "p99": float(row["99%"] or 0) / 1000,
                      "rps": float(row["Requests/s"] or 0)})
    for page in pages:
        say(f"  {page['name']:<28} {page['requests']:>6} req {page['failures']:>4} errors "
            f"p50 {ms(page['p50']):>9} p95 {ms(page['p95']):>9} p99 {ms(page['p99']):>9} "
            f"{page['rps']:6.1f} req/s")
    sessions_file.unlink()
    return {"pages": pages, "users": users, "minutes": minutes}


# --- bench/README.md ----------------------------------------------------------------------


def met(value: bool | None) -> str:
    return "—" if value is None else ("✓" if value else "✗")


def tables(results: dict) -> str:
    lines = [f"Measured {results['when']} on `{results['database']}` (code at {results['commit']}), "
             f"{WORKERS} gunicorn threaded workers (deploy/gunicorn.conf.py), load average {results['load_before']} before and "
             f"{results['load_after']} after; the whole run took {results['minutes']:.0f} min. "
             "\"Before\" is the issue's table (main of 2026-11-29, measured by the issue's author). "
             "Each part's load average is in its heading.", ""]
    if "lists" in results:
        part = results["lists"]
        lines += [f"**Staff lists** vs the admin changelist, {part['n']} interleaved requests each "
                  f"(load {part['load']}; target: ≥ 10× faster than the admin, p95 ≤ 100 ms)", "",
                  "| list | variant | before | portal p50 / p95 | admin p50 / p95 | admin ÷ portal | "
                  "session+user / frame p50 | admin ÷ session+user | target |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for r in part["rows"]:
            ok = r["portal_p95"] <= 0.1 and (r["ratio"] is None or r["ratio"] >= 10)
            ratio = f"{r['ratio']:.1f}×" if r["ratio"] else "—"
            admin = f"{ms(r['admin_p50'])} / {ms(r['admin_p95'])}" if r["admin_p50"] else "— (no admin)"
            # Runs before the floors were measured beside each row have none.
            floors = (f"{fine_ms(r['floor_p50'])} / {fine_ms(r['frame_p50'])}"
                      if r.get("floor_p50") else "—")
            room = f"{r['room']:.1f}×" if r.get("room") else "—"
            lines.append(f"| {r['list']} | {r['variant']} | {BEFORE.get(r['list'] + ': ' + r['variant'], '')} | "
                         f"{ms(r['portal_p50'])} / {ms(r['portal_p95'])} | {admin} | {ratio} | "
                         f"{floors} | {room} | {met(ok)} |")
        lines += ["", "\"session+user\" is the view that loads the session and the user and "
                  "nothing else, \"frame\" the portal's base template alone, both as the same "
                  "staff user, measured beside each row. Where the admin takes less than ten "
                  "times the session+user floor, no logged-in page can be ten times faster than "
                  "it.", ""]
    if "members" in results:
        part = results["members"]
        lines += [f"**Member pages**, requests per second at a concurrency of {part['concurrency']}, "
                  f"{part['seconds']:.0f} s a page, {part['rounds']} interleaved rounds (load {part['load']}; "
                  "target: ≥ 40 % of the session+user floor)", "",
                  "| page | before | req/s (rounds) | of the session+user floor | errors | target |",
                  "|---|---|---|---|---|---|"]
        for r in part["rows"]:
            target = None if "view" in r["page"] else (r["of_floor"] or 0) >= 0.4
            lines.append(f"| {r['page']} | {BEFORE.get(r['page'], '')} | {r['rps']:,.0f} "
                         f"({', '.join(map(str, r['rounds']))}) | {r['of_floor']:.0%} | {r['errors']} | {met(target)} |")
        lines.append("")
    if "dashboards" in results:
        part = results["dashboards"]
        lines += [f"**Dashboards**, {part['n']} interleaved requests each, uncached = the cache emptied "
                  f"before each (load {part['load']}; target: uncached p95 ≤ 100 ms)", "",
                  "| page | before | uncached p50 / p95 | cached p50 / p95 | target |", "|---|---|---|---|---|"]
        for r in part["rows"]:
            before = BEFORE.get(r["page"] + ", uncached", "")
            lines.append(f"| {r['page']} | {before} | {ms(r['uncached_p50'])} / {ms(r['uncached_p95'])} | "
                         f"{ms(r['cached_p50'])} / {ms(r['cached_p95'])} | {met(r['uncached_p95'] <= 0.1)} |")
        lines.append("")
    if "sweep" in results:
        part = results["sweep"]
        lines += [f"**Must-visit sweep**, all councils and rules, in-process (load {part['load']}; "
                  "target: cold < 60 s, warm < 5 s, queries constant per rule)", "",
                  "| sweep | before | wall | reminders | queries (rules) | target |", "|---|---|---|---|---|---|"]
        for r in part["rows"]:
            limit = 60 if "cold" in r["what"] else 5
            lines.append(f"| {r['what']} | {BEFORE.get(r['what'], '')} | {r['wall']:.1f} s | {r['created']:,} | "
                         f"{r['queries']} ({r['rules']}) | {met(r['wall'] < limit)} |")
        lines.append("")
    if "exports" in results:
        part = results["exports"]
        lines += [f"**Exports** of the whole province as its staff, server restarted before each "
                  f"(load {part['load']}; target: first byte < 1 s, 1M constituents < 60 s, peak RSS < 300 MB)", "",
                  "| export | format | before | first byte | total | size | worker peak RSS | target |",
                  "|---|---|---|---|---|---|---|---|"]
        for r in part["rows"]:
            before = BEFORE.get("export " + r["export"], "")
            if "error" in r:
                lines.append(f"| {r['export']} | {r['format']} | {before} | {r['error']} | | | "
                             f"{r['rss_mb']:.0f} MB | ✗ |")
                continue
            ok = r["first_byte"] < 1 and r["rss_mb"] < 300 and (r["export"] != "constituents" or r["total"] < 60)
            lines.append(f"| {r['export']} | {r['format']} | {before} | {ms(r['first_byte'])} | {ms(r['total'])} | "
                         f"{r['bytes'] / 1e6:,.0f} MB | {r['rss_mb']:.0f} MB | {met(ok and r['status'] == 200)} |")
        lines.append("")
    if "report" in results:
        part = results["report"]
        lines += [f"**Period report**, the province, the last year (load {part['load']}; target < 5 s)", "",
                  "| report | before | p50 | max | target |", "|---|---|---|---|---|"]
        for r in part["rows"]:
            lines.append(f"| {r['what']} | {BEFORE['report province'] if 'page' in r['what'] else ''} | "
                         f"{ms(r['p50'])} | {ms(r['max'])} | {met(r['max'] < 5)} |")
        lines.append("")
    if "load" in results and results["load"].get("pages"):
        part = results["load"]
        lines += [f"**Load run**: {part['users']} users (80 members, 15 staff, 5 leaders), "
                  f"{part['minutes']:.0f} min, think time 1–3 s, locust (load {part['load']}; target: "
                  "0 errors, p95 ≤ 300 ms member pages, ≤ 500 ms staff and leader pages). Before: "
                  f"{BEFORE['load']}.", "",
                  "| page | requests | errors | p50 | p95 | p99 | req/s | target |", "|---|---|---|---|---|---|---|---|"]
        for r in part["pages"]:
            limit = 0.3 if r["name"].startswith("member") else 0.5
            ok = None if r["name"] == "Aggregated" else (r["failures"] == 0 and r["p95"] <= limit)
            lines.append(f"| {r['name']} | {r['requests']:,} | {r['failures']} | {ms(r['p50'])} | {ms(r['p95'])} | "
                         f"{ms(r['p99'])} | {r['rps']:.1f} | {met(ok)} |")
        lines.append("")
    if "rollups" in results:
        part = results["rollups"]
        lines += [f"**Rollup rebuilds** (load {part['load']})", "",
                  "| command | variant | before | wall |", "|---|---|---|---|"]
        for r in part["rows"]:
            before = BEFORE["rollups_rebuild"] if r["command"] == "rollups_rebuild" and r["variant"] == "full" else ""
            lines.append(f"| `manage.py {r['command']} {' '.join(r['args'])}` | {r['variant']} | {before} | {r['wall']:.1f} s |")
        lines.append("")
    return "\n".join(lines)


def write_readme(results: dict) -> None:
    text = README.read_text()
    begin, end = "<!-- province:begin -->", "<!-- province:end -->"
    block = f"{begin}\n{tables(results)}\n{end}"
    if begin in text and end in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    README.write_text(text)
    say(f"tables written to {README.relative_to(ROOT)}")


# --- Main ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated, of {','.join(PARTS)}")
    parser.add_argument("--requests", type=int, default=20, help="requests per row (lists, dashboards)")
    parser.add_argument("--seconds", type=float, default=10, help="seconds per member-page run")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds of member pages")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--deep-page", type=int, default=DEEP_PAGE,
                        help="the lists' deep page (the admin's holding the same rows must exist)")
    parser.add_argument("--users", type=int, default=100, help="users of the load run")
    parser.add_argument("--minutes", type=float, default=2, help="length of the load run")
    parser.add_argument("--export-timeout", type=float, default=900, help="seconds per export")
    parser.add_argument("--fresh-copy", action="store_true", help="measure a new migrated copy")
    parser.add_argument("--no-readme", action="store_true", help="do not write bench/README.md")
    parser.add_argument("--strict", action="store_true",
                        help="exit with an error if any page or export did not answer 200")
    args = parser.parse_args()
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        sys.exit(f"unknown parts: {', '.join(sorted(unknown))}")

    started = time.perf_counter()
    database_url = database_to_measure(args.fresh_copy)
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()
    from django.conf import settings

    w = world()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(name="bench").delete()  # the devices of earlier runs' logins
    # A snapshot (git archive) of the code has no .git: its COMMIT file names the commit.
    commit = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%h"],
                            capture_output=True, text=True).stdout.strip()
    if not commit and (ROOT / "COMMIT").exists():
        commit = (ROOT / "COMMIT").read_text().strip()[:7]
    results: dict = {"database": settings.DATABASES["default"]["NAME"], "commit": commit,
                     "when": time.strftime("%Y-%m-%d %H:%M"), "load_before": loadavg()}
    say(f"measuring {results['database']} at {commit} ({len(w['members'])} member users); "
        f"load {loadavg()}")
    server = Server(database_url)
    server.start()
    try:
        for part in parts:
            say(f"\n== {part} == (load {loadavg()})")
            load0 = loadavg()
            t0 = time.perf_counter()
            if part == "lists":
                data = {"rows": part_lists(server, w, args.requests, args.deep_page), "n": args.requests}
            elif part == "members":
                data = {"rows": part_members(server, w, args.seconds, args.concurrency, args.rounds),
                        "seconds": args.seconds, "concurrency": args.concurrency, "rounds": args.rounds}
            elif part == "dashboards":
                data = {"rows": part_dashboards(server, w, args.requests), "n": args.requests}
            elif part == "report":
                data = {"rows": part_report(server, w, 3)}
            elif part == "exports":
                data = {"rows": part_exports(server, w, args.export_timeout)}
            elif part == "sweep":
                data = {"rows": part_sweep(w)}
            elif part == "rollups":
                data = {"rows": part_rollups()}
            elif part == "load":
                data = part_load(server, w, args.users, args.minutes)
            data["load"] = f"{load0} → {loadavg()}"
            results[part] = data
            say(f"   ({part}: {time.perf_counter() - t0:.0f} s, load {load0} → {loadavg()})")
    finally:
        server.stop()
    results["load_after"] = loadavg()
    results["minutes"] = (time.perf_counter() - started) / 60
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"province-{time.strftime('%Y%m%d-%H%M')}.json").write_text(
        json.dumps(results, indent=1, default=str, ensure_ascii=False))
    say(f"\ndone in {results['minutes']:.0f} min (load {results['load_before']} → {results['load_after']})")
    if not args.no_readme:
        write_readme(results)
    if args.strict and PROBLEMS:
        sys.exit("problems during the run:\n  " + "\n  ".join(PROBLEMS))


if __name__ == "__main__":
    main()

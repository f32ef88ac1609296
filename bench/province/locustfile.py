"""The load run of the province benchmark: 100 users — 80 members, 15 staff, 5 leaders —
each looping over the pages of their role with a short think time.

Run by ``bench/province/measure.py --parts load`` (which logs the users in beforehand and
passes their session cookies in ``BENCH_SESSIONS``, a JSON file {role: [cookie header, …]},
so that 100 password hashes do not weigh on the measured minutes). By hand:

    bench/.venv/bin/locust -f bench/province/locustfile.py --headless -u 100 -r 20 -t 2m \\
        --host http://127.0.0.1:8765 --csv var/bench-load

Each request is named by its role and page ("member: roster"): locust's statistics are per
page type.
"""

import itertools
import json
import os
from pathlib import Path

from locust import FastHttpUser, between

SESSIONS = (json.loads(Path(os.environ["BENCH_SESSIONS"]).read_text())
            if os.environ.get("BENCH_SESSIONS") else {})
_next = {role: itertools.cycle(cookies) for role, cookies in SESSIONS.items() if cookies}


class PortalUser(FastHttpUser):
    abstract = True
    role = ""
    wait_time = between(1, 3)
    pages: list[tuple[str, str]] = []

    def on_start(self):
        self.cookie = next(_next[self.role])

    def get(self, name, path):
        with self.client.get(path, name=f"{self.role}: {name}", headers={"Cookie": self.cookie},
                             allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")


def _tasks(pages):
    def make(name, path):
        return lambda self: self.get(name, path)
    return [make(name, path) for name, path in pages]


class MemberUser(PortalUser):
    fixed_count = 80
    role = "member"
    tasks = _tasks([
        ("home", "/members/me/"),
        ("roster", "/members/me/constituents/"),
        ("log-contact form", "/activities/contacts/new/"),
        ("my contacts", "/activities/contacts/mine/"),
        ("my reminders", "/activities/reminders/"),
    ])


class StaffUser(PortalUser):
    fixed_count = 15
    role = "staff"
    tasks = _tasks([
        ("overview", "/members/staff/"),
        ("constituents", "/members/staff/constituents/"),
        ("contact logs", "/activities/contacts/all/"),
        ("members", "/members/staff/members/"),
        ("reminders", "/activities/reminders/"),
        ("proposals", "/proposals/staff/register/"),
        ("dashboard", "/dashboard/"),
    ])


class LeaderUser(PortalUser):
    fixed_count = 5
    role = "leader"
    tasks = _tasks([
        ("dashboard", "/dashboard/"),
        ("overview", "/members/staff/"),
        ("constituents", "/members/staff/constituents/"),
        ("proposals", "/proposals/staff/register/"),
    ])


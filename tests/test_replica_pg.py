"""The read replica against a real one: `.ci/run` starts a streaming replica of its PostgreSQL
on 127.0.0.1:5433 (`.ci/replica start`, pg_basebackup -R) and runs these with
DATABASE_REPLICA_URL pointing at it. Which pages read it, the pages after a write, a replica
that falls behind (its replay paused), and one that goes away."""

import logging
import os
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Channel, ContactLog
from members.common import replica
from tests.factories import ConstituentFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.replica,
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def streaming_replica(settings):
    if "replica" not in settings.DATABASES:
        pytest.fail("These tests need DATABASE_REPLICA_URL: a streaming replica (.ci/replica start)")
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (True,), "DATABASE_REPLICA_URL is not a standby"
    settings.DASHBOARD_CACHE_SECONDS = 0
    settings.REPLICA_MAX_LAG_SECONDS = 30
    settings.REPLICA_CHECK_SECONDS = 0  # measured at every read: the tests change the replica
    replica.forget_verdict()
    yield
    replica.forget_verdict()


def on_replica(sql: str):
    with connections["replica"].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()


@pytest.fixture
def pause_replay(streaming_replica):
    """``pause_replay()``: once the replica has replayed what is there, it receives the
    primary's WAL but replays none of it: it falls behind (until the test ends)."""
    paused = []

    def pause():
        wait_for_replay()
        on_replica("SELECT pg_wal_replay_pause()")
        paused.append(True)

    yield pause
    if paused:
        on_replica("SELECT pg_wal_replay_resume()")
        wait_for_replay()


def wait_for_replay(seconds: float = 60) -> None:
    """Until the replica has replayed everything the primary wrote so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (lsn,) = cursor.fetchone()
    deadline = time.monotonic() + seconds
    while not on_replica(f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn")[0]:
        assert time.monotonic() < deadline, "the replica does not catch up"
        time.sleep(0.05)


class Reads:
    """The queries each database ran (the replica's lag checks apart)."""

    def __enter__(self):
        self.contexts = {alias: CaptureQueriesContext(connections[alias]) for alias in ("default", "replica")}
        for context in self.contexts.values():
            context.__enter__()
        return self

    def __exit__(self, *exc):
        for context in self.contexts.values():
            context.__exit__(*exc)

    def on(self, alias: str) -> list[str]:
        return [q["sql"] for q in self.contexts[alias].captured_queries
                if replica.LAG_SQL.strip() not in q["sql"]]


def unpinned(client):
    """The client as a browser that wrote nothing lately (logging in posts a code)."""
    client.cookies.pop(replica.PIN_COOKIE, None)
    return client


LAG_TOLERANT_PAGES = ["liaison:dashboard", "liaison:report", "members:constituent-list",
                      "members:member-list", "activities:contactlog-list", "proposals:register"]


def test_dashboards_reports_lists_and_exports_read_the_replica(streaming_replica, client_for,
                                                                staff, member_a):
    ConstituentFactory(member=member_a, name="复制群众")
    wait_for_replay()
    client = unpinned(client_for(staff))
    for name in LAG_TOLERANT_PAGES:
        with Reads() as reads:
            response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert reads.on("replica"), f"{name} read nothing from the replica"
        # The primary serves the session, the login and its second factor, nothing of the page.
        assert not [q for q in reads.on("default") if "members_constituent" in q or "members_sector" in q], name
    with Reads() as reads:
        export = client.get(reverse("members:constituent-export"), {"format": "csv"})
        rows = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "复制群众" in rows
    assert any("members_constituent" in q for q in reads.on("replica"))
    assert not any("members_constituent" in q for q in reads.on("default"))
    # The audit entry of the export is a write: on the primary.
    assert any("INSERT" in q and "audit" in q for q in reads.on("default"))


def test_pages_where_users_act_read_the_primary(streaming_replica, client_for, member_a):
    client = client_for(member_a)
    with Reads() as reads:
        assert client.get(reverse("members:my-constituents")).status_code == 200
        assert client.get(reverse("activities:contactlog-create")).status_code == 200
    assert reads.on("replica") == []


def test_the_pages_after_a_write_read_the_primary(pause_replay, client_for, member_a):
    """A member logs a contact; their duty record right after counts it, though the replica
    has not replayed it. Another browser (no pin) reads the replica: not yet there."""
    person = ConstituentFactory(member=member_a)
    client = client_for(member_a)
    pause_replay()
    response = client.post(reverse("activities:contactlog-create"), {
        "constituents": [person.pk], "channel": Channel.RESEARCH,
        "contacted_at": time.strftime("%Y-%m-%dT%H:%M"), "mode": ContactLog.Mode.VISIT,
        "summary": "走访了解用工情况",
    })
    assert response.status_code == 302, response.content.decode()
    assert replica.PIN_COOKIE in response.cookies
    record = reverse("liaison:duty-record", args=[member_a.pk])
    with Reads() as reads:
        pinned = client.get(record)
    assert pinned.context["record"]["contacts_total"] == 1
    assert reads.on("replica") == []

    with Reads() as reads:
        other = unpinned(client).get(record)
    assert other.context["record"]["contacts_total"] == 0  # the replica, paused before the write
    assert reads.on("replica")


def test_a_replica_behind_by_more_than_the_limit_is_left_for_the_primary(
    pause_replay, settings, client_for, staff, member_a, caplog
):
    client = unpinned(client_for(staff))
    ConstituentFactory(member=member_a, name="在册群众")
    pause_replay()
    ConstituentFactory(member=member_a, name="落后群众")
    url = reverse("members:constituent-list")
    page = client.get(url).content.decode()  # from the paused replica
    assert "在册群众" in page
    assert "落后群众" not in page

    settings.REPLICA_MAX_LAG_SECONDS = 1
    deadline = time.monotonic() + 30
    while True:
        _in_recovery, caught_up, lag = replica.measure_lag()
        if not caught_up and lag is not None and float(lag) > 1.5:
            break
        assert time.monotonic() < deadline, "the paused replica does not fall behind"
        time.sleep(0.2)
    with caplog.at_level(logging.WARNING, logger="members.common.replica"), Reads() as reads:
        page = client.get(url)
    assert page.status_code == 200
    assert "落后群众" in page.content.decode()
    assert reads.on("replica") == []
    assert "over the limit of 1 s" in caplog.text


def replica_server(command: str) -> None:
    subprocess.run(["bash", str(ROOT / ".ci" / "replica"), command], check=True, timeout=120)


@pytest.fixture
def lost_replica(streaming_replica, settings):
    """The replica's server stops at once (as if its machine went away); back afterwards."""
    settings.REPLICA_CHECK_SECONDS = 60  # the process believes it healthy when it goes
    settings.REPLICA_RETRY_SECONDS = 60
    wait_for_replay()
    yield lambda: replica_server("halt")
    replica.forget_verdict()
    connections["replica"].close()
    replica_server("start")


def test_a_lost_replica_costs_no_page(lost_replica, client_for, staff, member_a, caplog):
    ConstituentFactory(member=member_a, name="失联群众")
    wait_for_replay()
    client = unpinned(client_for(staff))
    with Reads() as reads:
        assert client.get(reverse("liaison:dashboard")).status_code == 200
    assert reads.on("replica")

    lost_replica()
    with caplog.at_level(logging.WARNING, logger="members.common.replica"):
        # Believed healthy: the page fails on the replica and is made again from the primary.
        assert client.get(reverse("liaison:dashboard")).status_code == 200
        assert "failed under /dashboard/" in caplog.text
        for name in LAG_TOLERANT_PAGES:
            assert client.get(reverse(name)).status_code == 200, name
        page = client.get(reverse("members:constituent-list"))
        assert "失联群众" in page.content.decode()
        export = client.get(reverse("members:constituent-export"), {"format": "csv"})
        assert "失联群众" in b"".join(export.streaming_content).decode("utf-8-sig")

        # A process that has not met it yet: the connection is refused, the primary reads.
        replica.forget_verdict()
        caplog.clear()
        started = time.monotonic()
        assert client.get(reverse("members:member-list")).status_code == 200
        assert time.monotonic() - started < 10
        assert "unreachable" in caplog.text


def test_the_replica_is_the_standby_named_by_the_url(streaming_replica):
    settings_dict = connections["replica"].settings_dict
    assert str(settings_dict["PORT"]) in os.environ["DATABASE_REPLICA_URL"]
    assert settings_dict["NAME"] == connections["default"].settings_dict["NAME"]  # test mirror
    assert on_replica("SELECT pg_is_in_recovery()") == (True,)

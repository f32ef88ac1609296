"""The read replica's decisions, without a replica (SQLite): which reads may go there, the
pin after a write, the lag and reachability verdict and how long it is kept, and that pages
answer from the primary when the replica is not fit. tests/test_replica_pg.py runs the same
against a real streaming replica."""

import json
import logging

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import OperationalError, router, transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.template import engines
from django.template.response import TemplateResponse
from django.test import RequestFactory
from django.urls import resolve, reverse

from liaison import views_dashboard
from liaison.dashboard.scope import Params, Scope
from members.common import replica
from members.models import Council, Member
from tests.test_production import PHONE_KEY, _settings_in_subprocess

ROUTER = "members.common.replica.ReplicaRouter"
MIDDLEWARE = "members.common.replica.PinAfterWriteMiddleware"


class FakeReplica:
    """What the replica answers to the lag query (``replica.measure_lag``), and how often
    it was asked; ``error`` set: it cannot be reached."""

    def __init__(self):
        self.answer = (True, True, 0.0)  # in recovery, nothing to replay, seconds behind
        self.error = None
        self.asked = 0

    def __call__(self):
        self.asked += 1
        if self.error is not None:
            raise self.error
        return self.answer


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def fake_replica(settings, monkeypatch):
    """The router installed as with DATABASE_REPLICA_URL, over a replica that is not there:
    its lag query answered by a ``FakeReplica``, its verdicts timed by a ``Clock``."""
    settings.DATABASE_ROUTERS = [ROUTER]
    settings.REPLICA_MAX_LAG_SECONDS = 30
    settings.REPLICA_CHECK_SECONDS = 5
    settings.REPLICA_RETRY_SECONDS = 30
    settings.REPLICA_PIN_SECONDS = 10
    fake = FakeReplica()
    fake.clock = Clock()
    monkeypatch.setattr(replica, "configured", lambda: True)
    monkeypatch.setattr(replica, "measure_lag", fake)
    monkeypatch.setattr(replica, "_monotonic", fake.clock)
    replica.forget_verdict()
    yield fake
    replica.forget_verdict()


def read_db() -> str:
    """Where a read of the portal's tables would go now (the router decides; no query runs)."""
    return Council.objects.all().db


def test_reads_go_to_the_replica_only_inside_a_lag_tolerant_scope(db, fake_replica):
    assert read_db() == "default"
    with replica.lag_tolerant():
        assert read_db() == "replica"
        assert Member.objects.filter(name="x").db == "replica"
    assert read_db() == "default"


def test_writes_and_reads_inside_a_transaction_go_to_the_primary(db, fake_replica):
    council = Council(name="新兴区政协")
    council._state.db = "replica"  # as if read from the replica, then saved
    with replica.lag_tolerant():
        assert router.db_for_write(Council, instance=council) == "default"
        with transaction.atomic():  # a service: its reads (select_for_update too) see its writes
            assert read_db() == "default"
            assert Council.objects.select_for_update().db == "default"
        assert read_db() == "replica"


def test_migrations_only_on_the_primary():
    assert replica.ReplicaRouter().allow_migrate("default", "members") is True
    assert replica.ReplicaRouter().allow_migrate("replica", "members") is False


def test_no_replica_configured_no_router_and_no_pin(db, client_for, staff):
    """The laptop and `make test`: nothing of the replica is installed."""
    from django.conf import settings

    assert "replica" not in settings.DATABASES
    assert settings.DATABASE_ROUTERS == []
    assert MIDDLEWARE not in settings.MIDDLEWARE
    with replica.lag_tolerant():
        assert read_db() == "default"
    response = client_for(staff).post(reverse("set_language"), {"language": "zh-hans"})
    assert replica.PIN_COOKIE not in response.cookies


# --- the verdict -----------------------------------------------------------------------------


def test_a_replica_behind_by_more_than_the_limit_is_left(db, fake_replica, caplog):
    fake_replica.answer = (True, False, 31.5)
    with caplog.at_level(logging.WARNING, logger="members.common.replica"), replica.lag_tolerant():
        assert read_db() == "default"
    assert "31.5 s behind, over the limit of 30 s" in caplog.text


def test_a_replica_behind_within_the_limit_is_read(db, fake_replica):
    fake_replica.answer = (True, False, 29.0)
    with replica.lag_tolerant():
        assert read_db() == "replica"


def test_no_wal_left_to_replay_is_no_lag(db, fake_replica):
    """An idle primary sends no transactions: the last one replayed grows old, yet the
    replica is current (the query says "nothing left to replay")."""
    fake_replica.answer = (True, True, 3600.0)
    with replica.lag_tolerant():
        assert read_db() == "replica"


def test_a_server_that_is_not_a_standby_is_not_read(db, fake_replica, caplog):
    fake_replica.answer = (False, None, None)
    with caplog.at_level(logging.WARNING, logger="members.common.replica"), replica.lag_tolerant():
        assert read_db() == "default"
    assert "not a standby" in caplog.text


def test_an_unreachable_replica_is_left_and_logged_once(db, fake_replica, caplog):
    fake_replica.error = OperationalError("connection refused")
    with caplog.at_level(logging.WARNING, logger="members.common.replica"), replica.lag_tolerant():
        for _ in range(3):
            assert read_db() == "default"
        fake_replica.clock.now += 31  # past REPLICA_RETRY_SECONDS: tried again, still down
        assert read_db() == "default"
    assert fake_replica.asked == 2
    fallbacks = [r for r in caplog.records if "reads go to the primary" in r.getMessage()]
    assert len(fallbacks) == 1, caplog.text
    assert "unreachable (OperationalError: connection refused)" in fallbacks[0].getMessage()


def test_the_verdict_is_kept_per_process_for_the_check_interval(db, fake_replica, caplog):
    with replica.lag_tolerant():
        for _ in range(5):
            assert read_db() == "replica"
        assert fake_replica.asked == 1
        fake_replica.answer = (True, False, 45.0)  # falls behind…
        fake_replica.clock.now += 4.9
        assert read_db() == "replica"  # …not measured yet
        fake_replica.clock.now += 0.2
        with caplog.at_level(logging.WARNING, logger="members.common.replica"):
            assert read_db() == "default"
        assert fake_replica.asked == 2
        fake_replica.answer = (True, True, 0.0)  # caught up
        fake_replica.clock.now += 5.1
        with caplog.at_level(logging.WARNING, logger="members.common.replica"):
            assert read_db() == "replica"
    assert "Read replica back in use" in caplog.text


def test_an_unreachable_replica_is_retried_later_than_a_lagging_one(db, fake_replica):
    fake_replica.error = OperationalError("timeout expired")
    with replica.lag_tolerant():
        assert read_db() == "default"
        fake_replica.error = None
        fake_replica.clock.now += 29
        assert read_db() == "default"
        fake_replica.clock.now += 2
        assert read_db() == "replica"
    assert fake_replica.asked == 2


def test_no_replica_read_measures_nothing(db, fake_replica):
    """Outside a scope or inside a transaction, the replica is not even asked."""
    read_db()
    with replica.lag_tolerant(), transaction.atomic():
        read_db()
    assert fake_replica.asked == 0


# --- views -----------------------------------------------------------------------------------


@replica.lag_tolerant_view
def _where_it_reads(request):
    return HttpResponse(read_db())


def _get(path="/", **cookies):
    request = RequestFactory().get(path)
    request.COOKIES.update(cookies)
    return request


def test_a_lag_tolerant_view_reads_the_replica_on_get_only(db, fake_replica):
    assert _where_it_reads(_get()).content == b"replica"
    assert _where_it_reads(RequestFactory().head("/")).content == b"replica"
    assert _where_it_reads(RequestFactory().post("/")).content == b"default"


def test_a_browser_that_wrote_reads_the_primary_until_its_pin_ends(db, fake_replica, settings,
                                                                     client_for, staff):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]
    client = client_for(staff)
    assert replica.PIN_COOKIE not in client.get(reverse("home")).cookies  # a read pins nothing
    response = client.post(reverse("set_language"), {"language": "zh-hans"})  # any write
    pin = response.cookies[replica.PIN_COOKIE]
    assert pin["max-age"] == 10
    assert pin["httponly"]
    assert pin["samesite"] == "Lax"
    until = float(pin.value)

    assert _where_it_reads(_get(**{replica.PIN_COOKIE: pin.value})).content == b"default"
    # The pin ends with its time, whether or not the browser dropped the cookie.
    assert _where_it_reads(_get(**{replica.PIN_COOKIE: f"{until - 10.001:.3f}"})).content == b"replica"
    assert _where_it_reads(_get(**{replica.PIN_COOKIE: "not-a-time"})).content == b"replica"


def test_a_template_response_renders_in_the_scope(db, fake_replica):
    template = engines["django"].from_string("{{ where }}")

    @replica.lag_tolerant_view
    def view(request):
        return TemplateResponse(request, template, {"where": read_db})

    request = _get()
    request.user = AnonymousUser()
    assert view(request).content == b"replica"


def test_a_streamed_file_reads_the_replica_after_the_view_returned(db, fake_replica):
    @replica.lag_tolerant_view
    def view(request):
        return StreamingHttpResponse(read_db() for _ in range(2))

    response = view(_get())
    assert read_db() == "default"  # the view has returned: outside its scope
    assert b"".join(response.streaming_content) == b"replicareplica"


def test_a_lag_tolerant_view_that_fails_on_the_primary_is_not_retried(db, fake_replica):
    calls = []

    @replica.lag_tolerant_view
    def view(request):
        calls.append(read_db())
        raise OperationalError("the primary is down")

    with pytest.raises(OperationalError):
        view(_get())
    assert calls == ["replica"]


def test_a_page_the_replica_fails_under_is_made_again_from_the_primary(db, fake_replica,
                                                                      monkeypatch, caplog):
    calls = []

    @replica.lag_tolerant_view
    def view(request):
        calls.append(read_db())
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return HttpResponse(read_db())

    monkeypatch.setattr(replica, "_replica_failed", lambda: True)  # the replica's connection broke
    with caplog.at_level(logging.WARNING, logger="members.common.replica"):
        response = view(_get("/dashboard/"))
    assert response.content == b"default"
    assert calls == ["replica", "default"]
    assert "failed under /dashboard/ (OperationalError: server closed" in caplog.text
    with replica.lag_tolerant():
        assert read_db() == "default"  # left alone for REPLICA_RETRY_SECONDS…
        fake_replica.clock.now += 31
        assert read_db() == "replica"  # …then measured again


def test_a_download_the_replica_fails_under_stops_and_the_next_reads_the_primary(
    db, fake_replica, monkeypatch
):
    def rows():
        yield read_db()
        raise OperationalError("server closed the connection unexpectedly")

    @replica.lag_tolerant_view
    def view(request):
        return StreamingHttpResponse(rows())

    monkeypatch.setattr(replica, "_replica_failed", lambda: True)
    chunks = iter(view(_get()).streaming_content)
    assert next(chunks) == b"replica"
    with pytest.raises(OperationalError):
        next(chunks)
    assert _where_it_reads(_get()).content == b"default"


LAG_TOLERANT = [
    ("liaison:dashboard", []), ("liaison:report", []), ("liaison:points", []),
    ("liaison:duty-record", [1]), ("members:staff-home", []), ("members:member-list", []),
    ("members:member-export", []), ("members:constituent-list", []),
    ("members:constituent-export", []), ("members:platform-list", []), ("members:coverage", []),
    ("proposals:register", []), ("proposals:register-export", []), ("proposals:filed-list", []),
    ("activities:contactlog-list", []), ("activities:contactlog-export", []),
    ("activities:activity-list", []), ("activities:activity-export", []),
    ("activities:activity-calendar", []), ("activities:consultation-list", []),
    ("activities:consultation-export", []), ("activities:problem-list", []),
    ("activities:compliance", []),
]
# Pages where a user acts, or that show what they just did: the primary, always.
PRIMARY_ONLY = [
    ("home", []), ("inbox", []), ("members:member-home", []), ("members:my-constituents", []),
    ("members:constituent-detail", [1]), ("members:member-detail", [1]),
    ("members:constituent-create", []), ("members:constituent-lookup", []),
    ("members:audit-list", []), ("members:security-home", []), ("proposals:my-list", []),
    ("proposals:staff-queues", []), ("proposals:unit-list", []), ("proposals:proposal-detail", [1]),
    ("proposals:proposal-create", []), ("activities:contactlog-create", []),
    ("activities:my-contactlogs", []), ("activities:reminder-list", []),
    ("activities:problem-board", []), ("activities:rule-list", []), ("activities:tag-list", []),
]


@pytest.mark.parametrize(("name", "args"), LAG_TOLERANT)
def test_dashboards_reports_exports_and_lists_may_read_the_replica(name, args):
    assert getattr(resolve(reverse(name, args=args)).func, "lag_tolerant", False), name


@pytest.mark.parametrize(("name", "args"), PRIMARY_ONLY)
def test_pages_where_users_act_read_the_primary(name, args):
    assert not getattr(resolve(reverse(name, args=args)).func, "lag_tolerant", False), name


# --- real pages with a replica that is not fit --------------------------------------------


@pytest.mark.parametrize("answer", ["unreachable", "behind"])
def test_pages_answer_from_the_primary_when_the_replica_is_not_fit(
    db, fake_replica, client_for, staff, member_a, answer, caplog
):
    if answer == "unreachable":
        fake_replica.error = OperationalError("could not connect to server: Connection refused")
    else:
        fake_replica.answer = (True, False, 120.0)
    client = client_for(staff)
    client.cookies.pop(replica.PIN_COOKIE, None)
    with caplog.at_level(logging.WARNING, logger="members.common.replica"):
        for name in ("liaison:dashboard", "members:member-list", "activities:contactlog-list",
                     "proposals:register", "liaison:report"):
            response = client.get(reverse(name))
            assert response.status_code == 200, name
        export = client.get(reverse("members:member-export"))
        assert export.status_code == 200
        b"".join(export.streaming_content)
    assert fake_replica.asked == 1  # once for all these pages: the verdict is kept
    assert "reads go to the primary" in caplog.text
    assert member_a.name in client.get(reverse("members:member-list")).content.decode()


def test_dashboard_figures_from_the_replica_are_cached_apart_and_briefly(
    db, fake_replica, settings, staff, monkeypatch
):
    """A write bumps its council's figures version; a replica that has not replayed it yet
    may be read under the new version. Its figures must not be what the writer (pinned to
    the primary) is served, nor stay longer than the replica may lag."""
    settings.DASHBOARD_CACHE_SECONDS = 120
    settings.REPLICA_MAX_LAG_SECONDS = 20
    computed, kept = [], []
    monkeypatch.setattr(views_dashboard, "_computed", lambda *a: computed.append(read_db()) or {"from": read_db()})
    real_set = views_dashboard._cache_set
    monkeypatch.setattr(views_dashboard, "_cache_set",
                        lambda key, data, seconds: kept.append(seconds) or real_set(key, data, seconds))
    scope, params = Scope(user=staff, council_id=None), Params()

    def figures():
        return views_dashboard.cached_dashboard_data(scope, params, staff.council_id, False,
                                                     [staff.council_id])

    with replica.lag_tolerant():
        assert figures() == {"from": "replica"}
        assert figures() == {"from": "replica"}  # cached
    assert figures() == {"from": "default"}  # the primary's own entry
    assert computed == ["replica", "default"]
    assert kept == [20, 120]


# --- settings ---------------------------------------------------------------------------


def test_settings_add_the_replica_as_a_test_mirror_with_the_primary_options():
    expression = ("__import__('json').dumps([settings.DATABASES['replica'], settings.DATABASE_ROUTERS,"
                  " settings.MIDDLEWARE[:2], settings.DATABASES['default']], default=str)")
    run = _settings_in_subprocess({
        "DEBUG": "true", "PHONE_KEY": PHONE_KEY,
        "DATABASE_URL": "postgres://portal@db1.example:5432/liaison",
        "DATABASE_REPLICA_URL": "postgres://portal@db2.example:5432/liaison",
    }, expression)
    assert run.returncode == 0, run.stderr
    database, routers, middleware, primary = json.loads(run.stdout)
    assert (database["HOST"], database["NAME"]) == ("db2.example", "liaison")
    assert database["TEST"]["MIRROR"] == "default"
    assert database["CONN_HEALTH_CHECKS"] is True
    assert "-c jit=off" in database["OPTIONS"]["options"]
    assert database["OPTIONS"]["options"] == primary["OPTIONS"]["options"]
    assert database["CONN_MAX_AGE"] == primary["CONN_MAX_AGE"]
    assert database["OPTIONS"]["connect_timeout"] == 2
    assert routers == [ROUTER]
    assert middleware == ["django.middleware.security.SecurityMiddleware", MIDDLEWARE]


def test_a_replica_of_sqlite_is_refused(tmp_path):
    # The primary named: the PostgreSQL runs of the suite export a PostgreSQL DATABASE_URL.
    run = _settings_in_subprocess({
        "DEBUG": "true", "PHONE_KEY": PHONE_KEY,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "DATABASE_REPLICA_URL": "postgres://portal@db2.example:5432/liaison",
    }, "settings.DATABASES")
    assert run.returncode != 0
    assert "DATABASE_REPLICA_URL is a PostgreSQL streaming replica" in run.stderr

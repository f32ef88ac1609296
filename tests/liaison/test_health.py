"""/health/ reports the database, cache, broker and file storage; details only to superusers."""

import pytest

from liaison.celery import app as celery_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5},
        }
    }


@pytest.fixture
def broker_down(monkeypatch):
    previous = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    # Celery reads CELERY_BROKER_URL from the environment before its configuration (the
    # PostgreSQL + Redis pass of .ci/run sets it): both must name the dead broker.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:9/0")
    celery_app.conf.broker_url = "redis://127.0.0.1:9/0"
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = previous


def test_healthy_says_ok_to_anyone(anonymous):
    response = anonymous.get("/health/")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_superusers_see_each_check(admin_client):
    response = admin_client.get("/health/?format=json")
    assert response.status_code == 200
    assert set(response.json()) == {"Database(alias='default')", "Cache(alias='default')",
                                    "Broker()", "Storage(alias='default')"}


def test_a_cache_outage_is_reported_without_details_to_anonymous(anonymous, cache_down):
    response = anonymous.get("/health/")
    assert response.status_code == 503
    assert response.content == b"unavailable\n"  # no host, port or error text


def test_a_cache_outage_is_named_to_superusers(admin_client, cache_down):
    report = admin_client.get("/health/?format=json").json()
    assert report["Cache(alias='default')"] != "OK"
    assert report["Database(alias='default')"] == "OK"


def test_a_broker_outage_is_named_to_superusers(admin_client, broker_down):
    response = admin_client.get("/health/?format=json")
    assert response.status_code == 500
    assert "unreachable" in response.json()["Broker()"]


def test_staff_of_a_council_see_only_the_state(client_for, staff):
    assert client_for(staff).get("/health/").content == b"ok\n"

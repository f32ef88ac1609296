"""A cache outage costs speed, never a page: with Redis down the dashboard is computed and
served (the failure is logged), whichever Redis backend the cache is configured with."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from tests.liaison.test_dashboard import figures_of

URL = reverse("liaison:dashboard")
DOWN = "redis://127.0.0.1:1/0"  # nothing listens on port 1: every connection is refused at once

BACKENDS = {
    "django": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DOWN},
    "django-redis": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": DOWN,
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
    },
}


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_dashboard_is_served_while_the_cache_is_down(client_for, staff, world, settings,
                                                         backend):
    # Set here, after the autouse fixture has pointed the cache at this worker's database
    # and cleared it; the settings fixture restores the real cache afterwards.
    settings.CACHES = {"default": BACKENDS[backend]}
    settings.DASHBOARD_CACHE_SECONDS = 60
    response = client_for(staff).get(URL)
    assert response.status_code == 200
    figures = figures_of(response)
    assert figures["members-active"].value == 5
    assert figures["contacts-total"].value == 8


def test_a_cache_failure_is_logged_as_a_warning(client_for, staff, world, settings, caplog):
    settings.CACHES = {"default": BACKENDS["django"]}
    settings.DASHBOARD_CACHE_SECONDS = 60
    with caplog.at_level(logging.WARNING, logger="liaison.views_dashboard"):
        assert client_for(staff).get(URL).status_code == 200
    warnings = [r for r in caplog.records if r.name == "liaison.views_dashboard"]
    # The first read (the figures' versions) fails: the figures are computed and served
    # without trying the cache again (no entry read, none written).
    assert len(warnings) == 1
    assert all(r.levelno == logging.WARNING and r.exc_info for r in warnings)

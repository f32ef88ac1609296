"""What a new user sees on the laptop: `make run` on another port, commands without noise."""

import io
import logging
import subprocess
from pathlib import Path

from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def test_make_run_serves_on_the_port_asked_for():
    dry = subprocess.run(["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert "runserver 127.0.0.1:8123" in dry
    assert "demo --url http://127.0.0.1:8123" in dry  # the logins printed with that address
    default = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout
    assert "runserver 127.0.0.1:8000" in default


def test_checks_say_nothing_about_covering_indexes_on_sqlite():
    out, err = io.StringIO(), io.StringIO()
    call_command("check", stdout=out, stderr=err)
    if connection.vendor == "sqlite":
        assert "W040" not in out.getvalue() + err.getvalue()
    assert "no issues" in out.getvalue()


def test_commands_without_a_broker_print_no_kombu_warning(caplog):
    """Without CELERY_BROKER_URL the tasks run eagerly over the in-memory transport; kombu
    logged "No hostname was supplied. Reverting to default 'localhost'" for a URL without a
    host, on every `migrate`, `demo` and `remind` of `make run`."""
    from celery import current_app

    with caplog.at_level(logging.WARNING), current_app.connection_for_write() as connection:
        connection.info()
    assert "No hostname" not in caplog.text

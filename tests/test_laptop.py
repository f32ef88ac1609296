"""What a new user sees on the laptop: `make run` on another port, commands without noise."""

import io
import subprocess
from pathlib import Path

from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def test_make_run_serves_on_the_port_asked_for():
    dry = subprocess.run(["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert "runserver 127.0.0.1:8123" in dry
    default = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout
    assert "runserver 127.0.0.1:8000" in default


def test_checks_say_nothing_about_covering_indexes_on_sqlite():
    out, err = io.StringIO(), io.StringIO()
    call_command("check", stdout=out, stderr=err)
    if connection.vendor == "sqlite":
        assert "W040" not in out.getvalue() + err.getvalue()
    assert "no issues" in out.getvalue()

"""Production mode, as `.ci/run` and a real deployment run it: DEBUG off, collected static
files with a manifest, and safe defaults."""

import os
import re
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[1]


def _settings_in_subprocess(extra_env: dict, expression: str):
    """Import the settings module in a fresh interpreter with only ``extra_env`` set."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"DEBUG", "SECRET_KEY", "PHONE_KEY", "PHONE_KEY_OLD"}}
    env.update(extra_env, DJANGO_SETTINGS_MODULE="liaison.settings")
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


PHONE_KEY = "00112233445566778899aabbccddeeff"


def test_debug_is_off_unless_asked_for():
    run = _settings_in_subprocess({"SECRET_KEY": "x" * 50, "PHONE_KEY": PHONE_KEY}, "settings.DEBUG")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"


def test_without_debug_a_secret_key_is_required():
    run = _settings_in_subprocess({"PHONE_KEY": PHONE_KEY}, "settings.DEBUG")
    assert run.returncode != 0
    assert "SECRET_KEY must be set" in run.stderr


def test_without_debug_a_phone_key_is_required():
    """Constituents' phones are sealed with it (members.phone_crypto): no server starts with
    the laptop's fixed key."""
    run = _settings_in_subprocess({"SECRET_KEY": "x" * 50}, "settings.DEBUG")
    assert run.returncode != 0
    assert "PHONE_KEY must be set" in run.stderr


def test_a_malformed_phone_key_stops_the_start():
    run = _settings_in_subprocess(
        {"SECRET_KEY": "x" * 50, "PHONE_KEY": "not-sixteen-bytes"}, "settings.DEBUG"
    )
    assert run.returncode != 0
    assert "PHONE_KEY" in run.stderr
    assert "16 random bytes" in run.stderr


def test_collectstatic_with_the_production_storage_succeeds(settings, tmp_path, client_for, staff):
    """The manifest storage refuses a file that names a missing one (a vendored script's
    sourceMappingURL did): then no manifest is written and every page is a 500."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "static" / "staticfiles.json").is_file()
    # Pages render with the hashed names from the manifest.
    response = client_for(staff).get(reverse("members:staff-home"))
    assert response.status_code == 200
    assert re.search(r'src="/static/js/portal\.[0-9a-f]{12}\.js"', response.content.decode())


def test_every_vendored_source_map_that_is_named_is_there():
    """Each ``sourceMappingURL`` in a vendored file names a file that is vendored too."""

    for path in (ROOT / "static" / "vendor").rglob("*"):
        if path.suffix not in {".js", ".css"}:
            continue
        for target in re.findall(r"sourceMappingURL=([^\s*]+)", path.read_text(errors="ignore")):
            assert (path.parent / target).is_file(), f"{path} names missing {target}"


def test_no_task_outlives_the_visibility_timeout(settings):
    """A message is handed to another worker after the visibility timeout; a task still
    running then would run twice at once. The hard time limit keeps every task under it,
    and the timeout is minutes, not the broker's default hour."""
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT < timeout
    assert timeout <= 30 * 60

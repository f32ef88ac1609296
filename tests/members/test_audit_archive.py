"""Retention of the audit: past AUDIT_RETENTION_DAYS, entries move to a checked archive
file, and only then leave the table; never fewer than 180 days."""

import os
import subprocess
import sys
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone

from liaison.schedule import SCHEDULE
from members import audit_archive as archive_module
from members.audit import Action, AuditEntry
from members.audit_archive import audit_archive, read_archive, storage


@pytest.fixture(autouse=True)
def archive_dir(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "audit_archive": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "audit-archive")},
        },
    }
    return tmp_path / "audit-archive"


def add_old(staff, *, days: int, n: int = 1) -> list[int]:
    ids = []
    for i in range(n):
        entry = AuditEntry.objects.create(
            time=timezone.now() - timedelta(days=days, minutes=i),
            user=staff, username=staff.username, role=staff.role, council=staff.council,
            council_name=staff.council.name, action=Action.EXPORT, detail={"i": i, "名": "中文"},
        )
        ids.append(entry.pk)
    return ids


def test_old_entries_go_to_a_checked_file_then_leave_the_table(staff, archive_dir):
    old = add_old(staff, days=200, n=3)
    kept = add_old(staff, days=179, n=2)
    done = audit_archive()
    assert done.rows == 3
    assert not AuditEntry.objects.filter(pk__in=old).exists()
    assert set(AuditEntry.objects.filter(pk__in=kept).values_list("pk", flat=True)) == set(kept)
    lines = read_archive(done.name)
    assert [line["id"] for line in lines] == old
    assert lines[0]["username"] == staff.username
    assert lines[0]["council_name"] == staff.council.name
    assert lines[0]["detail"] == {"i": 0, "名": "中文"}
    assert (archive_dir / done.name).is_file()
    (entry,) = AuditEntry.objects.filter(action=Action.AUDIT_ARCHIVED)
    assert entry.detail["file"] == done.name
    assert entry.detail["rows"] == 3
    assert entry.detail["sha256"] == done.sha256


def test_a_second_run_finds_nothing(staff, archive_dir):
    add_old(staff, days=365, n=2)
    first = audit_archive()
    assert first.rows == 2
    again = audit_archive()
    assert again.rows == 0
    assert [p.name for p in archive_dir.iterdir()] == [first.name]
    assert AuditEntry.objects.filter(action=Action.AUDIT_ARCHIVED).count() == 1


def test_a_file_that_does_not_read_back_right_deletes_nothing(staff, archive_dir, monkeypatch):
    old = add_old(staff, days=200, n=2)

    def broken(store, name, **kwargs):
        raise archive_module.ArchiveError("corrupt")

    monkeypatch.setattr(archive_module, "_verify", broken)
    with pytest.raises(archive_module.ArchiveError):
        audit_archive()
    assert AuditEntry.objects.filter(pk__in=old).count() == 2
    assert not list(archive_dir.iterdir())  # the unchecked file is removed
    assert not AuditEntry.objects.filter(action=Action.AUDIT_ARCHIVED).exists()


def test_retention_under_180_days_is_refused(settings, staff):
    add_old(staff, days=100)
    settings.AUDIT_RETENTION_DAYS = 90
    with pytest.raises(ImproperlyConfigured, match="180"):
        audit_archive()
    assert AuditEntry.objects.filter(action=Action.EXPORT).count() == 1


def test_the_settings_refuse_a_retention_under_180_days():
    env = {**os.environ, "DEBUG": "true", "AUDIT_RETENTION_DAYS": "90"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    run = subprocess.run(
        [sys.executable, "-c", "import liaison.settings"],
        cwd=django_settings.BASE_DIR, env=env, capture_output=True, text=True, check=False,
    )
    assert run.returncode != 0
    assert "AUDIT_RETENTION_DAYS is 90" in run.stderr
    assert django_settings.AUDIT_RETENTION_DAYS >= 180


def test_the_command_and_the_nightly_job(staff):
    from liaison.celery import app
    from members.tasks import audit_archive_task

    add_old(staff, days=181)
    out = StringIO()
    call_command("audit_archive", stdout=out)
    assert "1" in out.getvalue()
    add_old(staff, days=400)
    assert audit_archive_task.delay().get() == 1
    assert "members.tasks.audit_archive_task" in SCHEDULE
    assert "members.tasks.audit_archive_task" in app.tasks
    assert storage().listdir("")[1]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_archives_through_the_trigger_and_nothing_else_deletes(staff, archive_dir):
    from django.db import DatabaseError, connection, transaction

    old = add_old(staff, days=200, n=3)
    done = audit_archive()
    assert done.rows == 3
    assert not AuditEntry.objects.filter(pk__in=old).exists()
    assert [line["id"] for line in read_archive(done.name)] == old
    assert audit_archive().rows == 0
    # The setting the job used ended with its transaction.
    entry = add_old(staff, days=1)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE id = %s", [entry])

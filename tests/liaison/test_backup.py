"""manage.py portal_backup / portal_restore: the database and the uploaded files together.

The commands here run against the suite's database; the round trip (back up, change
everything, restore) runs the real commands in subprocesses on a SQLite file. .ci/backup-roundtrip
does the same on PostgreSQL with the demo, and serves the restored portal.
"""

import os
import sqlite3
import subprocess
import sys
import tarfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from activities.models import ContactLogPhoto
from liaison.management.commands import portal_restore
from tests.factories import ConstituentFactory, ContactLogFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def backup_dir(tmp_path, monkeypatch):
    """dbbackup reads its storage settings once, at import: point them at a fresh folder."""
    folder = tmp_path / "backups"
    monkeypatch.setattr("dbbackup.settings.STORAGE_OPTIONS", {"location": str(folder)})
    return folder


def _files(folder: Path, suffix: str) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.endswith(suffix))


def test_the_database_is_dumped_by_its_own_tool():
    """PostgreSQL by pg_dump (its binary format), SQLite by its online backup, whatever the
    ENGINE's name: the portal's PostgreSQL backend (liaison/db/postgresql) is PostgreSQL's.
    An unmapped engine fell back to a generic connector, and .ci/backup-roundtrip found no
    .psql.bin dump."""
    from dbbackup.db.base import get_connector
    from dbbackup.db.postgresql import PgDumpBinaryConnector
    from dbbackup.db.sqlite import SqliteBackupConnector

    expected = PgDumpBinaryConnector if connection.vendor == "postgresql" else SqliteBackupConnector
    assert type(get_connector()) is expected


# --- portal_backup ------------------------------------------------------------------------


def test_backup_writes_the_database_then_the_uploads(transactional_db, backup_dir, member_a):
    # Committed rows: SQLite's online backup waits for a writer's transaction to end, and in
    # a rolled-back test that writer is this very connection.
    log = ContactLogFactory(member=member_a, constituents=[ConstituentFactory(member=member_a)])
    photo = ContactLogPhoto(contact_log=log)
    photo.image.save("走访.png", ContentFile(b"\x89PNG visit"), save=True)
    out = StringIO()

    call_command("portal_backup", stdout=out, verbosity=0)

    (database,) = [p for p in backup_dir.iterdir() if ".tar" not in p.name and not p.name.endswith(".metadata")]
    assert database.stat().st_size > 0
    (archive,) = _files(backup_dir, ".tar")
    with tarfile.open(archive) as tar:
        assert tar.extractfile(photo.image.name).read() == b"\x89PNG visit"
    assert "备份完成" in out.getvalue()
    assert database.name in out.getvalue()
    assert archive.name in out.getvalue()


def test_backup_before_anything_was_uploaded(db, backup_dir, settings):
    """A new installation has no media folder yet; mediabackup alone fails on that."""
    assert not Path(settings.MEDIA_ROOT).exists()

    call_command("portal_backup", stdout=StringIO(), verbosity=0)

    (archive,) = _files(backup_dir, ".tar")
    with tarfile.open(archive) as tar:
        assert tar.getnames() == []


# --- portal_restore: what it says and when it refuses --------------------------------------


@pytest.fixture
def stored_backups(backup_dir):
    """Two backup pairs, named as dbbackup names them; the commands they would feed are
    recorded instead of run."""
    backup_dir.mkdir()
    for stamp in ("2026-11-01-020000", "2026-11-02-020000"):
        (backup_dir / f"default-portal-{stamp}.dump").write_bytes(b"db")
        (backup_dir / f"portal-{stamp}.tar").write_bytes(b"tar")
    return backup_dir


@pytest.fixture
def restore_calls(monkeypatch):
    calls = []
    monkeypatch.setattr(portal_restore, "call_command", lambda name, **kw: calls.append((name, kw)))
    return calls


def test_restore_says_what_it_overwrites_and_refuses_without_yes(
    stored_backups, restore_calls, monkeypatch, settings
):
    monkeypatch.setattr(portal_restore, "stdin_is_interactive", lambda: False)
    out = StringIO()

    with pytest.raises(CommandError, match="未确认，未做任何更改"):
        call_command("portal_restore", stdout=out)

    said = out.getvalue()
    assert "default-portal-2026-11-02-020000.dump" in said  # the newest of each kind
    assert "portal-2026-11-02-020000.tar" in said
    assert str(connection.settings_dict["NAME"]) in said
    assert str(settings.MEDIA_ROOT) in said
    assert "现有数据将全部被备份内容覆盖" in said
    assert restore_calls == []


@pytest.mark.parametrize("answer", ["", "n", "y", "是"])
def test_restore_asks_and_goes_on_only_for_yes(stored_backups, restore_calls, monkeypatch, answer):
    monkeypatch.setattr(portal_restore, "stdin_is_interactive", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: answer)

    with pytest.raises(CommandError, match="已取消"):
        call_command("portal_restore", stdout=StringIO())
    assert restore_calls == []


def test_restore_after_typed_yes_restores_both(stored_backups, restore_calls, monkeypatch):
    monkeypatch.setattr(portal_restore, "stdin_is_interactive", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: " YES ")

    call_command("portal_restore", stdout=StringIO())

    assert [name for name, _ in restore_calls] == ["dbrestore", "mediarestore"]


def test_restore_with_yes_restores_the_named_pair(stored_backups, restore_calls):
    out = StringIO()

    call_command(
        "portal_restore",
        "--yes",
        "--db-file=default-portal-2026-11-01-020000.dump",
        "--media-file=portal-2026-11-01-020000.tar",
        stdout=out,
    )

    (db_name, db_options), (media_name, media_options) = restore_calls
    assert (db_name, db_options["input_filename"]) == ("dbrestore", "default-portal-2026-11-01-020000.dump")
    assert db_options["interactive"] is False
    # On PostgreSQL the tables come to belong to the restoring role, whoever made the dump.
    if connection.vendor == "postgresql":
        assert db_options["pg_options"] == "--no-owner --no-privileges"
    assert (media_name, media_options["input_filename"]) == ("mediarestore", "portal-2026-11-01-020000.tar")
    assert media_options["replace"] is True
    assert "恢复完成" in out.getvalue()


def test_restore_refuses_a_backup_that_is_not_there(stored_backups, restore_calls):
    with pytest.raises(CommandError, match="找不到数据库备份 nope.dump"):
        call_command("portal_restore", "--yes", "--db-file=nope.dump")
    assert restore_calls == []


def test_restore_without_any_backup_says_so(backup_dir, restore_calls):
    backup_dir.mkdir()
    with pytest.raises(CommandError, match="没有数据库备份"):
        call_command("portal_restore", "--yes")
    assert restore_calls == []


# --- the round trip, with the real commands -----------------------------------------------


def _manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=120,
    )


def _groups(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {name for (name,) in db.execute("SELECT name FROM auth_group")}


def test_round_trip_on_sqlite(db, tmp_path):
    """Back up, change the database and the files, restore: both are as they were. New
    files uploaded after the backup stay (the restore replaces, it does not delete)."""
    if connection.vendor != "sqlite":
        pytest.skip("copies the suite's SQLite schema; .ci/backup-roundtrip covers PostgreSQL")
    database, media = tmp_path / "portal.sqlite3", tmp_path / "portal-media"
    # The suite's migrated database as a file, instead of 15 s of migrations.
    connection.ensure_connection()
    with sqlite3.connect(database) as copy:
        connection.connection.backup(copy)
    with sqlite3.connect(database) as db_file:
        db_file.execute("INSERT INTO auth_group (name) VALUES ('备份前')")
    photo = media / "contact-logs" / "1" / "走访.png"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\x89PNG before")
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"CELERY_BROKER_URL", "CACHE_URL"}},
        "DJANGO_SETTINGS_MODULE": "liaison.settings", "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{database}", "MEDIA_ROOT": str(media),
        "BACKUP_DIR": str(tmp_path / "portal-backups"),
    }

    backup = _manage(env, "portal_backup")
    assert backup.returncode == 0, backup.stderr

    with sqlite3.connect(database) as db_file:
        db_file.execute("DELETE FROM auth_group")
        db_file.execute("INSERT INTO auth_group (name) VALUES ('备份后')")
    photo.write_bytes(b"\x89PNG overwritten")
    later = media / "contact-logs" / "2" / "later.png"
    later.parent.mkdir(parents=True)
    later.write_bytes(b"\x89PNG later")

    refused = _manage(env, "portal_restore")
    assert refused.returncode != 0
    assert "未确认" in refused.stderr
    assert _groups(database) == {"备份后"}
    assert photo.read_bytes() == b"\x89PNG overwritten"

    restore = _manage(env, "portal_restore", "--yes")
    assert restore.returncode == 0, restore.stderr
    assert _groups(database) == {"备份前"}
    assert photo.read_bytes() == b"\x89PNG before"
    assert later.read_bytes() == b"\x89PNG later"

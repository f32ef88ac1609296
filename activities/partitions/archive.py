"""Old months out of the database and back (``manage.py partitions_archive``; PostgreSQL).

Archiving a month, in one transaction: every partitioned table's partition of that month is
copied (``COPY … TO STDOUT``, CSV with a header, gzip) into the backup storage
(``BACKUP_DIR``, ``partitions/<YYYY-MM>-<stamp>/``), together with what only makes sense with
those contact logs — their tags and photo rows — and the references to them from reminders of
other months (``satisfied_by`` / ``flagged_by``, which are then set to NULL); a manifest
records each file's rows and SHA-256. The files are read back and checked, and only then are
the rows removed and the partitions detached and dropped. A failure anywhere leaves the
database as it was and deletes the files.

Restoring a month puts every archive of it back (oldest first, each once: a ``restored``
marker is written next to its manifest): the partitions are made again (rows of that month
recorded meanwhile move in from the default partition), the rows copied in, the references
from other reminders put back where they are still empty.

The uploaded photo files themselves stay where they are (they are in the media backups); only
their rows travel with the month.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import tempfile
from dataclasses import dataclass, field
from datetime import date

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection, transaction
from django.utils import timezone
from psycopg import ClientCursor

from activities import partitions
from activities.common.tallies import month_after

FOLDER = "partitions"
CHUNK = 1 << 16


class ArchiveError(Exception):
    pass


@dataclass
class Archived:
    month: date
    folder: str = ""
    rows: dict[str, int] = field(default_factory=dict)


def storage():
    return storages["dbbackup"]


def _within(family: partitions.Family, month: date, alias: str = "") -> tuple[str, list]:
    column = f'{alias}"{family.key}"'
    return (f"{column} >= %s AND {column} < %s",
            [family.bound(month), family.bound(month_after(month))])


def _parts(month: date) -> list[tuple[str, str, list]]:
    """(file name, SELECT, params) of everything archived with ``month``, in restore order."""
    logs, links = partitions.CONTACT_LOGS, partitions.CONTACT_LINKS
    log_range, log_params = _within(logs, month, "l.")
    the_logs = f'SELECT l.id FROM "{logs.table}" l WHERE {log_range}'
    reminders = partitions.REMINDERS
    other_months, other_params = _within(reminders, month)
    parts = []
    for family in partitions.FAMILIES:
        where, params = _within(family, month)
        parts.append((family.table, f'SELECT * FROM "{family.table}" WHERE {where}', params))
    tag_range, tag_params = _within(links, month, "t.")
    parts += [
        ("activities_contactlogtag",
         f"SELECT t.* FROM activities_contactlogtag t WHERE {tag_range} "
         f"AND t.contact_log_id IN ({the_logs})", tag_params + log_params),
        ("activities_contactlogphoto",
         f"SELECT p.* FROM activities_contactlogphoto p WHERE p.contact_log_id IN ({the_logs})",
         log_params),
        ("reminder_references",
         "SELECT id, trigger_on, satisfied_by_id, flagged_by_id FROM activities_reminder "
         f"WHERE NOT ({other_months}) AND (satisfied_by_id IN ({the_logs}) "
         f"OR flagged_by_id IN ({the_logs}))",
         other_params + log_params + log_params),
    ]
    return parts


def _copy_out(cursor, select: str, params: list, out) -> tuple[int, str]:
    """``select`` as gzip CSV into the open binary file ``out``; (rows, SHA-256 of the CSV)."""
    digest = hashlib.sha256()
    # COPY takes no parameters: they are quoted by psycopg into the statement, whether the
    # connection binds the others on the server (settings.DATABASE_PREPARE_THRESHOLD) or not.
    statement = ClientCursor(cursor.connection).mogrify(select, params)
    with gzip.GzipFile(fileobj=out, mode="wb") as packed, cursor.copy(
        f"COPY ({statement}) TO STDOUT WITH (FORMAT csv, HEADER)"
    ) as copy:
        for block in copy:
            block = bytes(block)
            packed.write(block)
            digest.update(block)
    return cursor.rowcount, digest.hexdigest()


def _sha256(name: str) -> str:
    digest = hashlib.sha256()
    with storage().open(name, "rb") as raw, gzip.GzipFile(fileobj=raw, mode="rb") as packed:
        while block := packed.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def archive_months(before: date) -> list[date]:
    """The months before ``before`` that still have a partition of some table."""
    months = {m for family in partitions.FAMILIES if partitions.is_partitioned(family)
              for m in partitions.partition_months(family)}
    return sorted(m for m in months if m < before)


def month_archive(month: date) -> Archived:
    """Archive ``month`` (see the module's docstring) and drop its partitions."""
    if not partitions.is_partitioned(partitions.CONTACT_LOGS):
        raise ArchiveError("Only a PostgreSQL database with partitioned history is archived.")
    store = storage()
    folder = f"{FOLDER}/{month:%Y-%m}-{timezone.now():%Y%m%dT%H%M%S%f}"
    saved: list[str] = []
    result = Archived(month=month, folder=folder)
    try:
        with transaction.atomic():
            connection.ensure_connection()
            with connection.connection.cursor() as cursor:
                partitions.checks_settled(cursor)
                for family in partitions.FAMILIES:
                    # Nobody writes to the month while it leaves.
                    cursor.execute(f'LOCK TABLE "{family.table}" IN SHARE ROW EXCLUSIVE MODE')
                manifest = {"month": f"{month:%Y-%m}", "files": {}}
                for name, select, params in _parts(month):
                    with tempfile.TemporaryFile() as raw:
                        rows, sha256 = _copy_out(cursor, select, params, raw)
                        raw.seek(0)
                        stored = store.save(f"{folder}/{name}.csv.gz", File(raw))
                    saved.append(stored)
                    if _sha256(stored) != sha256:
                        raise ArchiveError(f"{stored} does not read back as written")
                    manifest["files"][name] = {"file": stored, "rows": rows, "sha256": sha256}
                    result.rows[name] = rows
                if any(result.rows.values()):
                    saved.append(store.save(f"{folder}/manifest.json", ContentFile(
                        json.dumps(manifest, ensure_ascii=False, indent=1).encode())))
                else:  # an empty month leaves no archive behind
                    for name in saved:
                        store.delete(name)
                    saved, result.folder = [], ""
                _drop_month(cursor, month)
    except BaseException:
        for name in saved:
            store.delete(name)
        raise
    return result


def _drop_month(cursor, month: date) -> None:
    logs = partitions.CONTACT_LOGS
    log_range, log_params = _within(logs, month, "l.")
    the_logs = f'SELECT l.id FROM "{logs.table}" l WHERE {log_range}'
    other_months, other_params = _within(partitions.REMINDERS, month)
    for column in ("satisfied_by_id", "flagged_by_id"):
        cursor.execute(f"UPDATE activities_reminder SET {column} = NULL "
                       f"WHERE NOT ({other_months}) AND {column} IN ({the_logs})",
                       other_params + log_params)
    tag_range, tag_params = _within(partitions.CONTACT_LINKS, month)
    cursor.execute(f"DELETE FROM activities_contactlogtag WHERE {tag_range} "
                   f"AND contact_log_id IN ({the_logs})", tag_params + log_params)
    cursor.execute(f"DELETE FROM activities_contactlogphoto WHERE contact_log_id IN ({the_logs})",
                   log_params)
    # The links before the logs they reference; rows of the month in a default partition (a
    # month made after they were written) go as well.
    for family in (partitions.CONTACT_LINKS, logs, partitions.REMINDERS, partitions.CONTACT_DAYS):
        where, params = _within(family, month)
        cursor.execute(f'DELETE FROM "{family.default}" WHERE {where}', params)
        name = family.partition(month)
        cursor.execute("SELECT to_regclass(%s)", [name])
        if cursor.fetchone()[0] is not None:
            cursor.execute(f'ALTER TABLE "{family.table}" DETACH PARTITION "{name}"')
            cursor.execute(f'DROP TABLE "{name}"')


def _archives_of(month: date) -> list[str]:
    """The folders of ``month``'s archives not yet restored, oldest first."""
    store = storage()
    if not store.exists(FOLDER):
        return []
    folders, _files = store.listdir(FOLDER)
    prefix = f"{month:%Y-%m}-"
    return sorted(
        f"{FOLDER}/{name}" for name in folders
        if name.startswith(prefix) and store.exists(f"{FOLDER}/{name}/manifest.json")
        and not store.exists(f"{FOLDER}/{name}/restored.json")
    )


def month_restore(month: date) -> list[Archived]:
    """Put every archive of ``month`` not yet restored back (see the module's docstring)."""
    if not partitions.is_partitioned(partitions.CONTACT_LOGS):
        raise ArchiveError("Only a PostgreSQL database with partitioned history is restored.")
    store = storage()
    restored = []
    for folder in _archives_of(month):
        with store.open(f"{folder}/manifest.json", "rb") as raw:
            manifest = json.load(raw)
        for entry in manifest["files"].values():
            if _sha256(entry["file"]) != entry["sha256"]:
                raise ArchiveError(f"{entry['file']} is damaged: its checksum differs")
        with transaction.atomic():
            connection.ensure_connection()
            with connection.connection.cursor() as cursor:
                partitions.checks_settled(cursor)
                for family in partitions.FAMILIES:
                    partitions.partition_create(family, month, cursor)
                for name, entry in manifest["files"].items():
                    if name == "reminder_references":
                        copied = _references_restore(cursor, entry["file"])
                    else:
                        copied = _copy_in(cursor, name, entry["file"])
                    if copied != entry["rows"]:
                        raise ArchiveError(f"{entry['file']}: {copied} rows read, "
                                           f"{entry['rows']} archived")
        store.save(f"{folder}/restored.json", ContentFile(json.dumps(
            {"restored_at": timezone.now().isoformat()}).encode()))
        restored.append(Archived(month=month, folder=folder, rows={
            name: entry["rows"] for name, entry in manifest["files"].items()}))
    return restored


def _copy_in(cursor, table: str, name: str) -> int:
    """The CSV file ``name`` into ``table`` by the columns of its header; the rows copied."""
    with storage().open(name, "rb") as raw, gzip.GzipFile(fileobj=raw, mode="rb") as packed:
        header = packed.readline()
        if not header.strip():
            return 0
        columns = ", ".join(f'"{c}"' for c in header.decode().strip().split(","))
        with cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN WITH (FORMAT csv)') as copy:
            while block := packed.read(CHUNK):
                copy.write(block)
    return cursor.rowcount


def _references_restore(cursor, name: str) -> int:
    cursor.execute("CREATE TEMP TABLE archived_references (id bigint, trigger_on date, "
                   "satisfied_by_id bigint, flagged_by_id bigint) ON COMMIT DROP")
    copied = _copy_in(cursor, "archived_references", name)
    cursor.execute("""
        UPDATE activities_reminder r
        SET satisfied_by_id = coalesce(r.satisfied_by_id, a.satisfied_by_id),
            flagged_by_id = coalesce(r.flagged_by_id, a.flagged_by_id)
        FROM archived_references a WHERE r.id = a.id AND r.trigger_on = a.trigger_on""")
    return copied

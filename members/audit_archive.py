"""Keeping the audit: entries older than ``AUDIT_RETENTION_DAYS`` (at least 180, as the
Cybersecurity Law asks of network logs) move to an archive file; nothing is dropped.

The one path by which rows leave ``members_auditentry``. In one transaction: write the old
rows, oldest first, as gzip-compressed JSON lines through the ``audit_archive`` storage
(``AUDIT_ARCHIVE_DIR``); read the stored file back and check it holds exactly those rows;
only then delete them — on PostgreSQL after ``SET LOCAL audit.archiving = 'on'``, the
setting the table's trigger asks for — and record an ``AUDIT_ARCHIVED`` entry naming the
file. Any failure rolls the deletion back and removes the file, so a row is always in the
table or in a checked file, never in neither. A second run finds nothing to do; two runs at
once queue on a lock (PostgreSQL) or on the database's write lock (SQLite).

Run nightly (``liaison/schedule.py``), or ``manage.py audit_archive``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files import File
from django.core.files.storage import storages
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from members.audit import Action, record
from members.models import AuditEntry

MIN_RETENTION_DAYS = 180
FIELDS = [
    "id", "time", "user_id", "username", "role", "council_id", "council_name", "ip", "action",
    "object_type", "object_id", "object_repr", "result", "detail",
]
# Any 64-bit number, the same in every process: two archiving runs queue on it (PostgreSQL).
_LOCK_KEY = 0x61756469745F6172  # "audit_ar"


class ArchiveError(Exception):
    """The archive file does not hold what was written: nothing is deleted."""


@dataclass(frozen=True)
class Archived:
    rows: int
    name: str = ""
    sha256: str = ""


def retention_days() -> int:
    days = settings.AUDIT_RETENTION_DAYS
    if days < MIN_RETENTION_DAYS:
        raise ImproperlyConfigured(
            f"AUDIT_RETENTION_DAYS is {days}: the audit is kept at least {MIN_RETENTION_DAYS} days."
        )
    return days


def storage():
    return storages["audit_archive"]


def _line(values: dict) -> bytes:
    return json.dumps(values, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True).encode() + b"\n"


def audit_archive(*, now: datetime | None = None) -> Archived:
    """Archive the entries older than the retention; see the module's docstring."""
    cutoff = (now or timezone.now()) - timedelta(days=retention_days())
    store = storage()
    name = ""
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
            old = AuditEntry.objects.filter(time__lt=cutoff).order_by("pk")
            with tempfile.TemporaryFile() as raw:
                digest, count, last_id, first_time, last_time = hashlib.sha256(), 0, None, None, None
                with gzip.GzipFile(fileobj=raw, mode="wb") as out:
                    for values in old.values(*FIELDS).iterator(chunk_size=2000):
                        line = _line(values)
                        out.write(line)
                        digest.update(line)
                        count += 1
                        last_id, last_time = values["id"], values["time"]
                        first_time = first_time or values["time"]
                if not count:
                    return Archived(rows=0)
                raw.seek(0)
                stamp = f"{timezone.localtime(first_time):%Y%m%d}-{timezone.localtime(last_time):%Y%m%d}"
                name = store.save(f"audit-{stamp}-to-{last_id}.jsonl.gz", File(raw))
            _verify(store, name, count=count, last_id=last_id, sha256=digest.hexdigest())
            deleted = _delete(old.filter(pk__lte=last_id))
            if deleted != count:
                raise ArchiveError(f"{count} entries archived but {deleted} would be deleted")
            record(
                Action.AUDIT_ARCHIVED,
                detail={
                    "file": name, "rows": count, "sha256": digest.hexdigest(),
                    "before": cutoff.isoformat(), "last_id": last_id,
                },
            )
    except BaseException:
        if name:
            store.delete(name)
        raise
    return Archived(rows=count, name=name, sha256=digest.hexdigest())


def _delete(rows) -> int:
    """The archived rows, by the one DELETE the table allows (the model's queryset refuses
    ``delete()``; the trigger wants ``audit.archiving`` on, for this statement only)."""
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("SET LOCAL audit.archiving = 'on'")
        deleted = rows._raw_delete(connection.alias)
        if postgres:
            cursor.execute("SET LOCAL audit.archiving = 'off'")
    return deleted


def _verify(store, name: str, *, count: int, last_id: int, sha256: str) -> None:
    """The stored file, read back, holds the rows written: their number, their last id and
    the hash of every line."""
    digest, lines, last = hashlib.sha256(), 0, None
    with store.open(name, "rb") as stored, gzip.GzipFile(fileobj=stored, mode="rb") as data:
        for line in data:
            digest.update(line)
            lines += 1
            last = json.loads(line)["id"]
    if (lines, last, digest.hexdigest()) != (count, last_id, sha256):
        raise ArchiveError(f"The archive {name} does not match the entries written.")


def read_archive(name: str) -> list[dict]:
    """The entries of an archive file, as written (for an audit of the past, and the tests)."""
    with storage().open(name, "rb") as stored, gzip.GzipFile(fileobj=stored, mode="rb") as data:
        return [json.loads(line) for line in data]

"""``manage.py portal_backup [--clean]``: the database, then the uploaded files, to the backup
storage (``STORAGES["dbbackup"]``: the folder ``BACKUP_DIR`` unless configured otherwise).

A thin wrapper over django-dbbackup's ``dbbackup`` and ``mediabackup``, so that a schedule
has one line and the two archives are always taken together, in the safe order, even before
anything has been uploaded. docs/OPERATIONS.md has the schedule, retention and restore.
"""

from pathlib import Path

from dbbackup import signals
from dbbackup.storage import get_storage
from django.core.files.storage import FileSystemStorage, storages
from django.core.management import call_command
from django.core.management.base import BaseCommand


def backup_location() -> str:
    """Where backups go, for the operator: the folder, or the storage class and bucket."""
    storage = get_storage().storage
    location = getattr(storage, "location", "") if isinstance(storage, FileSystemStorage) else ""
    bucket = getattr(storage, "bucket_name", "")
    return location or f"{type(storage).__name__} {bucket}".strip()


class Command(BaseCommand):
    help = "Back up the database, then the uploaded files (docs/OPERATIONS.md)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--clean",
            action="store_true",
            help="Afterwards keep only the newest DBBACKUP_CLEANUP_KEEP backups of each kind.",
        )

    def handle(self, *args, clean, verbosity, **options):
        written = []

        def remember(sender, filename, **kwargs):
            written.append(filename)

        signals.post_backup.connect(remember, weak=False, dispatch_uid="portal_backup.db")
        signals.post_media_backup.connect(remember, weak=False, dispatch_uid="portal_backup.media")
        try:
            common = {"clean": clean, "interactive": False, "verbosity": verbosity, "quiet": verbosity == 0}
            # The database first: a photo uploaded in between then has its file in the archive
            # and no row (an unused file), never a row whose file the archive lacks.
            call_command("dbbackup", **common)
            media = storages["default"]
            if isinstance(media, FileSystemStorage):
                # mediabackup walks the folder and fails if nothing was ever uploaded.
                Path(media.location).mkdir(parents=True, exist_ok=True)
            call_command("mediabackup", **common)
        finally:
            signals.post_backup.disconnect(dispatch_uid="portal_backup.db")
            signals.post_media_backup.disconnect(dispatch_uid="portal_backup.media")
        self.stdout.write(self.style.SUCCESS(f"备份完成 / backup written → {backup_location()}"))
        for name in written:
            self.stdout.write(f"  {name}")

"""``manage.py partitions_archive --before YYYY-MM`` / ``--restore YYYY-MM`` / ``--list``:
move the history of the months before one out of the database into compressed CSV files in
the backup storage (``BACKUP_DIR/partitions/``), and put a month back
(``activities.partitions.archive``; docs/PARTITIONING.md). PostgreSQL with partitioned
history only. Each month is one transaction: a failure leaves it in the database."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from activities.common.tallies import month_start
from activities.management.commands.partitions_ensure import month_argument
from activities.partitions import archive


class Command(BaseCommand):
    help = ("Archive the history partitions of the months before YYYY-MM to the backup storage "
            "(--before), or restore a month (--restore); PostgreSQL.")

    def add_arguments(self, parser):
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--before", help="Archive every month before this one, YYYY-MM.")
        what.add_argument("--restore", help="Put this month back, YYYY-MM.")
        what.add_argument("--list", dest="show", action="store_true", help="The months that have partitions.")
        parser.add_argument("--dry-run", action="store_true",
                            help="With --before: say which months would go, change nothing.")

    def handle(self, *args, before, restore, show, dry_run, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Only a PostgreSQL database has partitioned history to archive.")
        try:
            if show:
                months = archive.archive_months(date.max)
                self.stdout.write(" ".join(f"{m:%Y-%m}" for m in months))
            elif before:
                self._archive(month_argument(before, "--before"), dry_run)
            else:
                self._restore(month_argument(restore, "--restore"))
        except archive.ArchiveError as error:
            raise CommandError(str(error)) from error

    def _archive(self, before, dry_run):
        if before > month_start(timezone.localdate()):
            raise CommandError("--before may not be later than the current month")
        months = archive.archive_months(before)
        if dry_run:
            self.stdout.write("would archive: " + (" ".join(f"{m:%Y-%m}" for m in months) or "—"))
            return
        for month in months:
            done = archive.month_archive(month)
            rows = ", ".join(f"{name} {n}" for name, n in done.rows.items())
            self.stdout.write(f"{month:%Y-%m} → {done.folder or '(empty, dropped)'}: {rows}")
        self.stdout.write(f"{len(months)} months archived")

    def _restore(self, month):
        restored = archive.month_restore(month)
        if not restored:
            raise CommandError(f"No archive of {month:%Y-%m} waits to be restored")
        for done in restored:
            rows = ", ".join(f"{name} {n}" for name, n in done.rows.items())
            self.stdout.write(f"{done.folder} → {month:%Y-%m}: {rows}")

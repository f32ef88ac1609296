"""``manage.py partitions_ensure [--ahead N] [--from YYYY-MM]``: make the monthly partitions of
the history tables (PostgreSQL; docs/PARTITIONING.md) from the current month — or an earlier
one, ``--from``, before a bulk load of old data — to N months ahead. The daily job's service,
run by hand. Idempotent: running it twice makes nothing the second time."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from activities import partitions


def month_argument(value: str, option: str) -> date:
    try:
        return date.fromisoformat(f"{value}-01")
    except ValueError as error:
        raise CommandError(f"{option} must be a month, YYYY-MM (e.g. 2025-01)") from error


class Command(BaseCommand):
    help = "Make the monthly partitions of the history tables up to N months ahead (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--ahead", type=int, default=partitions.MONTHS_AHEAD,
                            help=f"Months past the current one (default {partitions.MONTHS_AHEAD}).")
        parser.add_argument("--from", dest="first", help="First month, YYYY-MM (default: this one).")

    def handle(self, *args, ahead, first, **options):
        if ahead < 0:
            raise CommandError("--ahead must be 0 or more")
        first = month_argument(first, "--from") if first else None
        if connection.vendor != "postgresql":
            self.stdout.write("Not PostgreSQL: the history tables are plain tables, nothing to do.")
            return
        made = partitions.partitions_ensure(ahead=ahead, first=first)
        for name in made:
            self.stdout.write(f"+ {name}")
        self.stdout.write(f"{len(made)} partitions made")

"""``manage.py intake_purge [--date YYYY-MM-DD]``: erase the name, number and text of QR
messages triaged more than ``INTAKE_RETENTION_DAYS`` ago (the nightly job's work, for a
machine without a broker). Safe to run twice."""

from datetime import date

from django.core.management.base import BaseCommand

from liaison.intake.services import submissions_purge


class Command(BaseCommand):
    help = "Purge the personal data of QR messages past their retention period."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=date.fromisoformat, default=None,
                            help="Count the retention from this day instead of today.")

    def handle(self, *args, date, **options):
        purged = submissions_purge(today=date)
        self.stdout.write(f"{purged} QR messages purged.")

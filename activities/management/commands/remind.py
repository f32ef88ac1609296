"""``manage.py remind [--date YYYY-MM-DD]``: the daily must-visit jobs without Redis.

Runs the same services as the Celery beat jobs — the sweep (create due reminders, catch up
missed days, mark overdue) and the members' daily digest; with ``--escalate`` also the
weekly escalation to staff. Safe to run as often as you like: everything is idempotent.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from activities.reminders.services import notices, sweep


class Command(BaseCommand):
    help = "Create due must-visit reminders, mark overdue ones and send the daily digests."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Run as if today were YYYY-MM-DD (default: today).")
        parser.add_argument("--escalate", action="store_true",
                            help="Also tell staff about long-overdue reminders (weekly job).")

    def handle(self, *args, **options):
        today = self._day(options["date"])
        escalate = options["escalate"]
        created = sweep.reminders_sweep(today=today)
        notified = notices.reminders_digest(today=today)
        self.stdout.write(f"{today}: {sum(created.values())} reminders created, {notified} digests")
        if escalate:
            councils = notices.reminders_escalate(today=today)
            self.stdout.write(f"{today}: escalated in {councils} councils")

    @staticmethod
    def _day(text):
        if not text:
            return timezone.localdate()
        try:
            return date.fromisoformat(text)
        except ValueError as error:
            raise CommandError("--date must be YYYY-MM-DD") from error

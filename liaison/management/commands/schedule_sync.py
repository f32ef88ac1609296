from django.core.management.base import BaseCommand

from liaison.schedule import schedule_sync


class Command(BaseCommand):
    help = (
        "Put the portal's periodic jobs (liaison/schedule.py) into django-celery-beat. "
        "Idempotent; migrate runs it. Edits made in the admin are kept unless --reset."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true",
            help="Also put back the declared name, time and enabled flag of existing jobs.",
        )

    def handle(self, *args, reset=False, **options):
        changed = schedule_sync(reset=reset)
        for line in changed:
            self.stdout.write(line)
        self.stdout.write(f"{len(changed)} periodic jobs changed.")

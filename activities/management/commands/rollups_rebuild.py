"""``manage.py rollups_rebuild [--council ID] [--since YYYY-MM-DD]``: recount the daily
contact counts from the contact logs — the nightly job's service, run by hand (after a bulk
import, an edit in the admin, or to check). Idempotent: running it twice changes nothing.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from activities.contacts.rollups import rollups_rebuild
from members.models import Council


class Command(BaseCommand):
    help = "Recount the daily contact counts (the dashboard's contact figures) from the logs."

    def add_arguments(self, parser):
        parser.add_argument("--council", type=int, help="Only this council's id (default: all).")
        parser.add_argument("--since", help="Only days from YYYY-MM-DD on (default: all days).")

    def handle(self, *args, **options):
        council = options["council"]
        if council is not None and not Council.objects.filter(pk=council).exists():
            raise CommandError(f"No council with id {council}")
        since = None
        if options["since"]:
            try:
                since = date.fromisoformat(options["since"])
            except ValueError as error:
                raise CommandError("--since must be YYYY-MM-DD") from error
        rows = rollups_rebuild(council=council, since=since)
        self.stdout.write(f"{rows} daily contact rows written")

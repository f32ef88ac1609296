"""``manage.py rollups_rebuild [--council ID] [--since YYYY-MM-DD | --full]``: recount the
rollups the dashboards read from the rows they count — the nightly job's service, run by hand
(after a bulk load, or to check). Idempotent: running it twice changes nothing.

- the daily contact counts (``activities.contacts.rollups``): by default the days touched
  since the last rebuild (the days of the logs added since, and the last few days); a
  council never rebuilt is recounted whole; ``--since`` from a day on, ``--full`` every day;
- the roster counts (``members.rollups``: each member's active constituents, the tally per
  council, sector and committee): recounted whole, which takes seconds even at province scale;
- the must-visit tally (``activities.reminders.services.tally``: reminders that came due per
  council, day and month), recounted whole;
- each member's pending must-visit bound (``activities.reminders.services.pending``: the
  trigger day of their earliest open or overdue must-visit, which the home page reads from),
  set to the earliest again;
- each user's unread notices (``members.services.unread_recount``: the navbar's badge),
  recounted whole;
- each proposal's outcome columns (``proposals.outcome``: the latest reply's category, the
  rating it counts with), recomputed from its replies and ratings, then the proposal tally
  per council and session (``proposals.tally``).
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from activities.contacts.rollups import rollups_rebuild
from activities.reminders.services.pending import pending_since_recount
from activities.reminders.services.tally import reminder_tally_rebuild
from members.models import Council
from members.rollups import roster_rebuild
from members.services import unread_recount
from proposals import outcome
from proposals import tally as proposal_tally
from proposals.models import Proposal


class Command(BaseCommand):
    help = ("Recount the dashboards' rollups (daily contact counts, roster counts) from the rows: "
            "the days touched since the last rebuild unless --since or --full.")

    def add_arguments(self, parser):
        parser.add_argument("--council", type=int, help="Only this council's id (default: all).")
        when = parser.add_mutually_exclusive_group()
        when.add_argument("--since", help="Contact counts of the days from YYYY-MM-DD on.")
        when.add_argument("--full", action="store_true", help="Contact counts of every day.")

    def handle(self, *args, council, since, full, **options):
        if council is not None and not Council.objects.filter(pk=council).exists():
            raise CommandError(f"No council with id {council}")
        if since:
            try:
                since = date.fromisoformat(since)
            except ValueError as error:
                raise CommandError("--since must be YYYY-MM-DD") from error
        days = rollups_rebuild(council=council, since=since or None, full=full)
        tally = roster_rebuild(council=council)
        visits = reminder_tally_rebuild(council=council)
        bounds = pending_since_recount(council=council)
        proposals = Proposal.objects.all() if council is None else Proposal.objects.filter(council_id=council)
        recomputed = outcome.refresh(proposals)
        sessions = proposal_tally.rebuild(council=council)
        unread = unread_recount(council=council)
        self.stdout.write(f"{days} daily contact rows written; {tally} roster tally rows written; "
                          f"{visits} must-visit tally rows written; "
                          f"{bounds} members' pending must-visit bounds put right; "
                          f"{recomputed} proposals' outcome recomputed; "
                          f"{sessions} sessions' proposal tally recounted; "
                          f"{unread} users' unread notices put right")

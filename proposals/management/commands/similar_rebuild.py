"""``manage.py similar_rebuild [--council ID]``: rewrite the word index of the proposals
(``ProposalTerm``, what the similar-proposal lists search) from their titles and texts —
after a bulk load that bypassed the portal, or after a change of the word weights.
Idempotent: a second run writes the same rows."""

from django.core.management.base import BaseCommand, CommandError

from members.models import Council
from proposals import similarity


class Command(BaseCommand):
    help = "Rewrite the proposals' word index (similar proposals) from their texts."

    def add_arguments(self, parser):
        parser.add_argument("--council", type=int, help="Only this council's id (default: all).")

    def handle(self, *args, council, **options):
        if council is not None and not Council.objects.filter(pk=council).exists():
            raise CommandError(f"No council with id {council}")
        indexed = similarity.rebuild(council=council)
        self.stdout.write(f"{indexed} proposals indexed")

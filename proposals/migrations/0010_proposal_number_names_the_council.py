"""A filed proposal's number is unique per (council, session), not per session alone, so that
the constraint holds the tenant key a distributed PostgreSQL (Citus) shards by
(docs/SCALING.md, "Distributing by the top-level council").

Exactly as strict as before: a proposal's council is its session's (``proposal_create`` takes
the council from the session, nothing changes either afterwards, and the admin shows
proposals read-only), so the session already implies the council and two proposals with the
same number in one session are still refused. The migration checks that on the rows it finds
before it widens the rule. The council goes last: the index still serves the lookups by
(session, number) it served.
"""

from django.db import migrations, models
from django.db.models import F, Q


def check_council_is_the_sessions(apps, schema_editor):
    Proposal = apps.get_model("proposals", "Proposal")
    stray = Proposal.objects.exclude(council_id=F("session__council_id"))
    ids = list(stray.values_list("pk", flat=True)[:10])
    if ids:
        raise RuntimeError(
            f"Proposals whose council is not their session's (first ids: {ids}): put them "
            "right before widening the numbering rule."
        )


class Migration(migrations.Migration):

    dependencies = [
        ("proposals", "0009_proposal_tally"),
    ]

    operations = [
        migrations.RunPython(check_council_is_the_sessions, migrations.RunPython.noop, elidable=True),
        migrations.RemoveConstraint(model_name="proposal", name="proposal_unique_number"),
        migrations.AddConstraint(
            model_name="proposal",
            constraint=models.UniqueConstraint(
                condition=Q(number__isnull=False),
                fields=("session", "number", "council"),
                name="proposal_unique_number",
            ),
        ),
    ]

"""The one-phone-per-roster rule names the council too: (council, member, phone hash) instead of
(member, phone hash), so that the constraint holds the tenant key a distributed PostgreSQL
(Citus) shards by (docs/SCALING.md, "Distributing by the top-level council").

Exactly as strict as before: a constituent's council is its keeping member's (the services
set it from the member and move a constituent only within its council, the admin shows it
read-only, imports write the council's own members), so the member already implies the
council and no pair of rows the old rule refused is let through by the new one. The migration
checks that on the rows it finds before it widens the rule. The council goes last: the index
still serves the lookups by (member, phone hash) it served.
"""

from django.db import migrations, models
from django.db.models import F, Q


def check_council_is_the_members(apps, schema_editor):
    Constituent = apps.get_model("members", "Constituent")
    stray = Constituent.objects.exclude(council_id=F("member__council_id"))
    ids = list(stray.values_list("pk", flat=True)[:10])
    if ids:
        raise RuntimeError(
            f"Constituents whose council is not their member's (first ids: {ids}): put them "
            "right before widening the one-phone-per-roster rule."
        )


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0014_separation_of_duties"),
    ]

    operations = [
        migrations.RunPython(check_council_is_the_members, migrations.RunPython.noop, elidable=True),
        migrations.RemoveConstraint(
            model_name="constituent",
            name="constituent_unique_phone_per_member",
        ),
        migrations.AddConstraint(
            model_name="constituent",
            constraint=models.UniqueConstraint(
                condition=~Q(phone_hash=""),
                fields=("member", "phone_hash", "council"),
                name="constituent_unique_phone_per_member",
            ),
        ),
    ]

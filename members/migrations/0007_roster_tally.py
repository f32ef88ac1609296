"""The roster rollups the dashboards read: each member's active constituents, and the tally per
council, sector and special committee (``members.rollups``), filled from the rows as they are."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Exists, OuterRef, Q, Value
from django.db.models.functions import Coalesce


def fill(apps, schema_editor):
    """What ``members.rollups.roster_rebuild`` computes, with the models as of this migration."""
    Member = apps.get_model("members", "Member")
    Constituent = apps.get_model("members", "Constituent")
    RosterTally = apps.get_model("members", "RosterTally")
    active = Constituent.objects.filter(active=True).order_by()
    counts = dict(active.values_list("member_id").annotate(n=Count("pk")))
    Member.objects.bulk_update(
        [Member(pk=pk, active_constituents=n) for pk, n in counts.items()],
        ["active_constituents"], batch_size=1000,
    )
    totals = {}
    has_roster = Exists(active.filter(member_id=OuterRef("pk")))
    for council, sector, committee, n, missing in (
        Member.objects.filter(status="active").order_by()
        .values_list("council_id", "sector_id", Coalesce("committee_id", Value(0)))
        .annotate(n=Count("pk"), missing=Count("pk", filter=Q(zone="") | ~has_roster))
    ):
        totals.setdefault((council, sector, committee), [0, 0, 0])[0:2] = [n, missing]
    for council, sector, committee, n in (
        active.values_list("council_id", "sector_id", Coalesce("member__committee_id", Value(0)))
        .annotate(n=Count("pk"))
    ):
        totals.setdefault((council, sector, committee), [0, 0, 0])[2] = n
    RosterTally.objects.bulk_create(
        [RosterTally(council_id=c, sector_id=s, committee_id=k, members=n[0], members_missing=n[1],
                     constituents=n[2]) for (c, s, k), n in sorted(totals.items())],
        batch_size=1000,
    )


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0006_dated_by_the_clock"),
    ]

    operations = [
        migrations.AddField(
            model_name="member",
            name="active_constituents",
            field=models.IntegerField(default=0, editable=False, verbose_name="active constituents"),
        ),
        migrations.CreateModel(
            name="RosterTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sector_id", models.IntegerField(verbose_name="sector id")),
                ("committee_id", models.IntegerField(default=0, verbose_name="special committee id")),
                ("members", models.IntegerField(default=0, verbose_name="serving members")),
                ("members_missing", models.IntegerField(default=0, verbose_name='serving members missing "two ones"')),
                ("constituents", models.IntegerField(default=0, verbose_name="active constituents")),
                ("council", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="roster_tallies", to="members.council", verbose_name="council")),
            ],
            options={
                "verbose_name": "roster tally",
                "verbose_name_plural": "roster tallies",
                "constraints": [models.UniqueConstraint(fields=("council", "sector_id", "committee_id"), name="rostertally_grain_unique")],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]

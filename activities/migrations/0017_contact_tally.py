"""The contact tally the dashboards read (logs per council, day or month, and one dimension),
summed from the daily counts as they are; and the daily counts' indexes for a dashboard
narrowed by a sector or a committee (``activities.contacts.rollups``)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import DateField, F, Sum, Value
from django.db.models.functions import TruncMonth


def fill(apps, schema_editor):
    """What ``activities.contacts.rollups.tally_counts`` sums, with the models of this
    migration: one INSERT … SELECT per dimension and period."""
    ContactDay = apps.get_model("activities", "ContactDay")
    ContactTally = apps.get_model("activities", "ContactTally")
    connection = schema_editor.connection
    table = connection.ops.quote_name(ContactTally._meta.db_table)
    items = {"channel": Value(0), "sector": F("sector_id"), "committee": F("committee_id"),
             "platform": F("platform_id")}
    for period in ("d", "m"):
        for dimension, item in items.items():
            days = ContactDay.objects.all()
            if dimension == "platform":
                days = days.exclude(platform_id=0)
            rows = (
                days.order_by()
                .annotate(
                    _dimension=Value(dimension), _period=Value(period),
                    _start=F("day") if period == "d" else TruncMonth("day", output_field=DateField()),
                    _channel=F("channel") if dimension == "channel" else Value(""), _item=item,
                )
                .values_list("council_id", "_dimension", "_period", "_start", "_channel", "_item")
                .annotate(_logs=Sum("logs"))
            )
            select, params = rows.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {table} (council_id, dimension, period, start, channel, item_id, "
                    f"logs) {select}", params,
                )


class Migration(migrations.Migration):

    dependencies = [
        ("activities", "0016_list_order_indexes_cover_the_council"),
        ("members", "0006_dated_by_the_clock"),
    ]

    operations = [
        migrations.CreateModel(
            name="ContactTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("dimension", models.CharField(choices=[("channel", "channel"), ("sector", "sector"), ("committee", "special committee"), ("platform", "platform")], max_length=10, verbose_name="dimension")),
                ("period", models.CharField(choices=[("d", "day"), ("m", "month")], max_length=1, verbose_name="period")),
                ("start", models.DateField(verbose_name="first day")),
                ("channel", models.CharField(blank=True, max_length=10, verbose_name="channel")),
                ("item_id", models.IntegerField(default=0, verbose_name="item id")),
                ("logs", models.IntegerField(default=0, verbose_name="contact logs")),
                ("council", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="contact_tallies", to="members.council", verbose_name="council")),
            ],
            options={
                "verbose_name": "contact tally",
                "verbose_name_plural": "contact tallies",
                "indexes": [
                    models.Index(fields=["dimension", "period", "start"], name="contacttally_period"),
                    models.Index(fields=["item_id", "dimension", "period", "start"], name="contacttally_item"),
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("council", "dimension", "period", "start", "channel", "item_id"), name="contacttally_grain_unique"),
                ],
            },
        ),
        migrations.AddIndex(
            model_name="contactday",
            index=models.Index(fields=["sector_id", "day"], name="contactday_sector_day"),
        ),
        migrations.AddIndex(
            model_name="contactday",
            index=models.Index(fields=["committee_id", "day"], name="contactday_committee_day"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]

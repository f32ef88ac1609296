"""The contact tally gains a "tag" dimension (logs per 四联四助 tag), filled here from the
logs' tags already written; from now on the contact-log services keep it."""

from django.db import migrations, models
from django.db.models import Count, DateField, F
from django.db.models.functions import TruncDate, TruncMonth


def fill(apps, schema_editor):
    ContactLogTag = apps.get_model("activities", "ContactLogTag")
    ContactTally = apps.get_model("activities", "ContactTally")
    ContactTally.objects.filter(dimension="tag").delete()
    for period, start in (("d", TruncDate("contacted_at")),
                          ("m", TruncMonth("contacted_at", output_field=DateField()))):
        rows = (
            ContactLogTag.objects.order_by()
            .annotate(_council=F("contact_log__council_id"), _start=start)
            .values_list("_council", "_start", "tag_id")
            .annotate(n=Count("pk"))
        )
        ContactTally.objects.bulk_create(
            (ContactTally(council_id=council, dimension="tag", period=period, start=day,
                          channel="", item_id=tag, logs=n)
             for council, day, tag, n in rows.iterator(chunk_size=2000)),
            batch_size=2000,
        )


class Migration(migrations.Migration):

    dependencies = [
        ("activities", "0019_link_tag_defaults"),
    ]

    operations = [
        migrations.AlterField(
            model_name="contacttally",
            name="dimension",
            field=models.CharField(
                choices=[("channel", "channel"), ("sector", "sector"),
                         ("committee", "special committee"), ("platform", "platform"),
                         ("tag", "link-and-help tag")],
                max_length=10, verbose_name="dimension",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]

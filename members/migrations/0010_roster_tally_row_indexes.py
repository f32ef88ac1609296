"""The roster tally read per sector and per committee (the dashboard's rows)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0009_constituent_sweep_watermark_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="rostertally",
            index=models.Index(fields=["sector_id"], name="rostertally_sector"),
        ),
        migrations.AddIndex(
            model_name="rostertally",
            index=models.Index(fields=["committee_id"], name="rostertally_committee"),
        ),
    ]

"""Daily contact counts: signed (a write's -1 never fails on a drifted row), and the mark the
incremental rebuild starts from (``activities.contacts.rollups``)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("activities", "0012_reminder_sources"),
        ("members", "0006_dated_by_the_clock"),
    ]

    operations = [
        migrations.CreateModel(
            name="ContactDayMark",
            fields=[
                ("council", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name="contact_day_mark", serialize=False, to="members.council", verbose_name="council")),
                ("last_log_id", models.BigIntegerField(default=0, verbose_name="last contact log counted")),
                ("rebuilt_at", models.DateTimeField(verbose_name="rebuilt at")),
            ],
            options={
                "verbose_name": "daily contact counts' rebuild mark",
                "verbose_name_plural": "daily contact counts' rebuild marks",
            },
        ),
        migrations.AlterField(
            model_name="contactday",
            name="constituent_contacts",
            field=models.IntegerField(default=0, verbose_name="constituents reached"),
        ),
        migrations.AlterField(
            model_name="contactday",
            name="logs",
            field=models.IntegerField(default=0, verbose_name="contact logs"),
        ),
    ]

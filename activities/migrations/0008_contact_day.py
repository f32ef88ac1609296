"""Daily contact counts (``ContactDay``), and the nightly job that rebuilds them from the logs.

The nightly rebuild job is declared with the others in liaison/schedule.py.
"""

import django.db.models.deletion
from django.db import migrations, models

# The nightly rebuild job that used to be scheduled here is declared in liaison/schedule.py.


def count_existing_logs(apps, schema_editor):
    """Count the logs already recorded (copied here, not imported from
    ``activities.rollups``, so that this migration keeps doing what it did)."""
    from django.db.models import Count, F, Value
    from django.db.models.functions import Coalesce, TruncDate

    ContactLog = apps.get_model("activities", "ContactLog")
    ContactDay = apps.get_model("activities", "ContactDay")
    rows = (
        ContactLog.objects.order_by()
        .annotate(
            _day=TruncDate("contacted_at"),
            _sector=F("member__sector_id"),
            _committee=Coalesce(F("member__committee_id"), Value(0)),
            _platform=Coalesce(F("platform_id"), Value(0)),
        )
        .values_list("council_id", "_day", "channel", "_sector", "_committee", "_platform")
        .annotate(_logs=Count("pk", distinct=True), _constituents=Count("contactlogconstituent"))
    )
    ContactDay.objects.bulk_create(
        (
            ContactDay(council_id=c, day=d, channel=ch, sector_id=s, committee_id=cm,
                       platform_id=p, logs=n, constituent_contacts=k)
            for c, d, ch, s, cm, p, n, k in rows.iterator()
        ),
        batch_size=1000,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('activities', '0007_reminder_insert_cost'),
        ('members', '0001_initial'),
        ('django_celery_beat', '0019_alter_periodictasks_options'),
    ]

    operations = [
        migrations.CreateModel(
            name='ContactDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(verbose_name='day')),
                ('channel', models.CharField(max_length=10, verbose_name='channel')),
                ('sector_id', models.IntegerField(verbose_name='sector id')),
                ('committee_id', models.IntegerField(default=0, verbose_name='special committee id')),
                ('platform_id', models.IntegerField(default=0, verbose_name='platform id')),
                ('logs', models.PositiveIntegerField(default=0, verbose_name='contact logs')),
                ('constituent_contacts', models.PositiveIntegerField(default=0, verbose_name='constituents reached')),
                ('council', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='contact_days', to='members.council', verbose_name='council')),
            ],
            options={
                'verbose_name': 'daily contact count',
                'verbose_name_plural': 'daily contact counts',
                'indexes': [models.Index(fields=['platform_id', 'day'], name='contactday_platform_day')],
                'constraints': [models.UniqueConstraint(fields=('council', 'day', 'channel', 'sector_id', 'committee_id', 'platform_id'), name='contactday_grain_unique')],
            },
        ),
        migrations.RunPython(count_existing_logs, migrations.RunPython.noop),
    ]

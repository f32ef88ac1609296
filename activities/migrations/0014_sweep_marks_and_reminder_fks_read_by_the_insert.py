"""The sweep's watermark, and fewer foreign-key checks on every new reminder.

``SweepMark``: per rule, the day the sweep last ran and when it started reading, so that the
next run reads only what changed since (``activities.reminders.services.sweep``).

Reminder foreign keys without a database constraint: ``member``, ``constituent`` and the
sources ``consultation``, ``proposal``, ``flagged_by`` (``council`` and ``campaign`` had none
already). The sweep writes every reminder by one INSERT … SELECT that reads these ids from the
referenced rows themselves (the constituent and its member_id, the member, the contact log and
its link rows, the consultation's rows), each of whose own foreign keys is checked; PostgreSQL
re-checked them once per inserted row — 1.2 s (constituent) + 0.9 s (member) + ~0.1 s per NULL
source for 100,000 reminders, more than the insert itself. Django still cascades or sets NULL on
delete, and members and constituents cannot be deleted while contact logs or constituents
(checked, PROTECT) name them.

Kept: ``rule`` (its id is a constant of the statement, not read from the rule's row, and a
reminder without its rule means nothing), ``satisfied_by`` (written by the closing UPDATE of one
contact log, not by the sweep), and the unique constraints that make the sweep idempotent.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('activities', '0013_contact_day_signed_counts_and_rebuild_mark'),
        ('members', '0006_dated_by_the_clock'),
        ('proposals', '0006_dated_by_the_clock'),
    ]

    operations = [
        migrations.CreateModel(
            name='SweepMark',
            fields=[
                ('rule', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='sweep_mark', serialize=False, to='activities.mustvisitrule', verbose_name='rule')),
                ('fingerprint', models.CharField(max_length=64, verbose_name='rule parameters')),
                ('swept_on', models.DateField(verbose_name='swept on')),
                ('looked_at', models.DateTimeField(verbose_name='looked at')),
                ('occasions', models.JSONField(blank=True, default=dict, verbose_name='occasions swept')),
            ],
            options={
                'verbose_name': 'sweep watermark',
                'verbose_name_plural': 'sweep watermarks',
            },
        ),
        migrations.AlterField(
            model_name='reminder',
            name='constituent',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='members.constituent', verbose_name='constituent'),
        ),
        migrations.AlterField(
            model_name='reminder',
            name='consultation',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='reminders', to='activities.consultation', verbose_name='consultation'),
        ),
        migrations.AlterField(
            model_name='reminder',
            name='flagged_by',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='difficulty_reminders', to='activities.contactlog', verbose_name='contact log'),
        ),
        migrations.AlterField(
            model_name='reminder',
            name='member',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='members.member', verbose_name='member'),
        ),
        migrations.AlterField(
            model_name='reminder',
            name='proposal',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='proposals.proposal', verbose_name='proposal'),
        ),
    ]

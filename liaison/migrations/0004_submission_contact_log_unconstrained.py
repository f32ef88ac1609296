# The QR messages' contact log loses its database constraint: the logs are partitioned on
# PostgreSQL (activities.0021, docs/PARTITIONING.md).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('activities', '0021_partitioned_history'),
        ('liaison', '0003_submission_proposal'),
    ]

    operations = [
        migrations.AlterField(
            model_name='submission',
            name='contact_log',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='activities.contactlog', verbose_name='contact log'),
        ),
    ]

"""Two indexes the must-visit sweep's watermark reads (activities.reminders.services.sweep):
(council, updated_at) finds the constituents added or edited since its last run, and
(council, COALESCE(last_contacted_at, created_at)) those whose periodic visit came due in the
days since — each one index range, instead of reading every constituent of the council again
each morning (the whole cost of a sweep with nothing new)."""

import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0008_search_trigram_indexes'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='constituent',
            index=models.Index(fields=['council', 'updated_at'], name='constituent_changed_idx'),
        ),
        migrations.AddIndex(
            model_name='constituent',
            index=models.Index(models.F('council'), django.db.models.functions.comparison.Coalesce('last_contacted_at', 'created_at'), name='constituent_visit_anchor_idx'),
        ),
    ]

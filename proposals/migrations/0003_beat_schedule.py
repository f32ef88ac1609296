"""Formerly scheduled a periodic job here. Every job is now declared once, in
liaison/schedule.py, and put in place by `manage.py schedule_sync` (migrate runs it); this
migration is kept, doing nothing, so that the migration history stays the same."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("proposals", "0002_collective_rating"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]

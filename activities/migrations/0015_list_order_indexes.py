"""Indexes in the order of the staff lists, for users who reach several councils (a city, a
province): newest contact logs first, reminders due first. The per-council indexes lead with
the council, so across councils every row of the reach was sorted for the page's 50."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("activities", "0014_sweep_marks_and_reminder_fks_read_by_the_insert")]

    operations = [
        migrations.AddIndex(
            model_name="contactlog",
            index=models.Index(fields=["contacted_at", "id"], name="contactlog_list_order"),
        ),
        migrations.AddIndex(
            model_name="reminder",
            index=models.Index(fields=["due_on", "id"], name="reminder_list_order"),
        ),
    ]

# The periodic jobs of the proposal pipeline, declared once, here (django-celery-beat reads
# them from the database).

from django.db import migrations

TASK = "proposals.tasks.proposals_chase_deadlines"
NAME = "proposals: chase handling deadlines (daily 07:30)"


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # Every day at 07:30 Beijing time, before offices open: handling units see what falls
    # due within a week, staff see what is overdue, on the first screen of their day.
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="7", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.update_or_create(
        name=NAME, defaults={"task": TASK, "crontab": crontab, "enabled": True}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("proposals", "0002_collective_rating"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]

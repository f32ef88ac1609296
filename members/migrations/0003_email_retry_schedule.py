"""The job that e-mails notices whose e-mail task could not be enqueued (broker down)."""

from django.db import migrations

NAME = "补发未发送的通知邮件"


def install(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # Every 15 minutes: a notice stored while Redis was down still gets its e-mail.
    schedule, _ = CrontabSchedule.objects.get_or_create(
        timezone="Asia/Shanghai", minute="*/15", hour="*", day_of_week="*", day_of_month="*",
        month_of_year="*",
    )
    PeriodicTask.objects.update_or_create(
        name=NAME,
        defaults={"task": "members.tasks.notifications_email_pending", "crontab": schedule,
                  "enabled": True},
    )


def uninstall(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0002_verbose_names"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, uninstall)]

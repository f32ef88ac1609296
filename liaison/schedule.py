"""Every periodic job of the portal, declared once (Asia/Shanghai).

django-celery-beat runs them from its database tables; ``manage.py schedule_sync`` puts this
declaration there, and ``migrate`` runs it (``LiaisonConfig.ready``). Staff may change a
job's time or switch it off in the admin (*Periodic tasks*): a later sync leaves such edits
alone unless told ``--reset``. Each job is found by its task, so renaming one here renames it
there. Every task is idempotent: a job run twice, or late, catches up and never doubles.

The reminder jobs and the rollup recount are parents: each enqueues one task per council on
its named queue (``CELERY_TASK_ROUTES``) and waits for none, so workers on any number of
machines share the work (README, "Jobs that fan out").
"""

SCHEDULE = {
    # 02:00 daily — PostgreSQL: the history tables (contact logs and their links, reminders,
    # daily counts) have their monthly partitions made three months ahead, so that no write
    # waits on one or lands in the default partition. Idempotent; nothing on SQLite.
    "activities.tasks.partitions_ensure_task": {
        "name": "每日历史分区预建",
        "crontab": {"minute": "0", "hour": "2"},
    },
    # 02:30 daily — recount the dashboards' rollups from the rows, incrementally: the daily
    # contact counts of the days touched since the last run (logs loaded in bulk, rows written
    # outside the services) and of the last few days, and the roster counts. Every write keeps
    # them current; this repairs what came in around the services. ``manage.py
    # rollups_rebuild --full`` recounts every day.
    "activities.tasks.rollups_rebuild_task": {
        "name": "每日联系统计重建",
        "crontab": {"minute": "30", "hour": "2"},
    },
    # 06:00 daily — create due must-visit reminders for every rule, catch up missed days,
    # mark overdue ones; before anyone's working day starts.
    "activities.tasks.reminders_sweep_task": {
        "name": "每日必访提醒生成",
        "crontab": {"minute": "0", "hour": "6"},
    },
    # 07:00 daily — one digest per member (in-app and e-mail), after the sweep.
    "activities.tasks.reminders_digest_task": {
        "name": "每日必访提醒摘要",
        "crontab": {"minute": "0", "hour": "7"},
    },
    # 07:30 daily — handling units hear what falls due within a week, staff what is overdue,
    # on the first screen of their day.
    "proposals.tasks.proposals_chase_deadlines": {
        "name": "每日提案办理期限督促",
        "crontab": {"minute": "30", "hour": "7"},
    },
    # Monday 08:00 — staff hear which members' reminders are overdue past the limit.
    "activities.tasks.reminders_escalate_task": {
        "name": "每周逾期必访督办",
        "crontab": {"minute": "0", "hour": "8", "day_of_week": "1"},
    },
    # Every 15 minutes — e-mail notices whose e-mail could not be enqueued (the broker was
    # down) and retry the failed ones that are due.
    "members.tasks.notifications_email_pending": {
        "name": "补发未发送的通知邮件",
        "crontab": {"minute": "*/15"},
    },
    # 03:30 daily — audit entries past AUDIT_RETENTION_DAYS (≥ 180) go to a checked archive
    # file under AUDIT_ARCHIVE_DIR and only then leave the table; after the rollups, in the
    # quiet of the night. A missed night is caught up by the next.
    "members.tasks.audit_archive_task": {
        "name": "每日审计日志归档",
        "crontab": {"minute": "30", "hour": "3"},
    },
    # 03:45 daily — the name, number and text of QR messages triaged more than
    # INTAKE_RETENTION_DAYS ago are erased (the page's privacy notice promises it); the rows
    # stay for the figures. A missed night is caught up by the next.
    "liaison.tasks.intake_purge_task": {
        "name": "每日清除过期扫码留言个人信息",
        "crontab": {"minute": "45", "hour": "3"},
    },
    # 03:50 daily — the proposals that QR messages' opinions became (a member links the
    # contact log to the proposal later) are copied onto the messages, which the dashboard
    # counts without reading contact logs. Idempotent; a missed night is caught up.
    "liaison.tasks.intake_outcomes_task": {
        "name": "每日更新扫码留言形成提案情况",
        "crontab": {"minute": "50", "hour": "3"},
    },
}

TIME_ZONE = "Asia/Shanghai"


def schedule_sync(*, reset: bool = False) -> list[str]:
    """Create the declared jobs that are missing (by task); with ``reset``, also put back the
    declared name, time and enabled flag of existing ones. Idempotent. Returns what changed."""
    from django.db import transaction
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    changed = []
    with transaction.atomic():
        for task, job in SCHEDULE.items():
            fields = {"minute": "*", "hour": "*", "day_of_week": "*", "day_of_month": "*",
                      "month_of_year": "*", **job["crontab"]}
            crontab, _ = CrontabSchedule.objects.get_or_create(timezone=TIME_ZONE, **fields)
            existing = PeriodicTask.objects.filter(task=task).order_by("pk").first()
            if existing is None:
                PeriodicTask.objects.create(name=job["name"], task=task, crontab=crontab)
                changed.append(f"+ {job['name']} ({task})")
            elif reset and (existing.name, existing.crontab_id, existing.enabled) != (
                job["name"], crontab.pk, True
            ):
                existing.name, existing.crontab, existing.enabled = job["name"], crontab, True
                existing.interval = existing.solar = existing.clocked = None
                existing.save()
                changed.append(f"~ {job['name']} ({task})")
    return changed

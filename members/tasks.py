import logging
from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from members.models import Council, Notification
from members.services import notification_email

log = logging.getLogger(__name__)


def enqueue_on_commit(task, **kwargs) -> None:
    """Send ``task`` once the transaction commits. A broker that is down costs the request
    one connection attempt (bounded by ``CELERY_BROKER_CONNECTION_TIMEOUT``, no retry) and
    is logged, never raised: the page keeps working, and a periodic job catches up."""

    def send():
        try:
            task.apply_async(kwargs=kwargs, retry=False)
        except Exception:  # kombu/redis raise many kinds; none may break the request
            log.exception("Could not enqueue %s %s; a periodic job will catch up", task.name, kwargs)

    transaction.on_commit(send)


def councils_fan_out(task, **kwargs) -> int:
    """Enqueue ``task`` once per council, with ``council_id`` and ``kwargs``, and wait for
    none of them: what a scheduled job's parent does. The routes (``CELERY_TASK_ROUTES``) put
    the tasks on the job's queue, where any worker consuming it takes the next; each task is
    idempotent per (council, day), so a parent run twice only repeats work already done.
    Without a broker (eager mode) the tasks run here, one after another. Returns how many
    were enqueued."""
    council_ids = list(Council.objects.order_by("pk").values_list("pk", flat=True))
    for council_id in council_ids:
        task.apply_async(kwargs={"council_id": council_id, **kwargs})
    return len(council_ids)


@shared_task(acks_late=True)
def notifications_email(*, user_ids: list[int], key: str) -> int:
    """E-mail the notices with ``key`` not yet e-mailed."""
    pending = Notification.objects.filter(user_id__in=user_ids, key=key, emailed_at__isnull=True)
    return _email(pending)


@shared_task(acks_late=True)
def notifications_email_pending(*, older_than_minutes: int = 5) -> int:
    """Every 15 minutes: e-mail the notices whose e-mail could not be enqueued (the broker
    was down), whose task was lost, or whose e-mail failed and is due for a retry; recent
    ones are left to their own task."""
    now = timezone.now()
    pending = Notification.objects.email_due(
        now, fresh_before=now - timedelta(minutes=older_than_minutes)
    ).filter(user__is_active=True).exclude(user__email="")
    return _email(pending)


def _email(notices) -> int:
    ids = list(notices.values_list("pk", flat=True))
    return sum(notification_email(notice_id=pk) for pk in ids)


@shared_task(acks_late=True)
def audit_archive_task() -> int:
    """Nightly: the audit entries past their retention to an archive file (idempotent)."""
    from members.audit_archive import audit_archive

    return audit_archive().rows

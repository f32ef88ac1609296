import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from members.models import Notification

log = logging.getLogger(__name__)


def enqueue_on_commit(task, **kwargs) -> None:
    """Send ``task`` once the transaction commits. A broker that is down is logged, never
    raised: the page that caused it keeps working, and a periodic job catches up."""

    def send():
        try:
            task.delay(**kwargs)
        except Exception:  # kombu/redis raise many kinds; none may break the request
            log.exception("Could not enqueue %s %s; a periodic job will catch up", task.name, kwargs)

    transaction.on_commit(send)


@shared_task(acks_late=True)
def notifications_email(*, user_ids: list[int], key: str) -> int:
    """E-mail the notices with ``key`` not yet e-mailed."""
    pending = Notification.objects.filter(user_id__in=user_ids, key=key, emailed_at__isnull=True)
    return _email(pending)


@shared_task(acks_late=True)
def notifications_email_pending(*, older_than_minutes: int = 5) -> int:
    """Every 15 minutes: e-mail the notices whose e-mail could not be enqueued (the broker
    was down) or whose task was lost; recent ones are left to their own task."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    pending = Notification.objects.filter(
        emailed_at__isnull=True, created_at__lt=cutoff, user__is_active=True
    ).exclude(user__email="")
    return _email(pending)


def _email(notices) -> int:
    """Each notice is claimed with a conditional update before it is sent, so two runs at
    once never send the same e-mail twice."""
    sent = 0
    for notice in notices.select_related("user").iterator():
        claimed = Notification.objects.filter(pk=notice.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if claimed and notice.user.email:
            body = notice.body
            if notice.url:
                body = f"{body}\n\n{settings.PORTAL_BASE_URL}{notice.url}"
            send_mail(notice.subject, body, None, [notice.user.email], fail_silently=False)
            sent += 1
    return sent

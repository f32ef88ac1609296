from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from members.models import Notification


@shared_task(acks_late=True)
def notifications_email(*, user_ids: list[int], key: str) -> int:
    """E-mail the notices with ``key`` not yet e-mailed. Each notice is claimed with a
    conditional update first, so two runs of this task never send the same e-mail twice."""
    sent = 0
    pending = Notification.objects.filter(
        user_id__in=user_ids, key=key, emailed_at__isnull=True
    ).select_related("user")
    for notice in pending:
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

"""Writes for members, constituents and the inbox. Views, imports, the admin and tasks call these."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import translation

from members.models import Notification, User


def notification_send(
    *,
    users: Iterable[User],
    kind: str,
    subject,
    body="",
    url: str = "",
    key: str,
) -> int:
    """Put a notice in each user's inbox and e-mail it after the transaction commits.

    ``subject`` and ``body`` may be lazy translations: each is rendered in the recipient's
    own language. ``key`` identifies the notice: the same key twice for a user is stored
    once, so a job that runs twice (or a retried task) notifies once. Returns the number of
    users given (already notified ones included).
    """
    users = [u for u in users if u is not None and u.is_active]
    rows = []
    for user in users:
        with translation.override(user.language or "zh-hans"):
            rows.append(
                Notification(
                    user=user, kind=kind, subject=str(subject)[:200], body=str(body), url=url, key=key
                )
            )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if any(u.email for u in users):
        from members.tasks import notifications_email

        user_ids = [u.pk for u in users if u.email]
        transaction.on_commit(lambda: notifications_email.delay(user_ids=user_ids, key=key))
    return len(users)

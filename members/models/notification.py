"""Notices to a user: shown in the portal, and e-mailed when they have an address."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.common import clock
from members.models.council import User


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def email_due(self, now, *, fresh_before):
        """Notices whose e-mail should be tried now: never tried and older than
        ``fresh_before`` (newer ones are left to their own task), or due for a retry."""
        return self.filter(
            Q(email_next_try_at__isnull=True, created_at__lt=fresh_before)
            | Q(email_next_try_at__lte=now),
            emailed_at__isnull=True,
            email_attempts__lt=settings.NOTICE_EMAIL_MAX_ATTEMPTS,
        )

    def email_failed(self):
        """Notices whose e-mail kept failing until the retries ran out."""
        return self.filter(
            emailed_at__isnull=True, email_attempts__gte=settings.NOTICE_EMAIL_MAX_ATTEMPTS
        )


class Notification(models.Model):
    """An in-app inbox message. ``key`` makes a notice idempotent: the same key for the same
    user is stored once, so a job that runs twice does not notify twice."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=40)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    key = models.CharField(_("key"), max_length=200)
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)
    # Set only once the mail server accepted the message; until then a failure is counted,
    # remembered and tried again later (members.services.notification_email).
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    email_next_try_at = models.DateTimeField(_("next e-mail attempt"), null=True, blank=True)
    email_error = models.CharField(_("last e-mail error"), max_length=300, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"]),
            # The catch-up job reads only the few notices not yet e-mailed.
            models.Index(
                fields=["email_next_try_at", "created_at"],
                condition=Q(emailed_at__isnull=True),
                name="notification_email_pending",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_unique_key"),
        ]

    def __str__(self) -> str:
        return self.subject

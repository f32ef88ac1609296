"""The security audit (安全审计): one append-only row per security-relevant act.

Who (the login, kept by name too, so that the row outlives the account), as what role, of
which council, from which address, did what to which object, with what result. Rows are
written through ``members.audit.record`` and never changed or removed by the portal: the
model refuses ``save()`` of an existing row and ``delete()``, its querysets refuse
``update()`` and ``delete()``, and on PostgreSQL a trigger refuses ``UPDATE``, ``DELETE`` and
``TRUNCATE`` on the table (migration 0011). The one way out is the retention job
(``members.audit_archive``), which writes rows past ``AUDIT_RETENTION_DAYS`` to a file,
checks the file, and only then removes them.

Foreign keys are ``SET_NULL``: removing a login or a council detaches its rows (their
``username`` and ``council_name`` stay) — the one change the queryset and the trigger let
through.
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models.council import Council


class AuditRefused(Exception):
    """An attempt to change or remove an audit entry."""


class Action(models.TextChoices):
    """What was done. The codes are stable (they are stored and exported)."""

    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Login failed")
    LOCKOUT = "lockout", _("Account locked out")
    LOCKOUT_LIFTED = "lockout_lifted", _("Lockout lifted")
    LOGOUT = "logout", _("Logout")
    SESSION_EXPIRED = "session_expired", _("Session expired")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_RESET = "password_reset", _("Password reset")
    OTP_ENROLLED = "otp_enrolled", _("Two-factor authentication enrolled")
    OTP_FAILED = "otp_failed", _("Two-factor code refused")
    OTP_RESET = "otp_reset", _("Two-factor devices reset")
    RECOVERY_CODES = "recovery_codes", _("Recovery codes")
    ACCOUNT_CHANGED = "account_changed", _("Account changed")
    IMPORT = "import", _("Import")
    EXPORT = "export", _("Export or download")
    PHONE_VIEWED = "phone_viewed", _("Full phone number viewed")
    PROPOSAL_STATE = "proposal_state", _("Proposal state changed")
    REPORT_STATE = "report_state", _("Public-opinion report handled")
    ADMIN_WRITE = "admin_write", _("Admin site write")
    PERSONAL_DATA = "personal_data", _("Personal data exported or erased")
    AUDIT_ARCHIVED = "audit_archived", _("Audit entries archived")


class Result(models.TextChoices):
    OK = "ok", _("Succeeded")
    FAILED = "failed", _("Failed")
    REFUSED = "refused", _("Refused")


# The changes a removed login or council makes to its rows (on_delete=SET_NULL).
_DETACHING_FIELDS = {"user", "user_id", "council", "council_id"}


class AuditQuerySet(models.QuerySet):
    """Reads only: ``update()`` and ``delete()`` are refused (but detaching, see above)."""

    def update(self, **kwargs):
        if kwargs and set(kwargs) <= _DETACHING_FIELDS and all(v is None for v in kwargs.values()):
            return super().update(**kwargs)
        raise AuditRefused("Audit entries cannot be changed.")

    def delete(self):
        raise AuditRefused("Audit entries cannot be deleted.")

    delete.queryset_only = True

    def newest_first(self):
        return self.order_by("-time", "-pk")

    def visible_to(self, user):
        """Only the audit admin reads the audit: their council's subtree, or all of it."""
        from members import permissions

        if not permissions.is_audit_admin(user):
            return self.none()
        return self.filter(permissions.duty_reach_q(user))


class AuditEntry(models.Model):
    time = models.DateTimeField(_("time"), default=timezone.now, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(_("login name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, blank=True)
    council = models.ForeignKey(
        Council,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("council"),
    )
    council_name = models.CharField(_("council name"), max_length=100, blank=True)
    ip = models.GenericIPAddressField(_("source IP"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, default=Result.OK)
    detail = models.JSONField(_("detail"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-time", "-pk"]
        indexes = [
            # The audit page: newest first, alone or filtered by user, council or action.
            models.Index(fields=["time"], name="auditentry_time"),
            models.Index(fields=["user", "time"], name="auditentry_user_time"),
            models.Index(fields=["council", "time"], name="auditentry_council_time"),
            models.Index(fields=["action", "time"], name="auditentry_action_time"),
        ]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.action} {self.result}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditRefused("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditRefused("Audit entries cannot be deleted.")

    @property
    def detail_text(self) -> str:
        import json

        return json.dumps(self.detail, ensure_ascii=False, sort_keys=True) if self.detail else ""

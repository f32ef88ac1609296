"""Councils (the tenants), their logins, sectors (界别) and special committees (专委会)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.common.querysets import CouncilOwnedQuerySet


class CouncilQuerySet(CouncilOwnedQuerySet):
    council_field = "pk"


class Council(models.Model):
    """A CPPCC committee: the tenant every other record belongs to."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        DISTRICT = "district", _("District / county")

    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent council"),
    )

    objects = CouncilQuerySet.as_manager()

    class Meta:
        verbose_name = _("council")
        verbose_name_plural = _("councils")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=["province", "city", "district"]), name="council_level_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A login. ``role`` and ``council`` decide what the user may see (``members.permissions``)."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        STAFF = "staff", _("Staff")
        LEADER = "leader", _("Leader")
        MEMBER = "member", _("Member")
        UNIT = "unit", _("Handling unit")
        # Separation of duties (三权分立; members.permissions): accounts, and the audit.
        SECURITY_ADMIN = "security_admin", _("Security administrator")
        AUDIT_ADMIN = "audit_admin", _("Audit administrator")

    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    council = models.ForeignKey(
        Council,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("council"),
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    # Staff of a special committee (专委会): the weekly must-visit escalation tells them of
    # their committee's members only; council staff without one get the whole council.
    committee = models.ForeignKey(
        "Committee",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_users",
        verbose_name=_("special committee"),
        help_text=_("For staff of a special committee: they are told of its members only."),
    )
    # Identity controls (members.security): a password set by someone else (staff, an
    # import) must be replaced by the user's own at the next login; the date starts the
    # clock of PASSWORD_EXPIRY_DAYS.
    must_change_password = models.BooleanField(
        _("must change password"), default=False,
        help_text=_("Asked for a new password of their own at the next login."),
    )
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    # The navbar's badge on every page: the user's notices not yet read, kept in the
    # transaction of every write to them (``members.services``: sent, opened, deleted) and
    # recounted by the nightly rollups job, so that no page counts them.
    unread_notices = models.PositiveIntegerField(_("unread notices"), default=0, editable=False)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    role__in=["admin", "staff", "leader", "member", "unit", "security_admin", "audit_admin"]
                ),
                name="user_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def clean(self):
        super().clean()
        if self.committee_id and self.committee.council_id != self.council_id:
            raise ValidationError({"committee": _("Choose a special committee of the user's council.")})


class Sector(models.Model):
    """界别: the sector a member represents."""

    class Kind(models.TextChoices):
        PARTY = "party", _("Democratic party")
        ORGANISATION = "organisation", _("People's organisation")
        SECTOR = "sector", _("Sector")
        INVITED = "invited", _("Specially invited")

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="sectors", verbose_name=_("council")
    )
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices, default=Kind.SECTOR)
    is_key = models.BooleanField(_("key sector"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = CouncilOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="sector_unique_name"),
            models.CheckConstraint(
                condition=Q(kind__in=["party", "organisation", "sector", "invited"]),
                name="sector_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Committee(models.Model):
    """专委会: a special committee of the council, the base organ of sector work."""

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="committees", verbose_name=_("council")
    )
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = CouncilOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("special committee")
        verbose_name_plural = _("special committees")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="committee_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

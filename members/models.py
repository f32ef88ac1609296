"""Who and where: councils (tenants), sectors, committees, members, platforms, constituents.

Every record belongs to one ``Council``; every read goes through a ``visible_to(user)``
QuerySet method so that permission is part of the lookup (see ``members.permissions``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members import permissions
from members.common.querysets import CouncilScopedQuerySet


class CouncilQuerySet(CouncilScopedQuerySet):
    council_field = "pk"

    def visible_to(self, user):
        return self.in_reach_of(user)


class CouncilOwnedQuerySet(CouncilScopedQuerySet):
    """Reference data of a council (sectors, committees): readable by all its users."""

    def visible_to(self, user):
        return self.in_reach_of(user)


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

    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
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

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["admin", "staff", "leader", "member", "unit"]),
                name="user_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def clean(self):
        super().clean()
        if self.committee_id and self.committee.council_id != self.council_id:
            raise ValidationError({"committee": _("Choose a special committee of the user's council.")})

    @property
    def is_council_staff(self) -> bool:
        return permissions.is_staff(self)


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


class MemberQuerySet(CouncilScopedQuerySet):
    def visible_to(self, user):
        """Staff see their council's members (a province or city: its subtree); a member only
        themself; others nobody."""
        if permissions.is_staff(user) or permissions.is_leader(user):
            return self.in_reach_of(user)
        if permissions.is_member(user):
            return self.filter(user=user)
        return self.none()

    def active(self):
        return self.filter(status=Member.Status.ACTIVE)

    def with_constituent_count(self):
        return self.annotate(
            constituent_count=models.Count(
                "constituents", filter=Q(constituents__active=True), distinct=True
            )
        )

    def coverage_problems(self):
        """Active members missing a responsibility zone or any active constituent."""
        return (
            self.active()
            .with_constituent_count()
            .filter(Q(zone="") | Q(constituent_count=0))
        )


class Member(models.Model):
    """委员: a CPPCC member serving a term. An active member must have a responsibility zone."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Serving")
        INACTIVE = "inactive", _("Left")

    class Gender(models.TextChoices):
        MALE = "m", _("Male")
        FEMALE = "f", _("Female")

    user = models.OneToOneField(
        User, on_delete=models.PROTECT, related_name="member", verbose_name=_("login")
    )
    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="members", verbose_name=_("council")
    )
    name = models.CharField(_("full name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, related_name="members", verbose_name=_("sector")
    )
    committee = models.ForeignKey(
        Committee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("special committee"),
    )
    term = models.CharField(_("term"), max_length=20, default="第十届")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    unit = models.CharField(_("work unit"), max_length=100, blank=True)
    title = models.CharField(_("position"), max_length=100, blank=True)
    zone = models.CharField(
        _("responsibility zone"),
        max_length=200,
        blank=True,
        help_text=_("The sector responsibility zone this member is linked to (required while serving)."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = MemberQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["council", "sector", "name", "id"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="inactive") | ~Q(zone=""), name="member_active_has_zone"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "inactive"]), name="member_status_valid"
            ),
            models.UniqueConstraint(
                fields=["council", "phone"],
                condition=~Q(phone=""),
                name="member_unique_phone",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("members:member-detail", args=[self.pk])


class PlatformQuerySet(CouncilScopedQuerySet):
    def visible_to(self, user):
        """Platforms are public within the council: members see them too (to sign up)."""
        return self.in_reach_of(user)


class Platform(models.Model):
    """一机构三平台: a liaison point, a member studio or a member workstation."""

    class Kind(models.TextChoices):
        LIAISON_POINT = "liaison_point", _("Sector liaison point")
        STUDIO = "studio", _("Member studio")
        WORKSTATION = "workstation", _("Member workstation")

    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="platforms", verbose_name=_("council")
    )
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    sectors = models.ManyToManyField(
        Sector, blank=True, related_name="platforms", verbose_name=_("sectors")
    )
    host_committee = models.ForeignKey(
        Committee,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="platforms",
        verbose_name=_("host committee"),
    )
    convenor = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="convened_platforms",
        verbose_name=_("convenor"),
    )
    members = models.ManyToManyField(
        Member, blank=True, related_name="platforms", verbose_name=_("members")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    tags = models.CharField(
        _("work content tags"),
        max_length=200,
        blank=True,
        help_text=_("Editable tags, e.g. the \"four links, four helps\" work content, comma separated."),
    )

    objects = PlatformQuerySet.as_manager()

    class Meta:
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="platform_unique_name"),
            models.CheckConstraint(
                condition=Q(kind__in=["liaison_point", "studio", "workstation"]),
                name="platform_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("members:platform-detail", args=[self.pk])


class ConstituentQuerySet(CouncilScopedQuerySet):
    def visible_to(self, user):
        """Staff (and leaders, read-only) see the council's constituents; a member only the
        contacts they keep."""
        if permissions.is_staff(user) or permissions.is_leader(user):
            return self.in_reach_of(user)
        if permissions.is_member(user):
            return self.filter(member__user=user)
        return self.none()

    def active(self):
        return self.filter(active=True)

    def never_contacted_first(self):
        return self.order_by(
            models.F("last_contacted_at").asc(nulls_first=True), "name", "id"
        )

    def search(self, text: str):
        """Name, work unit or community containing ``text`` (blank: everyone)."""
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text) | Q(unit__icontains=text) | Q(community__icontains=text)
        )


class Constituent(models.Model):
    """界别群众联系人: a person of the sector whom a member keeps in touch with.

    Personal data: the phone number is shown only to the keeping member and staff
    (``mask_phone`` for everyone else) and every change is kept in ``history``.
    """

    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="constituents", verbose_name=_("council")
    )
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, related_name="constituents", verbose_name=_("sector")
    )
    member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        related_name="constituents",
        verbose_name=_("keeping member"),
    )
    name = models.CharField(_("full name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    unit = models.CharField(_("work unit"), max_length=100, blank=True)
    occupation = models.CharField(_("occupation"), max_length=50, blank=True)
    community = models.CharField(_("community"), max_length=100, blank=True)
    tags = models.CharField(_("tags"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    consent_note = models.CharField(
        _("consent"),
        max_length=200,
        blank=True,
        help_text=_("How and when the person agreed to be kept as a contact."),
    )
    active = models.BooleanField(_("active"), default=True)
    # Kept current by the contact-log service in the same transaction as the log: makes
    # "never contacted first" and the periodic must-visit sweep index lookups, not scans.
    last_contacted_at = models.DateTimeField(_("last contacted"), null=True, blank=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ConstituentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["last_contacted_at", "updated_at"])

    class Meta:
        verbose_name = _("constituent")
        verbose_name_plural = _("constituents")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["council", "sector", "name", "id"]),
            models.Index(fields=["member", "last_contacted_at"]),
            models.Index(fields=["council", "community"]),
        ]
        constraints = [
            # The same person twice on one member's roster is a mistake (an import run
            # twice, a double tap); two members may both know the same person.
            models.UniqueConstraint(
                fields=["member", "phone"],
                condition=~Q(phone=""),
                name="constituent_unique_phone_per_member",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("members:constituent-detail", args=[self.pk])

    def phone_for(self, user) -> str:
        """The phone number as ``user`` may see it: whole for its member and staff."""
        if permissions.can_see_constituent_phone(user, self):
            return self.phone
        return mask_phone(self.phone)


def mask_phone(phone: str) -> str:
    """138****5678: keep the first three and last four digits."""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


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
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
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

"""Activities: a theory study, a reading, a forum, a free clinic… with the council's editable
kinds, named series, members' sign-up and attendance, and photos."""

from __future__ import annotations

from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.common.photos import Photo
from activities.contacts.models import Channel
from members import permissions
from members.common.querysets import CouncilOwnedQuerySet, CouncilScopedQuerySet
from members.models import Committee, Constituent, Council, Member, Platform, Sector, User

MAX_PHOTOS = 20

# The kinds a council starts with; staff rename, reorder, retire or add their own.
DEFAULT_ACTIVITY_KINDS = [
    "理论学习",
    "书香政协读书",
    "理论宣讲",
    "座谈交流",
    "调研视察",
    "送医义诊",
    "惠企政策宣传",
    "文艺演出",
    "图片展",
    "委员风采展示",
    "助农",
    "法治进校园",
]


class ActivityKind(models.Model):
    """An entry of the council's editable list of activity kinds."""

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="activity_kinds", verbose_name=_("council")
    )
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    objects = CouncilOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity kind")
        verbose_name_plural = _("activity kinds")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="activitykind_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ActivitySeries(models.Model):
    """A named series of activities, e.g. 人民政协成立75周年系列活动."""

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="activity_series", verbose_name=_("council")
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    objects = CouncilOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity series")
        verbose_name_plural = _("activity series")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="activityseries_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ActivityQuerySet(CouncilScopedQuerySet):
    def visible_to(self, user):
        """Activities are public within the council: staff and leaders read them all, members
        read them too (to sign up) but change nothing but their own sign-up."""
        if permissions.can_read_council(user):
            return self.in_reach_of(user)
        member = permissions.member_of(user) if permissions.is_member(user) else None
        if member is not None:
            return self.filter(council_id=member.council_id)
        return self.none()

    def for_list(self):
        return self.select_related("kind", "platform", "series", "committee").prefetch_related(
            "sectors"
        )

    def cross_sector(self):
        """跨界联动: activities involving two or more sectors."""
        several = (
            Activity.sectors.through.objects.values("activity_id")
            .annotate(n=Count("sector_id"))
            .filter(n__gte=2)
            .values("activity_id")
        )
        return self.filter(pk__in=several)

    def upcoming(self, now=None):
        return self.filter(state=Activity.State.PLANNED, starts_at__gt=now or timezone.now())

    def open_to(self, member: Member):
        """Activities a member may sign up for: at one of their platforms or for their sector."""
        return self.filter(
            Q(platform__members=member) | Q(sectors=member.sector_id), council_id=member.council_id
        ).distinct()

    def with_sign_up_of(self, member: Member):
        """``signed_up`` / ``attended_by_me``: whether ``member`` signed up / attended."""
        mine = Attendance.objects.filter(activity=models.OuterRef("pk"), member=member)
        return self.annotate(
            signed_up=models.Exists(mine.filter(signed_up_at__isnull=False)),
            attended_by_me=models.Exists(mine.filter(attended=True)),
        )

    def with_attendance_counts(self):
        return self.annotate(
            signed_up_count=Count(
                "attendances", filter=Q(attendances__signed_up_at__isnull=False), distinct=True
            ),
            attended_count=Count(
                "attendances", filter=Q(attendances__attended=True), distinct=True
            ),
        )


class Activity(models.Model):
    """A theory study, a reading, a forum, a free clinic, a performance… held by a platform or
    committee with members and constituents."""

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="activities", verbose_name=_("council")
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.ForeignKey(
        ActivityKind, on_delete=models.PROTECT, related_name="activities", verbose_name=_("kind")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    platform = models.ForeignKey(
        Platform,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("platform"),
    )
    committee = models.ForeignKey(
        Committee,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("organising committee"),
    )
    sectors = models.ManyToManyField(
        Sector, blank=True, related_name="activities", verbose_name=_("sectors")
    )
    series = models.ForeignKey(
        ActivitySeries,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("series"),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PLANNED)
    members = models.ManyToManyField(
        Member, through="Attendance", related_name="activities", verbose_name=_("members")
    )
    constituents_reached = models.PositiveIntegerField(_("constituents reached"), default=0)
    constituents = models.ManyToManyField(
        Constituent, blank=True, related_name="activities", verbose_name=_("named constituents")
    )
    summary = models.TextField(_("summary"), blank=True)
    # Which of the "四联四助" the activity served (the council's tags; ``activities.tags``).
    tags = models.ManyToManyField(
        "activities.LinkTag", blank=True, related_name="activities", verbose_name=_("link and help")
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["council", "starts_at"]),
            models.Index(fields=["council", "state", "starts_at"]),
            models.Index(fields=["platform", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["planned", "held", "cancelled"]), name="activity_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=["research", "forum", "online", "clinic", "reading"]),
                name="activity_channel_valid",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                name="activity_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("activities:activity-detail", args=[self.pk])

    @property
    def is_cross_sector(self) -> bool:
        """跨界联动 (reads the prefetched sectors when a list prefetched them)."""
        return len(self.sectors.all()) >= 2

    def is_upcoming(self, now=None) -> bool:
        return self.state == self.State.PLANNED and self.starts_at > (now or timezone.now())

    def has_started(self, today=None) -> bool:
        """Attendance (签到) may be marked from the day of the activity on."""
        return timezone.localdate(self.starts_at) <= (today or timezone.localdate())


class Attendance(models.Model):
    """A member at an activity: signed up (报名) beforehand and/or marked present (签到) by staff."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("activity")
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("member")
    )
    signed_up_at = models.DateTimeField(_("signed up"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), default=False)
    attended_marked_at = models.DateTimeField(_("marked at"), null=True, blank=True)
    marked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("marked by"),
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["member__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "member"], name="attendance_unique"),
        ]
        indexes = [models.Index(fields=["member", "attended"])]

    def __str__(self) -> str:
        return f"{self.member_id} @ {self.activity_id}"


class ActivityPhoto(Photo):
    owner_field, upload_folder = "activity", "activities"

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="photos", verbose_name=_("activity")
    )

    class Meta(Photo.Meta):
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")

"""Members (委员) of a council, and the platforms they serve on: liaison points, studios
and workstations."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members import permissions
from members.common import search
from members.common.querysets import CouncilOwnedQuerySet, CouncilScopedQuerySet
from members.models.council import Committee, Council, Sector, User


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

    def with_roster_figures(self):
        """Active constituents and last contact, aggregated for every row: for an export of
        all rows. A page of a list reads the members' counters and the last contact of its
        own rows only (``Constituent.objects.last_contact_by_member``)."""
        return self.with_constituent_count().annotate(
            last_contacted_at=models.Max("constituents__last_contacted_at")
        )

    def lookup(self, text: str):
        """The picker's matches: every word in the name, or digits in the phone."""
        rows = self
        for word in search.words(text):
            fields = ("name", "phone") if search.is_phone_word(word) else ("name",)
            rows = rows.filter(search.word_q(word, fields))
        return rows

    def coverage_problems(self):
        """Active members missing a responsibility zone or any active constituent: read from
        the members' own counters (``active_constituents``), not by counting their rosters."""
        return (
            self.active()
            .filter(Q(zone="") | Q(active_constituents=0))
            .annotate(constituent_count=models.F("active_constituents"))
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
    # Derived: the member's active constituents, kept by ``members.rollups`` in the transaction
    # of every roster change (F() increments under the member's row lock), so that "两个1"
    # and the coverage list need no count over the constituents.
    active_constituents = models.IntegerField(
        _("active constituents"), default=0, editable=False
    )
    # Derived: no pending (open or overdue) must-visit of the member was triggered before this
    # day; NULL: none is pending. Kept by triggers on the must-visit table (the activities
    # app's migration 0025), which lower it in the statement that adds or reopens one; closing
    # one leaves it, and the nightly rollups job sets it to the earliest again. The home page
    # reads no must-visits when it is NULL, and those of the last three or twelve months alone
    # when it falls in them: the must-visits are partitioned by the month of that day on
    # PostgreSQL, and the older months' partitions are then not opened.
    pending_since = models.DateField(_("must-visits pending since"), null=True, editable=False)

    objects = MemberQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["active_constituents", "pending_since"])

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

    objects = CouncilOwnedQuerySet.as_manager()  # public in the council: members sign up

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

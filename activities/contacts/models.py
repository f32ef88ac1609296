"""Contact logs with constituents (through one of the five channels, with photos), and the
daily counts of them (``ContactDay``) that the dashboards read instead of the raw logs."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from activities.common.photos import Photo
from activities.common.tallies import Period, PeriodTallyQuerySet
from members import permissions
from members.common.querysets import CouncilFiguresQuerySet, CouncilScopedQuerySet
from members.common.spans import read_in_span
from members.models import Constituent, Council, Member, Platform


class Channel(models.TextChoices):
    """The five channels ("5个渠道") through which members reach constituents."""

    RESEARCH = "research", _("Research and consultation")
    FORUM = "forum", _("Forums and exchange")
    ONLINE = "online", _("Online interaction")
    CLINIC = "clinic", _("Free medical clinics")
    READING = "reading", _("Reading activities")


class ContactLogQuerySet(CouncilScopedQuerySet):
    def visible_to(self, user):
        if permissions.can_read_council(user):
            return self.in_reach_of(user)
        member = permissions.member_of(user) if permissions.is_member(user) else None
        if member is not None:
            return self.filter(member=member)
        return self.none()

    def for_list(self):
        return self.select_related("member", "platform").prefetch_related("constituents")


class ContactLog(models.Model):
    """One contact of a member with one or more of the constituents on their roster."""

    class Mode(models.TextChoices):
        VISIT = "visit", _("Visit")
        PHONE = "phone", _("Phone call")
        ONLINE = "online", _("Online")
        PLATFORM = "platform", _("At a platform")

    class Difficulty(models.TextChoices):
        ILLNESS = "illness", _("Illness")
        HARDSHIP = "hardship", _("Hardship in daily life")
        ENTERPRISE = "enterprise", _("Enterprise in trouble")
        OTHER = "other", _("Other difficulty")

    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="contact_logs", verbose_name=_("council")
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="contact_logs", verbose_name=_("member")
    )
    constituents = models.ManyToManyField(
        Constituent,
        through="ContactLogConstituent",
        related_name="contact_logs",
        verbose_name=_("constituents"),
    )
    contacted_at = models.DateTimeField(_("when"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    platform = models.ForeignKey(
        Platform,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_logs",
        verbose_name=_("platform"),
    )
    summary = models.TextField(_("what was said"))
    opinions = models.TextField(_("opinions raised"), blank=True)
    # An opinion raised at this contact may be carried into a consultation session.
    consultation = models.ForeignKey(
        "activities.Consultation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_logs",
        verbose_name=_("consultation"),
    )
    # The proposal an opinion raised here became: its constituents are the ones the
    # "proposal reply feedback" must-visit sends the member back to.
    proposal = models.ForeignKey(
        "proposals.Proposal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_logs",
        verbose_name=_("proposal it became"),
    )
    difficulty = models.BooleanField(_("in difficulty"), default=False)
    # Which of the "四联四助" the contact served (the council's tags; ``activities.tags``).
    tags = models.ManyToManyField(
        "activities.LinkTag",
        through="activities.ContactLogTag",
        blank=True,
        related_name="contact_logs",
        verbose_name=_("link and help"),
    )
    difficulty_kind = models.CharField(
        _("kind of difficulty"), max_length=12, choices=Difficulty.choices, blank=True
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = ContactLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact log")
        verbose_name_plural = _("contact logs")
        ordering = ["-contacted_at", "-id"]
        indexes = [
            models.Index(fields=["council", "contacted_at"]),
            # A member's logs newest first (their history; a sector's list merges its members'
            # first pages), the council included: a sector's logs are counted, and its first
            # pages read, from the index alone (an index-only scan).
            models.Index(fields=["member", "contacted_at", "id"], include=["council"],
                         name="contactlog_member_order"),
            models.Index(fields=["council", "channel", "contacted_at"]),
            # The staff list's order for a city or province (several councils): newest first
            # read backwards, the council checked per row (from the index: it is included),
            # stopping at the page's 50 rows.
            models.Index(fields=["contacted_at", "id"], include=["council"],
                         name="contactlog_list_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=["research", "forum", "online", "clinic", "reading"]),
                name="contactlog_channel_valid",
            ),
            models.CheckConstraint(
                condition=Q(mode__in=["visit", "phone", "online", "platform"]),
                name="contactlog_mode_valid",
            ),
            # A difficulty flag always says what kind of difficulty, and only then.
            models.CheckConstraint(
                condition=(Q(difficulty=False) & Q(difficulty_kind=""))
                | (
                    Q(difficulty=True)
                    & Q(difficulty_kind__in=["illness", "hardship", "enterprise", "other"])
                ),
                name="contactlog_difficulty_kind",
            ),
            models.CheckConstraint(
                condition=~Q(mode="platform") | Q(platform__isnull=False),
                name="contactlog_platform_mode_has_platform",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.contacted_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("activities:contactlog-detail", args=[self.pk])

    @property
    def reached(self):
        """The constituents reached: those ``read_reached`` (or ``read_in_span``) put on the
        log, else the relation (prefetched by ``for_list``)."""
        read = getattr(self, "_reached", None)
        return read if read is not None else self.constituents.all()


class ContactLogConstituent(models.Model):
    """A constituent reached by a contact log (explicit so that it can be indexed).

    ``contacted_at`` is the log's, copied by the contact-log services: on PostgreSQL the links
    are partitioned by month like the logs, and their foreign key to the log is the composite
    (contact_log_id, contacted_at) → (id, contacted_at), made in SQL by the migration that
    partitions them (``activities.partitions``; docs/PARTITIONING.md), ON UPDATE CASCADE so
    that a log moved to another day takes its links along. SQLite keeps Django's own.
    """

    contact_log = models.ForeignKey(ContactLog, on_delete=models.CASCADE)
    constituent = models.ForeignKey(Constituent, on_delete=models.PROTECT)
    contacted_at = models.DateTimeField(_("when"), editable=False)

    class Meta:
        verbose_name = _("constituent reached")
        verbose_name_plural = _("constituents reached")
        constraints = [
            # With the partition key: PostgreSQL's unique indexes on a partitioned table must
            # hold it. The same as (contact_log, constituent): a log has one time.
            models.UniqueConstraint(
                fields=["contact_log", "constituent", "contacted_at"],
                name="contactlog_constituent_unique",
            ),
        ]
        indexes = [models.Index(fields=["constituent", "contact_log"])]

    def __str__(self) -> str:
        return f"{self.contact_log_id} → {self.constituent_id}"


class ContactLogPhoto(Photo):
    owner_field, upload_folder = "contact_log", "contact-logs"

    # No database constraint: the contact logs are partitioned on PostgreSQL, referenced
    # only through (id, contacted_at), which a photo does not carry (docs/PARTITIONING.md).
    # Django still deletes a log's photos with it; archiving a month takes its photos along.
    contact_log = models.ForeignKey(
        ContactLog, on_delete=models.CASCADE, related_name="photos", verbose_name=_("contact log"),
        db_constraint=False,
    )

    class Meta(Photo.Meta):
        verbose_name = _("photo")
        verbose_name_plural = _("photos")


class ContactLogKey(models.Model):
    """The key a member's device gave a contact it logged offline (a UUID made when the contact
    was queued), recorded in the transaction that stores the log. A device that sends the same
    contact again — its first answer lost with the connection — gets the log stored the first
    time, never a second one (``contact_log_create_once``). Kept apart from the logs: their table
    is partitioned on PostgreSQL, and a unique key there must hold the partition key."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="contact_log_keys", verbose_name=_("member")
    )
    key = models.UUIDField(_("device key"))
    # No database constraint (the logs are partitioned, docs/PARTITIONING.md); a log deleted
    # since leaves the key, so that a late retry does not bring it back.
    contact_log = models.ForeignKey(
        ContactLog, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        db_constraint=False, verbose_name=_("contact log"),
    )
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("offline contact key")
        verbose_name_plural = _("offline contact keys")
        constraints = [
            models.UniqueConstraint(fields=["member", "key"], name="contactlogkey_member_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} · {self.key}"


# --- Daily counts -----------------------------------------------------------------------
#
# A ``ContactDay`` row holds how many logs (and constituent contacts) a council recorded on
# one local day (Asia/Shanghai) through one channel, by members of one sector and special
# committee, at one platform. It is derived data: ``activities.contacts.rollups`` keeps it
# current in the transaction that writes a log and rebuilds it from the logs (nightly, or on
# demand), and the tests check that it equals the aggregate over the raw logs.

# The grain's "none" (no special committee, no platform). Not NULL: a unique constraint
# treats NULLs as distinct on both PostgreSQL and SQLite, and the upsert needs one row.
NONE = 0


class ContactDay(models.Model):
    """Contact logs of one council, day, channel, sector, special committee and platform.

    ``sector_id``, ``committee_id`` and ``platform_id`` are plain ids (``NONE`` for no
    committee or platform): the member's sector and committee at the time the row was last
    counted or rebuilt, and the platform of the log.
    """

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="contact_days", verbose_name=_("council")
    )
    day = models.DateField(_("day"))
    channel = models.CharField(_("channel"), max_length=10)
    sector_id = models.IntegerField(_("sector id"))
    committee_id = models.IntegerField(_("special committee id"), default=NONE)
    platform_id = models.IntegerField(_("platform id"), default=NONE)
    # Signed: a write takes its log off with an increment of -1, which must not fail the write
    # where the row had drifted (the rebuild puts it right).
    logs = models.IntegerField(_("contact logs"), default=0)
    constituent_contacts = models.IntegerField(_("constituents reached"), default=0)

    objects = CouncilFiguresQuerySet.as_manager()

    class Meta:
        verbose_name = _("daily contact count")
        verbose_name_plural = _("daily contact counts")
        constraints = [
            models.UniqueConstraint(
                fields=["council", "day", "channel", "sector_id", "committee_id", "platform_id"],
                name="contactday_grain_unique",
            ),
        ]
        indexes = [
            # The per-platform figures (the unique index serves council + period).
            models.Index(fields=["platform_id", "day"], name="contactday_platform_day"),
            # The dashboard narrowed by a sector or a committee reads only its rows.
            models.Index(fields=["sector_id", "day"], name="contactday_sector_day"),
            models.Index(fields=["committee_id", "day"], name="contactday_committee_day"),
        ]

    def __str__(self) -> str:
        return f"{self.council_id} · {self.day} · {self.channel}: {self.logs}"


class ContactTally(models.Model):
    """Contact logs of one council in one period — a day, or a month — by one dimension: per
    channel, per sector, per special committee, per platform or per "四联四助" tag.

    What the dashboards read when they are not narrowed by sector or committee: a province's
    figures for two years are a few thousand rows here, where ``ContactDay`` (every dimension
    at once, per day) holds millions. A period that is not whole months is read as its whole
    months plus the days at its ends (``in_period``). Derived from ``ContactDay`` and kept with
    it (``activities.contacts.rollups``).
    """

    class Dimension(models.TextChoices):
        CHANNEL = "channel", _("channel")
        SECTOR = "sector", _("sector")
        COMMITTEE = "committee", _("special committee")
        PLATFORM = "platform", _("platform")
        # 四联四助 tags: a log with several tags counts once under each; summed over the
        # log's tags, not derived from ContactDay (which has no tags).
        TAG = "tag", _("link-and-help tag")

    Period = Period  # (activities.common.tallies: the must-visit tally's too)

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="contact_tallies", verbose_name=_("council")
    )
    dimension = models.CharField(_("dimension"), max_length=10, choices=Dimension.choices)
    period = models.CharField(_("period"), max_length=1, choices=Period.choices)
    start = models.DateField(_("first day"))
    # The channel (dimension "channel"), or the id of the sector, committee (``NONE``: none)
    # or platform; the other one is blank or 0.
    channel = models.CharField(_("channel"), max_length=10, blank=True)
    item_id = models.IntegerField(_("item id"), default=NONE)
    logs = models.IntegerField(_("contact logs"), default=0)  # signed, as ``ContactDay``'s

    objects = PeriodTallyQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact tally")
        verbose_name_plural = _("contact tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["council", "dimension", "period", "start", "channel", "item_id"],
                name="contacttally_grain_unique",
            ),
        ]
        indexes = [
            # A city's or province's councils at once, and one platform's rows.
            models.Index(fields=["dimension", "period", "start"], name="contacttally_period"),
            models.Index(fields=["item_id", "dimension", "period", "start"],
                         name="contacttally_item"),
        ]

    def __str__(self) -> str:
        return f"{self.council_id} · {self.dimension} · {self.period}{self.start}: {self.logs}"


class ContactDayMark(models.Model):
    """How far a council's daily counts were last rebuilt: the highest contact log id then.
    The incremental rebuild (the nightly job) recounts the days of the logs added since — a
    bulk load, or rows written outside the services — and a few recent days, instead of
    every day; a council without a mark is rebuilt whole."""

    council = models.OneToOneField(
        Council, on_delete=models.CASCADE, primary_key=True, related_name="contact_day_mark",
        verbose_name=_("council"),
    )
    last_log_id = models.BigIntegerField(_("last contact log counted"), default=0)
    rebuilt_at = models.DateTimeField(_("rebuilt at"))

    class Meta:
        verbose_name = _("daily contact counts' rebuild mark")
        verbose_name_plural = _("daily contact counts' rebuild marks")

    def __str__(self) -> str:
        return f"{self.council_id} ≤ {self.last_log_id}"



def read_reached(logs, columns: tuple[str, ...] = ()) -> None:
    """Put on each of ``logs`` (a page of them) the constituents it reached (``log.reached``),
    read from the links of the page's months only (``members.common.spans``)."""
    read_in_span(logs, "constituents", "contacted_at", "_reached", columns)

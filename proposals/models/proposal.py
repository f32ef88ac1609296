"""The proposal itself, its co-signers and attachments, and the reads over them."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import connections, models
from django.db.models import Exists, F, Func, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members import permissions
from members.common import clock
from members.common.choices import label_of
from members.common.querysets import CouncilScopedQuerySet
from members.common.search import BIGRAM, MIN_INFIX, Bigram
from members.models import Committee, Council, Member, Sector
from proposals.models.reference import Category, Session

# A unit is told of a deadline this many days ahead ("临期").
DUE_SOON_DAYS = 7


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    RETURNED = "returned", _("Returned for revision")
    NOT_FILED = "not_filed", _("Not filed")
    FILED = "filed", _("Filed, to assign")
    ASSIGNED = "assigned", _("Being handled")
    REPLIED = "replied", _("Replied, to rate")
    CLOSED = "closed", _("Closed after handling")
    MERGED = "merged", _("Merged")


class ProposerKind(models.TextChoices):
    MEMBER = "member", _("Member")
    SECTOR = "sector", _("Sector")
    PARTY = "party", _("Party group")
    COMMITTEE = "committee", _("Special committee")


class ProposalQuerySet(CouncilScopedQuerySet):
    def visible_to(self, user):
        """Staff, admins and leaders: their council's proposals. A member: their own (as
        proposer or submitter), those they were invited to co-sign, and every filed one of
        their council (public fields only: the page shows internal notes to staff). A unit
        user: the proposals assigned to their unit and not sent back. Others: nothing."""
        from proposals.models.handling import Assignment

        if permissions.can_read_council(user):
            return self.in_reach_of(user)
        if permissions.is_unit(user):
            assigned = Assignment.objects.filter(
                proposal=OuterRef("pk"), unit__users=user, state__in=Assignment.HANDLED
            )
            return self.filter(Exists(assigned))
        if permissions.is_member(user):
            member = permissions.member_of(user)
            invited = CoSigner.objects.filter(proposal=OuterRef("pk"), member=member)
            return self.filter(
                Q(proposer=member)
                | Q(submitted_by=user)
                | Exists(invited)
                | Q(council_id=member.council_id, number__isnull=False)
            )
        return self.none()

    def of_member(self, member):
        """Proposals a member made or was invited to co-sign ("my proposals")."""
        invited = CoSigner.objects.filter(proposal=OuterRef("pk"), member=member)
        return self.filter(Q(proposer=member) | Q(submitted_by_id=member.user_id) | Exists(invited))

    def of_session(self, session):
        return self.filter(session=session)

    def filed(self):
        """Filed (立案) at some point: they carry a number."""
        return self.filter(number__isnull=False)

    # --- staff queues --------------------------------------------------------------------
    def to_review(self):
        """待审查: submitted or under review."""
        return self.filter(state__in=[State.SUBMITTED, State.UNDER_REVIEW])

    def to_assign(self):
        """待交办: filed, or sent back by a unit."""
        return self.filter(state=State.FILED)

    def due_soon(self, today: date, days: int = DUE_SOON_DAYS):
        """临期: being handled, deadline within ``days`` days from ``today`` (inclusive)."""
        return self.filter(
            state=State.ASSIGNED, deadline__gte=today, deadline__lte=today + timedelta(days=days)
        )

    def overdue(self, today: date):
        """超期未答复: being handled and the deadline has passed."""
        return self.filter(state=State.ASSIGNED, deadline__lt=today)

    def awaiting_rating(self):
        """待评价: replied, ratings not all in."""
        return self.filter(state=State.REPLIED)

    def unsatisfied(self):
        """不满意: sent back to the unit after a 不满意 rating of the previous round."""
        from proposals.models.handling import Rating

        rated_down = Rating.objects.filter(
            proposal=OuterRef("pk"), round=OuterRef("round") - 1, value=Rating.Value.UNSATISFIED
        )
        return self.filter(state=State.ASSIGNED, round__gt=1).filter(Exists(rated_down))

    # --- shapes for pages -----------------------------------------------------------------
    def for_list(self):
        return self.select_related(
            "session", "category", "proposer", "proposer_sector", "proposer_committee"
        )

    def with_register_columns(self):
        """The register (提案汇总表) columns in a fixed number of queries: the proposal with
        its session, category and proposer; ``reply_category`` (of the latest round, kept on the
        proposal); co-signers, active assignments (lead first) and ratings prefetched."""
        from proposals.models.handling import Assignment, Rating

        return (
            self.for_list()
            # The latest reply's category, kept on the proposal (proposals.outcome).
            .annotate(reply_category=F("latest_reply"))
            .prefetch_related(
                models.Prefetch(
                    "cosigners",
                    queryset=CoSigner.objects.select_related("member").order_by("id"),
                ),
                models.Prefetch(
                    "assignments",
                    queryset=Assignment.objects.filter(state__in=Assignment.HANDLED)
                    .select_related("unit")
                    .order_by("-is_lead", "id"),
                    to_attr="active_assignments",
                ),
                models.Prefetch(
                    "ratings",
                    queryset=Rating.objects.select_related("member").order_by("round", "id"),
                ),
            )
        )

    def for_register_page(self):
        """The register page's rows: ``with_register_columns`` with only the columns its table
        shows (the export writes more, e.g. who rated). A page of 50 rows made ~400 model
        instances, each with every column converted (five dates and times of the proposal,
        the proposer's and each co-signer's and rater's whole record); the raters are not
        read at all."""
        from proposals.models.handling import Assignment, Rating

        return (
            self.for_list()
            .annotate(reply_category=F("latest_reply"))
            .only(
                # council and session: where the proposal is counted (``from_db``).
                "council", "session__name", "number", "title", "category__name",
                "proposer_kind", "proposer__name", "proposer_sector__name",
                "proposer_committee__name", "state", "deadline", "round",
            )
            .prefetch_related(
                models.Prefetch(
                    "cosigners",
                    queryset=CoSigner.objects.select_related("member")
                    .only("proposal", "state", "member__name").order_by("id"),
                ),
                models.Prefetch(
                    "assignments",
                    queryset=Assignment.objects.filter(state__in=Assignment.HANDLED)
                    .select_related("unit").only("proposal", "is_lead", "unit__name")
                    .order_by("-is_lead", "id"),
                    to_attr="active_assignments",
                ),
                models.Prefetch(
                    "ratings",
                    queryset=Rating.objects.only("proposal", "round", "value").order_by("round", "id"),
                ),
            )
        )

    def with_reply_category(self, category: str):
        """Filter on the category of the latest reply (register filter), kept on the
        proposal (``proposals.outcome``)."""
        return self.filter(latest_reply=category)

    def search(self, text: str):
        """Number (e.g. "12" or "第012号"), title or proposer name.

        On PostgreSQL the title and the members' names have trigram indexes, which serve a
        word of three characters or more (``members.common.search``): the proposers are then
        looked up in their own tables first (``proposer_id = ANY(ARRAY(SELECT …))``), so
        every arm of the OR is an index of the proposal's and the matches are read from
        them. A word of two characters (most Chinese words) has no trigram: the titles and
        the members' names are then read from their indexes of character pairs
        (``members.common.search.Bigram``), 35 ms → 4 ms on a province's register. A
        single character, or another database: every proposal is read, with the joins to
        the proposer's tables. The same rows every way."""
        text = (text or "").strip()
        if not text:
            return self
        if len(text) == BIGRAM and connections[self.db].vendor == "postgresql":
            # Two characters (养老): the title's and the members' names' pairs of characters.
            q = (
                Q(Bigram("title", text))
                | Q(_AnyOf("proposer", Member.objects.filter(Bigram("name", text))))
                | Q(_AnyOf("proposer_sector", Sector.objects.filter(name__icontains=text)))
                | Q(_AnyOf("proposer_committee", Committee.objects.filter(name__icontains=text)))
            )
        elif len(text) >= MIN_INFIX:
            q = (
                Q(title__icontains=text)
                | Q(_AnyOf("proposer", Member.objects.filter(name__icontains=text)))
                | Q(_AnyOf("proposer_sector", Sector.objects.filter(name__icontains=text)))
                | Q(_AnyOf("proposer_committee", Committee.objects.filter(name__icontains=text)))
            )
        else:
            q = (
                Q(title__icontains=text)
                | Q(proposer__name__icontains=text)
                | Q(proposer_sector__name__icontains=text)
                | Q(proposer_committee__name__icontains=text)
            )
        digits = "".join(ch for ch in text if ch.isdigit())
        if digits and len(digits) <= 6:
            q |= Q(number=int(digits))
        return self.filter(q)


def number_label(number: int | None) -> str:
    """A filed proposal's number as it is written: 第001号 ("" before filing)."""
    return f"第{number:03d}号" if number else ""


def proposal_label(number: int | None, title: str) -> str:
    """What a proposal reads as (``str(proposal)``): its number and title, or the title
    alone before filing; for lists that read the two columns without the model."""
    return f"{number_label(number)} {title}" if number else title


class _AnyOf(Func):
    """``column = ANY(ARRAY(SELECT pk …))`` on PostgreSQL: unlike ``IN (SELECT …)`` under an
    OR (a filter checked on every row), an index on the column can serve it, the subquery
    run once. ``IN`` elsewhere."""

    output_field = models.BooleanField()

    def __init__(self, field: str, queryset):
        super().__init__(F(f"{field}_id"), Subquery(queryset.order_by().values("pk")))

    def as_sql(self, compiler, connection, **extra_context):
        (column, column_params), (rows, rows_params) = (
            compiler.compile(expression) for expression in self.source_expressions
        )
        if connection.vendor == "postgresql":
            return f"{column} = ANY(ARRAY{rows})", (*column_params, *rows_params)
        return f"{column} IN {rows}", (*column_params, *rows_params)


def _upload_to(instance, filename: str) -> str:
    return f"proposals/{instance.proposal_id or 'new'}/{filename}"


class Proposal(models.Model):
    """A proposal (提案) of one session, from one member or a collective proposer.

    ``state`` moves only through ``proposals.services`` (the table in ``proposals.rules``).
    ``version`` grows with every change: a page sends the version it showed, and a service
    refuses with a conflict if somebody changed the proposal meanwhile.
    """

    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("council")
    )
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("session")
    )
    number = models.PositiveIntegerField(_("number"), null=True, blank=True, editable=False)
    title = models.CharField(pgettext_lazy("proposal", "title"), max_length=200)
    reasons = models.TextField(_("reasons"), help_text=_("案由: the situation and the problem."))
    suggestions = models.TextField(_("suggestions"), help_text=_("建议: what should be done."))
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="proposals",
        verbose_name=_("category"),
    )
    proposer_kind = models.CharField(
        _("proposer kind"), max_length=10, choices=ProposerKind.choices, default=ProposerKind.MEMBER
    )
    proposer = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="proposals",
        verbose_name=_("proposer"),
    )
    proposer_sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, null=True, blank=True, related_name="proposals",
        verbose_name=_("proposing sector or party"),
    )
    proposer_committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, null=True, blank=True, related_name="proposals",
        verbose_name=_("proposing committee"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submitted_proposals",
        verbose_name=_("entered by"),
    )
    state = models.CharField(_("state"), max_length=15, choices=State.choices, default=State.DRAFT)
    cosign_deadline = models.DateField(_("co-signing deadline"), null=True, blank=True)
    internal_note = models.TextField(
        _("internal note"), blank=True, help_text=_("Seen by council staff only.")
    )
    not_filed_reason = models.TextField(_("reason for not filing"), blank=True)
    to_opinion = models.BooleanField(
        _("turned into an opinion"), default=False,
        help_text=_("Not filed, but passed on as a social-conditions opinion (意见建议)."),
    )
    returned_reason = models.TextField(_("reason for returning"), blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_proposals",
        verbose_name=_("merged into"),
    )
    # The handling round: 1, and one more each time a 不满意 rating sends it back.
    round = models.PositiveSmallIntegerField(_("handling round"), default=1)
    # The lead unit's current deadline, kept by the services: queues and the register
    # filter on it with an index instead of a join.
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    # The outcome as the dashboard and the register's filters count it, kept by
    # ``proposals.outcome`` whenever a reply or a rating is written: the latest reply's
    # category, and the rating the proposal counts with (``proposals.outcome.counted_rating``).
    # A province's figures then group the session's proposals by two columns instead of
    # looking up each one's replies and ratings.
    latest_reply = models.CharField(
        _("latest reply's category"), max_length=1, blank=True, editable=False
    )
    counted_rating = models.CharField(_("rating counted"), max_length=12, blank=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=clock.now, editable=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    filed_at = models.DateTimeField(_("filed"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["session", F("number").asc(nulls_last=True), "-created_at", "-id"]
        indexes = [
            models.Index(fields=["council", "state", "deadline"]),
            models.Index(fields=["session", "state"]),
            models.Index(fields=["proposer", "state"]),
            # The register's order within a session (proposals.register): a page's ids are
            # this index's entries, not a sort of every proposal in reach.
            models.Index(fields=["session", "number", "id"], name="proposal_register_order"),
        ]
        constraints = [
            # Numbered per session; with the council, the tenant key a distributed database
            # shards by (docs/SCALING.md): the session implies it (a proposal's council is its
            # session's), so the rule is as strict as (session, number).
            models.UniqueConstraint(
                fields=["session", "number", "council"], condition=Q(number__isnull=False),
                name="proposal_unique_number",
            ),
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in State]), name="proposal_state_valid"
            ),
            # Exactly one kind of proposer: a member, a sector or party, or a committee.
            models.CheckConstraint(
                condition=(
                    Q(proposer_kind="member", proposer__isnull=False,
                      proposer_sector__isnull=True, proposer_committee__isnull=True)
                    | Q(proposer_kind__in=["sector", "party"], proposer__isnull=True,
                        proposer_sector__isnull=False, proposer_committee__isnull=True)
                    | Q(proposer_kind="committee", proposer__isnull=True,
                        proposer_sector__isnull=True, proposer_committee__isnull=False)
                ),
                name="proposal_one_proposer",
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__gte=1), name="proposal_number_positive"
            ),
            models.CheckConstraint(
                condition=~Q(state="merged") | Q(merged_into__isnull=False),
                name="proposal_merged_has_lead",
            ),
        ]

    def __str__(self) -> str:
        return proposal_label(self.number, self.title)

    def get_absolute_url(self) -> str:
        return reverse("proposals:proposal-detail", args=[self.pk])

    def get_state_display(self) -> str:
        # Django's, without translating every state's label to find this one's (lists show
        # it on every row).
        return label_of(State, self.state)

    @classmethod
    def from_db(cls, db, field_names, values):
        proposal = super().from_db(db, field_names, values)
        # Where the proposal is counted (``proposals.tally``): a save that moves it to
        # another council or session recounts both.
        loaded = proposal.__dict__
        if "council_id" in loaded and "session_id" in loaded:
            proposal._tally_pair = (loaded["council_id"], loaded["session_id"])
        return proposal

    @property
    def display_number(self) -> str:
        """第001号, or "" before filing."""
        return number_label(self.number)

    @property
    def proposer_name(self) -> str:
        if self.proposer_kind == ProposerKind.MEMBER:
            return self.proposer.name if self.proposer_id else ""
        if self.proposer_kind == ProposerKind.COMMITTEE:
            return self.proposer_committee.name if self.proposer_committee_id else ""
        return self.proposer_sector.name if self.proposer_sector_id else ""


class CoSigner(models.Model):
    """A member invited by the proposer to co-sign (附议), who confirms or declines."""

    class State(models.TextChoices):
        INVITED = "invited", _("Invited")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="cosigners", verbose_name=_("proposal")
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="cosignatures", verbose_name=_("member")
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.INVITED)
    invited_at = models.DateTimeField(_("invited"), default=clock.now, editable=False)
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)

    class Meta:
        verbose_name = _("co-signer")
        verbose_name_plural = _("co-signers")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "member"], name="cosigner_unique_member"),
            models.CheckConstraint(
                condition=Q(state__in=["invited", "confirmed", "declined"]),
                name="cosigner_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_state_display()}"


class ProposalAttachment(models.Model):
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("proposal")
    )
    file = models.FileField(_("file"), upload_to=_upload_to, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

"""What constituents leave on a platform's public page (扫码反映), reached by the QR code on
the platform's poster, and what staff of the platform's council make of it.

Nothing here is ever shown to the public: the page only takes. A submission belongs to its
platform's council (``council`` is kept on the row, so the queue is one indexed lookup);
its phone number is sealed at rest like a constituent's (``members.phone_crypto``), and a
closed submission's personal data are purged after ``INTAKE_RETENTION_DAYS``
(``services.submissions_purge``), leaving the row's dates and outcome for the figures.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from activities.models import ContactLog, Reminder
from members import permissions
from members.common import clock
from members.common.querysets import CouncilScopedQuerySet
from members.models import Constituent, Council, Member, Platform
from members.models.fields import PhoneDigestField, SealedPhoneField


def new_token() -> str:
    """32 URL-safe characters (192 random bits): a poster's address cannot be guessed from
    another's, nor from the platform's id."""
    return secrets.token_urlsafe(24)


class IntakeLinkQuerySet(CouncilScopedQuerySet):
    council_field = "platform__council"

    def visible_to(self, user):
        if permissions.can_read_council(user):
            return self.in_reach_of(user)
        return self.none()


class IntakeLink(models.Model):
    """A platform's public address: ``/q/<token>/``. Made the first time its poster is
    printed; staff may give it a new token (the old posters then stop working)."""

    platform = models.OneToOneField(
        Platform, on_delete=models.CASCADE, related_name="intake_link", verbose_name=_("platform")
    )
    token = models.CharField(_("token"), max_length=43, unique=True, default=new_token)
    created_at = models.DateTimeField(_("created"), default=clock.now)

    objects = IntakeLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("platform QR link")
        verbose_name_plural = _("platform QR links")

    def __str__(self) -> str:
        return str(self.platform)

    def get_absolute_url(self) -> str:
        return reverse("intake:public", args=[self.token])


class SubmissionQuerySet(CouncilScopedQuerySet):
    def visible_to(self, user):
        """Staff and leaders of the platform's council (and of the councils above it)."""
        if permissions.can_read_council(user):
            return self.in_reach_of(user)
        return self.none()

    def awaiting(self):
        return self.filter(state=Submission.State.NEW)

    def triaged(self):
        return self.exclude(state=Submission.State.NEW)

    def became_proposal(self):
        """Assigned, and the opinion's contact log was carried into a proposal (``proposal``,
        copied from the log by ``services.submission_outcomes_refresh``: the dashboard reads
        no contact log)."""
        return self.filter(state=Submission.State.ASSIGNED, proposal__isnull=False)

    def solved(self):
        """Assigned, and the member's follow-up must-visit for the difficulty is done."""
        done = Reminder.objects.filter(flagged_by_id=OuterRef("contact_log_id"),
                                       state=Reminder.State.DONE)
        return self.filter(state=Submission.State.ASSIGNED).filter(Exists(done))

    def purgeable(self, before):
        """Triaged before ``before`` and not purged yet."""
        return self.triaged().filter(triaged_at__lt=before, purged_at__isnull=True)

    def for_list(self):
        return self.select_related("platform", "member")


class Submission(models.Model):
    """One message left on a platform's public page."""

    class Category(models.TextChoices):
        OPINION = "opinion", _("Opinion or suggestion")
        DIFFICULTY = "difficulty", _("Difficulty, asking for help")
        CONTACT = "contact", _("Please contact me")

    class State(models.TextChoices):
        NEW = "new", _("Awaiting triage")
        ASSIGNED = "assigned", _("Assigned to a member")
        MERGED = "merged", _("Merged as a duplicate")
        CLOSED = "closed", _("Closed")

    class CloseReason(models.TextChoices):
        ANSWERED = "answered", _("Answered directly")
        OUT_OF_SCOPE = "out_of_scope", _("Not a matter for the CPPCC")
        UNREACHABLE = "unreachable", _("Cannot be followed up (no way to reach the person)")
        SPAM = "spam", _("Spam or abuse")
        OTHER = "other", _("Other reason")

    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="+", verbose_name=_("council")
    )
    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("platform")
    )
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    name = models.CharField(_("name"), max_length=50, blank=True)
    phone = SealedPhoneField(_("phone"), blank=True)
    phone_hash = PhoneDigestField(_("phone hash"), source="phone", part="whole")
    phone_tail = PhoneDigestField(_("last four digits hash"), source="phone", part="tail")
    text = models.TextField(_("message"))
    consented_at = models.DateTimeField(_("consent given"))
    submitted_at = models.DateTimeField(_("submitted"), default=clock.now)

    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.NEW)
    triaged_at = models.DateTimeField(_("triaged"), null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("triaged by"),
    )
    member = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("assigned member"),
    )
    constituent = models.ForeignKey(
        Constituent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("constituent"),
    )
    # No database constraint: the contact logs are partitioned on PostgreSQL and can be
    # referenced only through (id, contacted_at) (docs/PARTITIONING.md); Django still sets it
    # to NULL when the log is deleted.
    contact_log = models.ForeignKey(
        ContactLog, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("contact log"), db_constraint=False,
    )
    # The proposal the contact log's opinion became, copied nightly from the log (the member
    # links the log to the proposal later, through the contact log's own service).
    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("became the proposal"),
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates",
        verbose_name=_("merged into"),
    )
    close_reason = models.CharField(
        _("reason for closing"), max_length=12, choices=CloseReason.choices, blank=True
    )
    close_note = models.CharField(_("note"), max_length=200, blank=True)
    purged_at = models.DateTimeField(_("personal data purged"), null=True, blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("QR submission")
        verbose_name_plural = _("QR submissions")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["council", "state", "submitted_at"], name="submission_queue_idx"),
            models.Index(fields=["council", "submitted_at"], name="submission_period_idx"),
            models.Index(fields=["council", "phone_hash"], name="submission_phone_idx"),
            models.Index(fields=["triaged_at"], name="submission_triaged_idx",
                         condition=Q(purged_at__isnull=True)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=["opinion", "difficulty", "contact"]),
                name="submission_category_valid",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["new", "assigned", "merged", "closed"]),
                name="submission_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return _("QR submission %(number)s") % {"number": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("intake:submission-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state == self.State.NEW


class BlockedPhoneQuerySet(CouncilScopedQuerySet):
    def visible_to(self, user):
        if permissions.can_read_council(user):
            return self.in_reach_of(user)
        return self.none()


class BlockedPhone(models.Model):
    """A number staff of a council no longer take submissions from (abuse, a flood)."""

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="+", verbose_name=_("council")
    )
    phone = SealedPhoneField(_("phone"))
    phone_hash = PhoneDigestField(_("phone hash"), source="phone", part="whole")
    phone_tail = PhoneDigestField(_("last four digits hash"), source="phone", part="tail")
    note = models.CharField(_("note"), max_length=200, blank=True)
    blocked_at = models.DateTimeField(_("blocked"), default=clock.now)
    blocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("blocked by"),
    )

    objects = BlockedPhoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("blocked phone number")
        verbose_name_plural = _("blocked phone numbers")
        ordering = ["-blocked_at", "-id"]
        indexes = [models.Index(fields=["council", "phone_hash"], name="blockedphone_hash_idx")]

    def __str__(self) -> str:
        from members.models.constituent import mask_phone

        return mask_phone(self.phone)

"""Constituents: the people a member keeps in touch with (their roster, "两个1")."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members import permissions, phone_crypto
from members.common import search
from members.common.querysets import CouncilScopedQuerySet
from members.models.council import Council, Sector
from members.models.fields import PhoneDigestField, SealedPhoneField
from members.models.member import Member
from members.phones import normalize_phone


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


    def with_phone(self, phone: str):
        """The constituents with this (normalised) number: by its keyed hash, under every
        configured key (rows not yet rotated are found too)."""
        return self.filter(phone_hash__in=phone_crypto.digests(phone)) if phone else self.none()

    def lookup(self, text: str, user):
        """The picker's matches: every word in the name, or a phone-shaped word in the phone
        alone — the phone only of the constituents ``user`` sees whole (``phone_search_q``)."""
        rows = self
        for word in search.words(text):
            phone = phone_search_q(user, word)
            rows = rows.filter(search.word_q(word, ("name",)) if phone is None else phone)
        return rows

    def last_contact_by_member(self, member_ids) -> dict:
        """``{member id: last contact}`` for a page of members: one grouped read of their
        rosters off the ``(member, last_contacted_at)`` index."""
        rows = (
            self.filter(member_id__in=list(member_ids), last_contacted_at__isnull=False)
            .values("member_id")
            .annotate(last=models.Max("last_contacted_at"))
            .order_by()
        )
        return {row["member_id"]: row["last"] for row in rows}


def phone_word_q(word: str) -> Q | None:
    """A search word as a phone search: a whole number (typed any way ``normalize_phone``
    reads) matches by its keyed hash, four digits match the numbers' last four by theirs.
    The numbers are sealed, so nothing else of them can be searched (no "contains 1234").
    ``None``: the word is neither."""
    if word.isdigit() and len(word) == phone_crypto.TAIL_DIGITS:
        return Q(phone_tail__in=phone_crypto.tail_digests(word))
    if not any(c.isdigit() for c in word):
        return None
    try:
        phone = normalize_phone(word)
    except ValidationError:
        return None
    return Q(phone_hash__in=phone_crypto.digests(phone)) if phone else None


def phone_search_q(user, word: str) -> Q | None:
    """A match on constituents' phone numbers (``phone_word_q``), only among those ``user``
    sees whole (``permissions.can_see_constituent_phone``: staff all, a member their own):
    searching masked numbers would let a reader rebuild them digit by digit. ``None``: no
    phone search (that user, or a word that is no phone search)."""
    condition = phone_word_q(word)
    if condition is None:
        return None
    if permissions.is_staff(user):
        return condition
    if permissions.is_member(user):
        return condition & Q(member__user=user)
    return None


class Constituent(models.Model):
    """界别群众联系人: a person of the sector whom a member keeps in touch with.

    Personal data: the phone number is shown only to the keeping member and staff
    (``mask_phone`` for everyone else) and every change is kept in ``history``. It is sealed
    at rest (SM4, ``members.phone_crypto``): the column holds ciphertext, and lookups and the
    one-phone-per-roster rule use its keyed hashes ``phone_hash`` / ``phone_tail``.
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
    phone = SealedPhoneField(_("phone"), blank=True)
    phone_hash = PhoneDigestField(_("phone hash"), source="phone", part="whole")
    phone_tail = PhoneDigestField(_("last four digits hash"), source="phone", part="tail")
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
    # The history keeps the number sealed too, and not its hashes (lookups read the rows).
    history = HistoricalRecords(
        excluded_fields=["last_contacted_at", "updated_at", "phone_hash", "phone_tail"]
    )

    class Meta:
        verbose_name = _("constituent")
        verbose_name_plural = _("constituents")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["council", "sector", "name", "id"]),
            models.Index(fields=["member", "last_contacted_at"]),
            models.Index(fields=["council", "community"]),
            # The must-visit sweep's watermark (activities.reminders.services.sweep) reads one
            # range of each: the constituents added or edited since its last run, and those
            # whose periodic visit (due after the last contact, or after being added) came
            # due since.
            models.Index(fields=["council", "updated_at"], name="constituent_changed_idx"),
            models.Index(
                F("council"), Coalesce("last_contacted_at", "created_at"),
                name="constituent_visit_anchor_idx",
            ),
            # A phone search: the whole number's hash, or the last four digits'.
            models.Index(fields=["council", "phone_hash"], name="constituent_phone_hash_idx"),
            models.Index(fields=["council", "phone_tail"], name="constituent_phone_tail_idx"),
        ]
        constraints = [
            # The same person twice on one member's roster is a mistake (an import run
            # twice, a double tap); two members may both know the same person.
            # By the number's keyed hash (the number itself is sealed). With the council: the
            # tenant key a distributed database shards by (docs/SCALING.md); the member implies
            # it (a constituent's council is its member's), so the rule is as strict as
            # (member, phone hash).
            models.UniqueConstraint(
                fields=["member", "phone_hash", "council"],
                condition=~Q(phone_hash=""),
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

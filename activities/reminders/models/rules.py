"""Must-visit rules ("8个必访") as data, and the campaigns staff start under a rule.

A rule is data, not code: staff rename, re-time, disable and add rules in the portal. The
eight defaults (``DEFAULT_RULES``) are installed for every council by a data migration and
by ``activities.reminders.services.rules.rules_install_defaults``; they are editable defaults, not the
official wording of the "1158" method.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members import permissions
from members.common.querysets import CouncilOwnedQuerySet, CouncilScopedQuerySet
from members.models import Council, Sector, User

WINDOW_DATE = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


class TriggerType(models.TextChoices):
    PERIODIC = "periodic", _("Periodic visit")
    FIRST_VISIT = "first_visit", _("First visit to a new contact")
    CAMPAIGN = "campaign", _("Campaign (meeting or policy)")
    CALENDAR = "calendar", _("Calendar window (festivals)")
    DIFFICULTY = "difficulty", _("Constituent in difficulty")
    CONSULTATION = "consultation", _("Before a consultation")
    PROPOSAL_REPLIED = "proposal_replied", _("Proposal reply feedback")


# Trigger types whose reminders name no constituent: the member visits any of theirs.
MEMBER_LEVEL_TRIGGERS = {TriggerType.CALENDAR, TriggerType.CONSULTATION}


def validate_windows(value) -> None:
    """Calendar windows: a list of ``{"label": str, "start": "MM-DD", "end": "MM-DD"}``."""
    if not isinstance(value, list):
        raise ValidationError(_("Windows must be a list."))
    for window in value:
        if not isinstance(window, dict) or not str(window.get("label", "")).strip():
            raise ValidationError(_("Every window needs a label."))
        start, end = window.get("start", ""), window.get("end", "")
        if not (WINDOW_DATE.match(str(start)) and WINDOW_DATE.match(str(end))):
            raise ValidationError(_("Window dates are written MM-DD, e.g. 09-21."))
        if start > end:
            raise ValidationError(_("A window must end after it starts, within one year."))


class MustVisitRuleQuerySet(CouncilOwnedQuerySet):
    """Staff and leaders read their council's rules; members read them too (the "why" of
    their reminders) but only staff change them."""

    def active(self):
        return self.filter(active=True)


class MustVisitRule(models.Model):
    """One occasion on which a member must visit constituents, with its parameters."""

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="must_visit_rules", verbose_name=_("council")
    )
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("description"), max_length=300, blank=True)
    trigger_type = models.CharField(_("trigger"), max_length=20, choices=TriggerType.choices)
    period_days = models.PositiveSmallIntegerField(
        _("every N days"),
        null=True,
        blank=True,
        help_text=_("Periodic visits: a constituent is due N days after the last contact."),
    )
    within_days = models.PositiveSmallIntegerField(
        _("within N days"),
        null=True,
        blank=True,
        help_text=_("Due N days after the event (new contact, campaign, difficulty, reply)."),
    )
    lead_days = models.PositiveSmallIntegerField(
        _("shown N days ahead"),
        default=14,
        help_text=_("Periodic visits appear this many days before they are due."),
    )
    windows = models.JSONField(
        _("calendar windows"),
        default=list,
        blank=True,
        validators=[validate_windows],
        help_text=_("Calendar rules: dates every year, e.g. [{\"label\": \"中秋\", \"start\": \"09-10\", \"end\": \"09-25\"}]."),
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        _("escalate after N days overdue"),
        null=True,
        blank=True,
        help_text=_("Empty: the portal's default."),
    )
    sectors = models.ManyToManyField(
        Sector,
        blank=True,
        related_name="must_visit_rules",
        verbose_name=_("sectors"),
        help_text=_("Empty: all sectors."),
    )
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = MustVisitRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("must-visit rule")
        verbose_name_plural = _("must-visit rules")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="mustvisitrule_unique_name"),
            models.CheckConstraint(
                condition=Q(trigger_type__in=[t.value for t in TriggerType]),
                name="mustvisitrule_trigger_valid",
            ),
            models.CheckConstraint(
                condition=~Q(trigger_type="periodic") | Q(period_days__gte=1),
                name="mustvisitrule_periodic_has_period",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_member_level(self) -> bool:
        return self.trigger_type in MEMBER_LEVEL_TRIGGERS

    def clean(self):
        errors = {}
        if self.trigger_type == TriggerType.PERIODIC and not self.period_days:
            errors["period_days"] = _("A periodic rule needs the number of days.")
        needs_within = {
            TriggerType.FIRST_VISIT, TriggerType.CAMPAIGN, TriggerType.DIFFICULTY,
            TriggerType.PROPOSAL_REPLIED,
        }
        if self.trigger_type in needs_within and not self.within_days:
            errors["within_days"] = _("This rule needs the number of days it allows.")
        if self.trigger_type == TriggerType.CALENDAR and not self.windows:
            errors["windows"] = _("A calendar rule needs at least one window.")
        if errors:
            raise ValidationError(errors)

    def windows_in(self, year: int) -> list[tuple[str, date, date]]:
        """The calendar windows of ``year`` as (label, start, end)."""
        result = []
        for window in self.windows or []:
            start_m, start_d = (int(x) for x in window["start"].split("-"))
            end_m, end_d = (int(x) for x in window["end"].split("-"))
            try:
                result.append(
                    (window["label"], date(year, start_m, start_d), date(year, end_m, end_d))
                )
            except ValueError:  # 02-29 outside a leap year
                continue
        return result


class CampaignQuerySet(CouncilScopedQuerySet):
    def visible_to(self, user):
        if permissions.can_read_council(user):
            return self.in_reach_of(user)
        return self.none()

    def with_progress(self):
        """``reminder_count`` and ``done_count``: the reminders a campaign made — two
        correlated counts in the same query (on the reminders' partial campaign index)."""
        from django.db.models import Count, OuterRef, Subquery
        from django.db.models.functions import Coalesce

        from activities.reminders.models.reminders import Reminder  # it names the rules

        def count(**filters):
            rows = (
                Reminder.objects.filter(campaign_id=OuterRef("pk"), **filters)
                .order_by().values("campaign_id").annotate(n=Count("id")).values("n")
            )
            return Coalesce(Subquery(rows, output_field=models.IntegerField()), 0)

        return self.annotate(reminder_count=count(), done_count=count(state="done"))


class Campaign(models.Model):
    """Staff ask members to visit constituents after a meeting or a new policy."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("Conveying a meeting")
        POLICY = "policy", _("New policy")

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="campaigns", verbose_name=_("council")
    )
    rule = models.ForeignKey(
        MustVisitRule, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("rule")
    )
    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    sectors = models.ManyToManyField(
        Sector, blank=True, related_name="campaigns", verbose_name=_("sectors"),
        help_text=_("Empty: all sectors."),
    )
    started_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("started by")
    )
    started_on = models.DateField(_("started on"))
    due_on = models.DateField(_("due on"))

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(due_on__gte=models.F("started_on")),
                                   name="campaign_due_after_start"),
            models.CheckConstraint(condition=Q(kind__in=["meeting", "policy"]),
                                   name="campaign_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.title

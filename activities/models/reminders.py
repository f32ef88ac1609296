"""Must-visit rules ("8个必访") as data, the campaigns staff start, and the reminders the
rules produce for each member.

A rule is data, not code: staff rename, re-time, disable and add rules in the portal. The
eight defaults (``DEFAULT_RULES``) are installed for every council by a data migration and
by ``activities.reminders.rules_install_defaults``; they are editable defaults, not the
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
from members.models import Constituent, Council, Member, Sector, User

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


class MustVisitRuleQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff and leaders read their council's rules; members read them too (the "why"
        of their reminders) but only staff change them."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(permissions.council_q(user))

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


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user):
        if permissions.can_read_council(user):
            return self.filter(permissions.council_q(user))
        return self.none()

    def with_progress(self):
        """``reminder_count`` and ``done_count``: the reminders a campaign made (their
        period key names it) — two correlated counts in the same query."""
        from django.db.models import Count, OuterRef, Subquery, Value
        from django.db.models.functions import Cast, Coalesce, Concat

        key = Concat(Value("campaign-"), Cast(OuterRef("pk"), models.CharField()))

        def count(**filters):
            rows = (
                Reminder.objects.filter(rule_id=OuterRef("rule_id"), period_key=key, **filters)
                .order_by().values("rule_id").annotate(n=Count("id")).values("n")
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


class ReminderQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff and leaders: their council's reminders; a member: their own."""
        if permissions.can_read_council(user):
            return self.filter(permissions.council_q(user))
        if permissions.is_member(user):
            return self.filter(member__user=user)
        return self.none()

    def pending(self):
        return self.filter(state__in=[Reminder.State.OPEN, Reminder.State.OVERDUE])

    def for_list(self):
        return self.select_related("rule", "member", "constituent").order_by("due_on", "id")

    def due_today(self, today: date):
        return self.filter(state=Reminder.State.OPEN, due_on=today)

    def due_soon(self, today: date, days: int):
        from datetime import timedelta

        return self.filter(
            state=Reminder.State.OPEN, due_on__gt=today, due_on__lte=today + timedelta(days=days)
        )

    def overdue(self):
        return self.filter(state=Reminder.State.OVERDUE)

    def compliance(self, group_by: str):
        """Per ``group_by`` value: on-time rate and counts, as one aggregate query.

        On time = done with a contact on or before the due date. The rate is over the
        reminders that have come due (done or overdue); open ones not yet due and
        dismissed ones are not counted against anybody.
        """
        S = Reminder.State
        rows = (
            self.values(group_by)
            .annotate(
                total=models.Count("id"),
                done=models.Count("id", filter=Q(state=S.DONE)),
                on_time_count=models.Count("id", filter=Q(state=S.DONE, on_time=True)),
                overdue_count=models.Count("id", filter=Q(state=S.OVERDUE)),
                open_count=models.Count("id", filter=Q(state=S.OPEN)),
            )
            .order_by(group_by)
        )
        return rows


class Reminder(models.Model):
    """A must-visit one member owes: a constituent (or, for calendar and consultation rules,
    any of their constituents) to visit by ``due_on``.

    ``period_key`` names the occasion (``since-2025-01-03``, ``campaign-7``,
    ``2025-09-10`` …): the unique constraints on (rule, member, constituent, period key)
    make generation idempotent — a sweep run twice, or by two workers at once, inserts once.
    """

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        OVERDUE = "overdue", _("Overdue")
        DISMISSED = "dismissed", _("Dismissed")

    # No single-column indexes on council, rule and member: the composite indexes and the
    # unique constraint below lead with them, and every index slows the sweep's inserts.
    # ``council`` repeats the member's council (the sweep copies it from the same row as the
    # member) so that staff lists filter one column. It has no database constraint: its
    # check ran once per inserted reminder at commit (one of five; ~0.7 s of a 100,000-
    # reminder campaign) to prove again what the checked FK to the member already holds.
    # Django still cascades a deleted council to its reminders, and the database refuses to
    # delete a council while its members — which the reminders' checked FK keeps — exist.
    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("council"),
        db_index=False, db_constraint=False,
    )
    rule = models.ForeignKey(
        MustVisitRule, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("rule"),
        db_index=False,
    )
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("member"),
        db_index=False,
    )
    constituent = models.ForeignKey(
        Constituent,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("constituent"),
    )
    period_key = models.CharField(_("occasion"), max_length=40)
    note = models.CharField(_("about"), max_length=200, blank=True)
    # The day of the event that opened the reminder: a contact on or after it satisfies it
    # (campaign, calendar, difficulty, consultation, proposal feedback).
    trigger_on = models.DateField(_("triggered on"))
    due_on = models.DateField(_("due on"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    dismissed_reason = models.CharField(_("reason for dismissing"), max_length=200, blank=True)
    satisfied_by = models.ForeignKey(
        "activities.ContactLog",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="satisfied_reminders",
        verbose_name=_("satisfied by"),
        db_index=False,  # a partial index below: reminders are born unsatisfied
    )
    on_time = models.BooleanField(_("on time"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["member", "state", "due_on"]),
            models.Index(fields=["council", "state", "due_on"]),
            # Only closed reminders name a contact log: the sweep's inserts skip this index,
            # and "WHERE satisfied_by_id = …" (a contact log deleted: SET NULL) still uses it.
            models.Index(
                fields=["satisfied_by"], condition=Q(satisfied_by__isnull=False),
                name="reminder_satisfied_by_idx",
            ),
        ]
        constraints = [
            # (rule, period key) first: one occasion's reminders (a campaign's, a window's)
            # are one index range — the campaign progress counts and the sweep's "not yet
            # created" test read just that range.
            models.UniqueConstraint(
                fields=["rule", "period_key", "member", "constituent"],
                name="reminder_unique_occasion",
            ),
            # NULLs are distinct in a unique index (SQLite, and PostgreSQL by default), so
            # member-level reminders get their own partial index to stay idempotent.
            models.UniqueConstraint(
                fields=["rule", "period_key", "member"],
                condition=Q(constituent__isnull=True),
                name="reminder_unique_member_occasion",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["open", "done", "overdue", "dismissed"]),
                name="reminder_state_valid",
            ),
            models.CheckConstraint(
                condition=~Q(state="dismissed") | ~Q(dismissed_reason=""),
                name="reminder_dismissed_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} · {self.constituent or self.member} · {self.due_on}"

    def is_overdue(self, today: date) -> bool:
        return self.state in (self.State.OPEN, self.State.OVERDUE) and self.due_on < today

"""The reminders the rules make: a must-visit one member owes, open until a contact closes
it (or it is dismissed), overdue after its due date."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from activities.contacts.models import ContactLog
from activities.reminders.models.rules import MustVisitRule, TriggerType
from members import permissions
from members.common.querysets import CouncilScopedQuerySet
from members.models import Constituent, Council, Member


class ReminderQuerySet(CouncilScopedQuerySet):
    def visible_to(self, user):
        """Staff and leaders: their council's reminders; a member: their own."""
        if permissions.can_read_council(user):
            return self.in_reach_of(user)
        if permissions.is_member(user):
            return self.filter(member__user=user)
        return self.none()

    def pending(self):
        return self.filter(state__in=[Reminder.State.OPEN, Reminder.State.OVERDUE])

    def for_list(self):
        return self.select_related("rule", "member", "constituent").order_by("due_on", "id")

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
    ``2025-09-10`` …) for the unique constraints on (rule, member, constituent, period key)
    only: they make generation idempotent — a sweep run twice, or by two workers at once,
    inserts once. Nothing reads an occasion out of it: what a reminder is about is its
    source, a foreign key — ``campaign``, ``consultation``, ``proposal`` (whose reply the
    member reports back on) or ``flagged_by`` (the contact log that flagged a difficulty).
    Periodic, first-visit and calendar reminders have none.
    """

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        OVERDUE = "overdue", _("Overdue")
        DISMISSED = "dismissed", _("Dismissed")

    # No single-column indexes on council, rule and member: the composite indexes and the
    # unique constraint below lead with them, and every index slows the sweep's inserts.
    # ``council`` repeats the member's council (the sweep copies it from the same row as the
    # member) so that staff lists filter one column. It has no database constraint (nor have
    # ``member`` and ``constituent``, below): its check ran once per inserted reminder at
    # commit (~0.7 s of a 100,000-reminder campaign) to prove again what the row it was read
    # from already holds. Django still cascades a deleted council to its reminders, and the
    # database refuses to delete a council while it has members (checked, PROTECT).
    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("council"),
        db_index=False, db_constraint=False,
    )
    # The rule keeps its database constraint: the sweep writes its id as a constant, not read
    # from the rule's row in the same statement, and a reminder whose rule is gone can be
    # neither shown nor explained. It is the one checked foreign key a new reminder pays for
    # (~5 µs a row; the rules table is tiny and always cached).
    rule = models.ForeignKey(
        MustVisitRule, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("rule"),
        db_index=False,
    )
    # ``member``, ``constituent`` and the sources below have no database constraint. Every
    # reminder is written by one INSERT … SELECT that reads these ids from the referenced rows
    # themselves — the constituent row (its id, its member_id), the member row, the contact
    # log and its link rows, the consultation's rows — in the same statement, and each of
    # those rows' own foreign keys is checked. Rechecking them once per inserted row cost more
    # than the insert (1.2 s + 0.9 s of FK triggers for 100,000 reminders, and ~0.1 s for
    # each NULL source). Deletes stay safe: Django cascades (or sets NULL) on these fields as
    # before, and the database refuses to delete a member or constituent while contact logs
    # or constituents (checked, PROTECT) still name them.
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("member"),
        db_index=False, db_constraint=False,
    )
    constituent = models.ForeignKey(
        Constituent,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("constituent"),
        db_constraint=False,
    )
    period_key = models.CharField(_("occasion"), max_length=40)
    # The source of the occasion (see the class docstring). SET_NULL: deleting a source leaves
    # its reminders' history, as before they named it. Each has a partial index (rows without
    # that source skip it, so the sweep's periodic inserts do not pay for it) for the queries
    # by source — a campaign's progress, a consultation moved — and for the deletes.
    # None has a database constraint (see ``member`` above; ``campaign``'s id is the campaign
    # the same transaction read): Django still sets them to NULL when a source is deleted.
    campaign = models.ForeignKey(
        "activities.Campaign", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="reminders", verbose_name=_("campaign"), db_index=False, db_constraint=False,
    )
    consultation = models.ForeignKey(
        "activities.Consultation", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="reminders", verbose_name=_("consultation"), db_index=False,
        db_constraint=False,
    )
    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("proposal"), db_index=False, db_constraint=False,
    )
    flagged_by = models.ForeignKey(
        "activities.ContactLog", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="difficulty_reminders", verbose_name=_("contact log"), db_index=False,
        db_constraint=False,
    )
    note = models.CharField(_("about"), max_length=200, blank=True)
    # The day of the event that opened the reminder: a contact on or after it satisfies it
    # (campaign, calendar, difficulty, consultation, proposal feedback).
    trigger_on = models.DateField(_("triggered on"))
    due_on = models.DateField(_("due on"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    dismissed_reason = models.CharField(_("reason for dismissing"), max_length=200, blank=True)
    # No database constraint on PostgreSQL: the contact logs are partitioned there and can be
    # referenced only through (id, contacted_at), which a reminder does not carry
    # (docs/PARTITIONING.md). It is written by the closing UPDATE of one contact log, read in
    # the same transaction; Django sets it to NULL when the log is deleted, and archiving a
    # month puts it back on restore. SQLite keeps its constraint.
    satisfied_by = models.ForeignKey(
        "activities.ContactLog",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="satisfied_reminders",
        verbose_name=_("satisfied by"),
        db_index=False,  # a partial index below: reminders are born unsatisfied
        db_constraint=False,
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
            # The staff list's order (due first) across a city's or province's councils.
            models.Index(fields=["due_on", "id"], include=["council"], name="reminder_list_order"),
            # Only closed reminders name a contact log: the sweep's inserts skip this index,
            # and "WHERE satisfied_by_id = …" (a contact log deleted: SET NULL) still uses it.
            models.Index(
                fields=["satisfied_by"], condition=Q(satisfied_by__isnull=False),
                name="reminder_satisfied_by_idx",
            ),
            *(
                models.Index(
                    fields=[source], condition=Q(**{f"{source}__isnull": False}),
                    name=f"reminder_{source}_idx",
                )
                for source in ("campaign", "consultation", "proposal", "flagged_by")
            ),
        ]
        constraints = [
            # (rule, period key) first: one occasion's reminders (a campaign's, a window's)
            # are one index range — the campaign progress counts and the sweep's "not yet
            # created" test read just that range.
            # ``trigger_on`` last: on PostgreSQL the reminders are partitioned by it (the month
            # of the occasion), and a unique index of a partitioned table must hold the key.
            # An occasion has one trigger day (its event's), so this is still one reminder per
            # occasion (docs/PARTITIONING.md).
            models.UniqueConstraint(
                fields=["rule", "period_key", "member", "constituent", "trigger_on"],
                name="reminder_unique_occasion",
            ),
            # NULLs are distinct in a unique index (SQLite, and PostgreSQL by default), so
            # member-level reminders get their own partial index to stay idempotent.
            models.UniqueConstraint(
                fields=["rule", "period_key", "member", "trigger_on"],
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

    @property
    def note_label(self) -> str:
        return note_label(self.rule.trigger_type, self.note)


def note_label(trigger_type: str, note: str) -> str:
    """What a reminder is about, for people: a difficulty reminder stores the kind's code
    (``illness``), shown as its name (疾病)."""
    if trigger_type == TriggerType.DIFFICULTY and note:
        try:
            return str(ContactLog.Difficulty(note).label)
        except ValueError:
            return note
    return note

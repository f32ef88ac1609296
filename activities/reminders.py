"""Must-visit reminders: generation (the daily sweep and the event services), closing,
the daily digest and the weekly escalation.

Generation is set-based: every rule is one ``INSERT … SELECT … ON CONFLICT DO NOTHING``
(a ``UNION ALL`` of selects when several campaigns run or several calendar windows are open)
built from querysets, never a Python loop over constituents: the number of queries per rule
does not grow with the data (``bench/reminders_sweep.py`` measures it at 100,000
constituents). The unique constraints on ``Reminder`` make every statement idempotent, so
the sweep may run twice, by two workers at once, or after a crash, and it catches up days
it missed: which reminders should exist is derived from the data (last contact, dates of
events), not from the day the sweep last ran.

When a reminder is done — ``reminders_close_for_contact`` (called by the contact-log
service in the same transaction) decides per trigger type:

==================  ===========================================================  ==========
trigger             a contact log closes it when …                                 level
==================  ===========================================================  ==========
periodic            it reaches the constituent (any contact, any date)            constituent
first_visit         it reaches the constituent (any contact)                      constituent
campaign            it reaches the constituent on/after the campaign started      constituent
difficulty          it reaches the constituent on/after the flagged contact,      constituent
                    and is not the flagging contact itself
proposal_replied    it reaches the constituent on/after the reply AND names the   constituent
                    proposal (``ContactLog.proposal``) — feedback is about it
calendar            the member logs any contact on/after the window opened        member
consultation        the member logs any contact on/after it was scheduled         member
==================  ===========================================================  ==========

A contact after the due date still closes the reminder (done late, ``on_time`` False).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, Left, TruncDate
from django.db.models.lookups import LessThan
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from activities.models import (
    Campaign,
    Consultation,
    ContactLog,
    ContactLogConstituent,
    MustVisitRule,
    Reminder,
    TriggerType,
)
from members.models import Constituent, Council, Member, User
from members.services import notification_send
from members.tasks import enqueue_on_commit

log = logging.getLogger(__name__)

# Days ahead a reminder counts as "due soon" on the member's home and in the digest.
DUE_SOON_DAYS = 7
# Event triggers older than this (beyond their own window) are not re-created by the sweep.
CATCH_UP_DAYS = 30

DEFAULT_RULES = [
    # Editable defaults, not the official wording: the UI says so ("默认规则，可修改").
    # (order, name, trigger, period_days, within_days, windows, description)
    (1, "定期走访", TriggerType.PERIODIC, 90, None, [], "每位联系群众至少每季度走访一次（距上次联系90天内）。"),
    (2, "新联系人首访", TriggerType.FIRST_VISIT, None, 30, [], "新增联系群众后30天内完成首次走访。"),
    (3, "重要会议精神传达", TriggerType.CAMPAIGN, None, 30, [], "全会或重要会议后，30天内向联系群众传达会议精神。"),
    (4, "重大政策出台", TriggerType.CAMPAIGN, None, 30, [], "涉及界别的重大政策出台后，30天内走访相关界别群众。"),
    (5, "重要节日走访", TriggerType.CALENDAR, None, None, [
        {"label": "春节", "start": "01-15", "end": "02-15"},
        {"label": "中秋、人民政协成立纪念日", "start": "09-10", "end": "09-30"},
    ], "春节、中秋为农历节日，请每年按当年日期调整窗口。"),
    (6, "群众遇到困难", TriggerType.DIFFICULTY, None, 7, [], "联系记录标记群众遇到困难后，7天内再次走访。"),
    (7, "协商议事前", TriggerType.CONSULTATION, None, None, [], "协商议事活动举行前，参加委员走访联系群众听取意见。"),
    (8, "提案办理反馈", TriggerType.PROPOSAL_REPLIED, None, 15, [], "源自群众意见的提案答复后，15天内向提出意见的群众反馈。"),
]


# --- SQL helpers -------------------------------------------------------------------------


class AddDays(models.Func):
    """``date + n days`` as a date, on PostgreSQL and SQLite alike."""

    output_field = models.DateField()

    def __init__(self, expression, days: int):
        super().__init__(expression, Value(int(days)))

    def as_postgresql(self, compiler, conn, **extra):
        return self.as_sql(compiler, conn, template="(%(expressions)s)", arg_joiner=" + ", **extra)

    def as_sqlite(self, compiler, conn, **extra):
        return self.as_sql(
            compiler, conn, template="date(%(expressions)s || ' days')", arg_joiner=", '+' || ",
            **extra,
        )


def _local_date(expression):
    return TruncDate(expression, tzinfo=timezone.get_current_timezone())


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


REMINDER_COLUMNS = [
    "council_id", "rule_id", "member_id", "constituent_id", "period_key", "note",
    "trigger_on", "due_on", "state", "dismissed_reason", "on_time", "created_at",
]


def _select(queryset, *, rule: MustVisitRule, today: date, **values):
    """``queryset`` as the rows of new reminders, in ``REMINDER_COLUMNS`` order.

    ``values`` gives an expression for each of council_id, member_id, constituent_id,
    period_key, note, trigger_on and due_on; the rest are constants.
    """
    now = timezone.now()
    exprs = {
        "council_id": values["council_id"],
        "rule_id": Value(rule.pk),
        "member_id": values["member_id"],
        # Typed: in a UNION, PostgreSQL would read a bare NULL as text.
        "constituent_id": values.get(
            "constituent_id", Cast(Value(None), models.BigIntegerField())
        ),
        "period_key": values["period_key"],
        "note": Left(values.get("note", Value("")), 200),
        "trigger_on": values["trigger_on"],
        "due_on": values["due_on"],
        # Born overdue when the sweep catches up on a past due date: no second pass.
        "state": Case(
            When(LessThan(values["due_on"], Value(today, models.DateField())),
                 then=Value(Reminder.State.OVERDUE.value)),
            default=Value(Reminder.State.OPEN.value),
        ),
        "dismissed_reason": Value(""),
        "on_time": Value(False),
        "created_at": Value(now, models.DateTimeField()),
    }
    aliases = {f"r_{name}": expr for name, expr in exprs.items()}
    return queryset.order_by().annotate(**aliases).values_list(*aliases)


# The unique index each level of reminder may collide with (see ``Reminder.Meta``). Naming
# it, rather than a bare ON CONFLICT, makes it the only index probed before each insert.
_CONFLICT_TARGET = {
    False: '("rule_id", "period_key", "member_id", "constituent_id")',
    True: '("rule_id", "period_key", "member_id") WHERE "constituent_id" IS NULL',
}


def _insert(queryset, *, rule: MustVisitRule, today: date, **values) -> int:
    """Turn ``queryset`` into ``INSERT INTO reminder … SELECT … ON CONFLICT DO NOTHING``.

    ``values`` as for ``_select``. One statement, whatever the number of rows; returns the
    number of reminders created.
    """
    return _insert_rows([_select(queryset, rule=rule, today=today, **values)],
                        member_level=rule.is_member_level)


def _insert_rows(selects: list, *, member_level: bool) -> int:
    """One ``INSERT … SELECT … UNION ALL SELECT … ON CONFLICT DO NOTHING`` of ``selects``
    (from ``_select``): a rule with several occasions at once (campaigns, windows) still
    costs one statement."""
    if not selects:
        return 0
    select = selects[0].union(*selects[1:], all=True) if len(selects) > 1 else selects[0]
    sql, params = select.query.sql_with_params()
    table = connection.ops.quote_name(Reminder._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in REMINDER_COLUMNS)
    # The selects always have a WHERE, which SQLite needs before ON CONFLICT.
    statement = (
        f"INSERT INTO {table} ({columns}) {sql} "
        f"ON CONFLICT {_CONFLICT_TARGET[member_level]} DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return max(cursor.rowcount, 0)


def _sector_ids(rule: MustVisitRule) -> list[int]:
    return [s.pk for s in rule.sectors.all()]  # prefetched by the sweep


def _constituents_for(rule: MustVisitRule):
    """The active constituents of serving members a per-constituent rule applies to."""
    qs = Constituent.objects.filter(
        council_id=rule.council_id, active=True, member__status=Member.Status.ACTIVE
    )
    sectors = _sector_ids(rule)
    return qs.filter(sector_id__in=sectors) if sectors else qs


def _members_for(rule: MustVisitRule):
    qs = Member.objects.filter(council_id=rule.council_id, status=Member.Status.ACTIVE)
    sectors = _sector_ids(rule)
    return qs.filter(sector_id__in=sectors) if sectors else qs


def _contacted_since(day_field: str | date, *, via: str):
    """Exists: a contact with the row's constituent (``via`` its id) on/after the date."""
    since = _start_of(day_field) if isinstance(day_field, date) else F(day_field)
    return Exists(
        ContactLogConstituent.objects.filter(
            constituent_id=OuterRef(via), contact_log__contacted_at__gte=since
        )
    )


# --- Generation per trigger type -----------------------------------------------------------


def _periodic(rule: MustVisitRule, today: date, **scope) -> int:
    """Due ``period_days`` after the last contact (or after the constituent was added);
    shown ``lead_days`` ahead. The period key is the date of that last contact, so a new
    contact starts a new period and an unvisited constituent keeps the same reminder."""
    anchor = Coalesce("last_contacted_at", "created_at")
    cutoff = _start_of(today - timedelta(days=rule.period_days - rule.lead_days - 1))
    anchor_day = _local_date(anchor)
    qs = _constituents_for(rule).filter(**scope).alias(anchor_at=anchor).filter(anchor_at__lt=cutoff)
    return _insert(
        qs, rule=rule, today=today, council_id=F("council_id"), member_id=F("member_id"),
        constituent_id=F("id"),
        period_key=Concat(Value("since-"), Cast(anchor_day, models.CharField())),
        trigger_on=anchor_day, due_on=AddDays(anchor_day, rule.period_days),
    )


def _first_visit(rule: MustVisitRule, today: date, **scope) -> int:
    """Constituents never contacted yet: due ``within_days`` after they were added."""
    ever = Exists(ContactLogConstituent.objects.filter(constituent_id=OuterRef("pk")))
    added = _local_date("created_at")
    qs = _constituents_for(rule).filter(**scope).filter(~ever)
    return _insert(
        qs, rule=rule, today=today, council_id=F("council_id"), member_id=F("member_id"),
        constituent_id=F("id"), period_key=Value("first"), trigger_on=added,
        due_on=AddDays(added, rule.within_days),
    )


def _campaign_select(rule: MustVisitRule, today: date, campaign: Campaign):
    """Every constituent of the campaign's sectors not contacted since it started."""
    qs = _constituents_for(rule)
    sectors = [s.pk for s in campaign.sectors.all()]
    if sectors:
        qs = qs.filter(sector_id__in=sectors)
    # No "NOT EXISTS (its reminder)" filter here, though a running campaign re-reads all
    # its constituents every day: on an empty reminder table (a first campaign) PostgreSQL
    # plans that as a nested loop re-scanning the rows the same INSERT adds — quadratic
    # (minutes, not seconds, at 100,000 constituents). ON CONFLICT alone costs ~10 µs a row.
    qs = qs.filter(~_contacted_since(campaign.started_on, via="pk"))
    return _select(
        qs, rule=rule, today=today, council_id=F("council_id"), member_id=F("member_id"),
        constituent_id=F("id"), period_key=Value(f"campaign-{campaign.pk}"), note=Value(campaign.title),
        trigger_on=Value(campaign.started_on), due_on=Value(campaign.due_on),
    )


def _campaigns(rule: MustVisitRule, today: date, *, campaigns=None) -> int:
    """Campaigns still running (catches up constituents added since, and a lost event), or
    the ``campaigns`` given (the event): one INSERT for all of them."""
    if campaigns is None:
        campaigns = rule.campaigns.filter(started_on__lte=today, due_on__gte=today).prefetch_related("sectors")
    selects = [_campaign_select(rule, today, c) for c in campaigns]
    return _insert_rows(selects, member_level=False)


def _calendar(rule: MustVisitRule, today: date) -> int:
    """One member-level reminder per window open today, for members with no contact
    logged since the window opened (one INSERT, however many windows are open)."""
    selects = []
    for label, start, end in rule.windows_in(today.year):
        if not start <= today <= end:
            continue
        contacted = Exists(
            ContactLog.objects.filter(member_id=OuterRef("pk"), contacted_at__gte=_start_of(start))
        )
        qs = _members_for(rule).filter(~contacted)
        selects.append(_select(
            qs, rule=rule, today=today, council_id=F("council_id"), member_id=F("id"),
            period_key=Value(f"{start:%Y-%m-%d}"), note=Value(label),
            trigger_on=Value(start), due_on=Value(end),
        ))
    return _insert_rows(selects, member_level=True)


def _difficulty(rule: MustVisitRule, today: date, **scope) -> int:
    """Each constituent of a contact log flagged "in difficulty": due ``within_days`` after
    it, unless a later contact already followed it up."""
    since = _start_of(today - timedelta(days=rule.within_days + CATCH_UP_DAYS))
    flagged_day = _local_date("contact_log__contacted_at")
    later = Exists(
        ContactLogConstituent.objects.filter(
            constituent_id=OuterRef("constituent_id"),
            contact_log__contacted_at__gt=OuterRef("contact_log__contacted_at"),
        )
    )
    qs = ContactLogConstituent.objects.filter(
        contact_log__council_id=rule.council_id, contact_log__difficulty=True,
        contact_log__contacted_at__gte=since, constituent__active=True, **scope,
    ).filter(~later)
    sectors = _sector_ids(rule)
    if sectors:
        qs = qs.filter(constituent__sector_id__in=sectors)
    return _insert(
        qs, rule=rule, today=today, council_id=F("contact_log__council_id"),
        member_id=F("contact_log__member_id"), constituent_id=F("constituent_id"),
        period_key=Concat(Value("difficulty-"), Cast("contact_log_id", models.CharField())),
        note=F("contact_log__difficulty_kind"), trigger_on=flagged_day,
        due_on=AddDays(flagged_day, rule.within_days),
    )


def _consultation(rule: MustVisitRule, today: date, **scope) -> int:
    """Each consultation still ahead: its participating members and the serving members of
    the sectors involved visit before its date (the rule's own sectors, if set, narrow
    both). One INSERT of two selects; a member in both gets one reminder (the unique key)."""
    ahead = {"consultation__council_id": rule.council_id, "consultation__held_on__gte": today, **scope}
    participants = Consultation.members.through.objects.filter(
        member__status=Member.Status.ACTIVE, **ahead
    )
    involved = Consultation.sectors.through.objects.filter(
        sector__members__status=Member.Status.ACTIVE, **ahead
    )
    sectors = _sector_ids(rule)
    if sectors:
        participants = participants.filter(member__sector_id__in=sectors)
        involved = involved.filter(sector_id__in=sectors)
    values = {
        "council_id": F("consultation__council_id"),
        "period_key": Concat(Value("consultation-"), Cast("consultation_id", models.CharField())),
        "note": F("consultation__topic"),
        "trigger_on": _local_date("consultation__created_at"),
        "due_on": F("consultation__held_on"),
    }
    return _insert_rows([
        _select(participants, rule=rule, today=today, member_id=F("member_id"), **values),
        # The same join as the filter above: one row per serving member of each sector.
        _select(involved, rule=rule, today=today, member_id=F("sector__members__id"), **values),
    ], member_level=True)


def _proposal_replied(rule: MustVisitRule, today: date, **scope) -> int:
    """The constituents whose opinion a proposal came from (contact logs naming the
    proposal): report the reply back within ``within_days``, one reminder per reply round."""
    since = _start_of(today - timedelta(days=rule.within_days + CATCH_UP_DAYS))
    replied_at = "contact_log__proposal__replies__replied_at"
    fed_back = Exists(
        ContactLogConstituent.objects.filter(
            constituent_id=OuterRef("constituent_id"),
            contact_log__proposal_id=OuterRef("contact_log__proposal_id"),
            contact_log__contacted_at__gte=OuterRef(replied_at),
        )
    )
    qs = ContactLogConstituent.objects.filter(
        contact_log__council_id=rule.council_id, constituent__active=True,
        **{f"{replied_at}__gte": since}, **scope,
    ).filter(~fed_back)
    sectors = _sector_ids(rule)
    if sectors:
        qs = qs.filter(constituent__sector_id__in=sectors)
    reply_day = _local_date(replied_at)
    return _insert(
        qs, rule=rule, today=today, council_id=F("contact_log__council_id"),
        member_id=F("contact_log__member_id"), constituent_id=F("constituent_id"),
        period_key=Concat(
            Value("proposal-"), Cast("contact_log__proposal_id", models.CharField()),
            Value("-r"), Cast("contact_log__proposal__replies__round", models.CharField()),
        ),
        note=F("contact_log__proposal__title"), trigger_on=reply_day,
        due_on=AddDays(reply_day, rule.within_days),
    )


SWEEPERS = {
    TriggerType.PERIODIC: _periodic,
    TriggerType.FIRST_VISIT: _first_visit,
    TriggerType.CAMPAIGN: _campaigns,
    TriggerType.CALENDAR: _calendar,
    TriggerType.DIFFICULTY: _difficulty,
    TriggerType.CONSULTATION: _consultation,
    TriggerType.PROPOSAL_REPLIED: _proposal_replied,
}


def _rules(council_id: int | None, trigger: str | None = None):
    qs = MustVisitRule.objects.active().prefetch_related("sectors")
    if council_id is not None:
        qs = qs.filter(council_id=council_id)
    if trigger is not None:
        qs = qs.filter(trigger_type=trigger)
    return list(qs)


def reminders_sweep(*, today: date, council: Council | None = None) -> dict[int, int]:
    """Create every reminder the active rules call for on ``today`` and mark the ones past
    due as overdue. Idempotent; returns {rule id: reminders created}."""
    created = {}
    for rule in _rules(council.pk if council else None):
        with transaction.atomic():
            created[rule.pk] = SWEEPERS[rule.trigger_type](rule, today)
    reminders_mark_overdue(today=today, council=council)
    return created


def reminders_mark_overdue(*, today: date, council: Council | None = None) -> int:
    qs = Reminder.objects.filter(state=Reminder.State.OPEN, due_on__lt=today)
    if council is not None:
        qs = qs.filter(council=council)
    return qs.update(state=Reminder.State.OVERDUE)


# --- Event services (enqueued on commit by the services that own the events) ---------------


def _for_event(council_id: int, trigger: str, sweeper, today: date | None, **kwargs) -> int:
    today = today or timezone.localdate()
    with transaction.atomic():
        created = sum(sweeper(rule, today, **kwargs) for rule in _rules(council_id, trigger))
    reminders_mark_overdue(today=today, council=Council(pk=council_id))
    return created


def reminders_for_new_constituent(*, constituent: Constituent, today: date | None = None) -> int:
    return _for_event(constituent.council_id, TriggerType.FIRST_VISIT, _first_visit, today,
                      pk=constituent.pk)


def reminders_for_difficulty(*, contact_log: ContactLog, today: date | None = None) -> int:
    if not contact_log.difficulty:
        return 0
    return _for_event(contact_log.council_id, TriggerType.DIFFICULTY, _difficulty, today,
                      contact_log_id=contact_log.pk)


def reminders_for_consultation(*, consultation: Consultation, today: date | None = None) -> int:
    return _for_event(consultation.council_id, TriggerType.CONSULTATION, _consultation, today,
                      consultation_id=consultation.pk)


def reminders_follow_consultation_date(*, consultation: Consultation, today: date | None = None) -> int:
    """A consultation moved to another day: its open and overdue reminders are due on the
    new day (open again if it is still ahead). Done and dismissed ones keep their history.
    Call inside the transaction that moves it; returns the number of reminders moved."""
    today = today or timezone.localdate()
    state = Reminder.State.OVERDUE if consultation.held_on < today else Reminder.State.OPEN
    return (
        Reminder.objects.pending()
        .filter(rule__trigger_type=TriggerType.CONSULTATION, council_id=consultation.council_id,
                period_key=f"consultation-{consultation.pk}")
        .update(due_on=consultation.held_on, state=state)
    )


def reminders_for_proposal_reply(*, proposal, today: date | None = None) -> int:
    return _for_event(proposal.council_id, TriggerType.PROPOSAL_REPLIED, _proposal_replied,
                      today, contact_log__proposal_id=proposal.pk)


def reminders_for_campaign(*, campaign: Campaign, today: date | None = None) -> int:
    rule = MustVisitRule.objects.prefetch_related("sectors").get(pk=campaign.rule_id)
    return _campaigns(rule, today or timezone.localdate(), campaigns=[campaign])


def _enqueue(task, **kwargs) -> None:
    """Send ``task`` after commit; if the broker is down the next sweep creates the reminders."""
    enqueue_on_commit(task, **kwargs)


def enqueue_for_new_constituent(constituent_id: int) -> None:
    from activities import tasks

    _enqueue(tasks.reminders_new_constituent_task, constituent_id=constituent_id)


def enqueue_for_difficulty(contact_log: ContactLog) -> None:
    from activities import tasks

    if contact_log.difficulty:
        _enqueue(tasks.reminders_difficulty_task, contact_log_id=contact_log.pk)


def enqueue_for_consultation(consultation: Consultation) -> None:
    from activities import tasks

    _enqueue(tasks.reminders_consultation_task, consultation_id=consultation.pk)


def enqueue_for_proposal_reply(proposal_id: int) -> None:
    from activities import tasks

    _enqueue(tasks.reminders_proposal_reply_task, proposal_id=proposal_id)


# --- Campaigns -------------------------------------------------------------------------------


def _check_campaign(*, council: Council, rule: MustVisitRule, sectors) -> None:
    if rule.council_id != council.pk or rule.trigger_type != TriggerType.CAMPAIGN:
        raise ValidationError(_("Choose a campaign rule of this council."))
    if not rule.active:
        raise ValidationError(_("This rule is disabled; enable it before starting a campaign."))
    if any(s.council_id != council.pk for s in sectors):
        raise ValidationError(_("Choose sectors of this council."))


def campaign_preview(*, council: Council, rule: MustVisitRule, sectors=()) -> int:
    """How many reminders ``campaign_start`` would create today (one COUNT)."""
    sectors = list(sectors)
    _check_campaign(council=council, rule=rule, sectors=sectors)
    qs = _constituents_for(rule)
    if sectors:
        qs = qs.filter(sector__in=sectors)
    return qs.count()


def campaign_start(
    *,
    council: Council,
    rule: MustVisitRule,
    title: str,
    kind: str,
    sectors=(),
    due_in_days: int | None = None,
    by: User,
    today: date | None = None,
) -> Campaign:
    """Start a campaign; its reminders are created after commit (a task)."""
    from activities import tasks

    sectors = list(sectors)
    _check_campaign(council=council, rule=rule, sectors=sectors)
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("Give the campaign a title."))
    if kind not in Campaign.Kind.values:
        raise ValidationError(_("Choose whether the campaign conveys a meeting or a policy."))
    days = due_in_days if due_in_days is not None else rule.within_days or 30
    if not 1 <= days <= 365:
        raise ValidationError(_("A campaign is due in 1 to 365 days."))
    today = today or timezone.localdate()
    with transaction.atomic():
        campaign = Campaign.objects.create(
            council=council, rule=rule, title=title, kind=kind, started_by=by,
            started_on=today, due_on=today + timedelta(days=days),
        )
        campaign.sectors.set(sectors)
        _enqueue(tasks.reminders_campaign_task, campaign_id=campaign.pk)
    return campaign


# --- Closing ---------------------------------------------------------------------------------


def reminders_close_for_contact(contact_log: ContactLog) -> int:
    """Close the open and overdue reminders ``contact_log`` satisfies (rules per trigger
    type in the module docstring). Call inside the contact-log transaction, after its
    constituents are set. Returns the number closed."""
    T = TriggerType
    day = timezone.localdate(contact_log.contacted_at)
    reached = ContactLogConstituent.objects.filter(contact_log=contact_log).values("constituent_id")
    on_or_after = Q(trigger_on__lte=day)
    per_constituent = Q(rule__trigger_type__in=[T.PERIODIC, T.FIRST_VISIT]) | (
        Q(rule__trigger_type=T.CAMPAIGN) & on_or_after
    ) | (
        Q(rule__trigger_type=T.DIFFICULTY) & on_or_after
        & ~Q(period_key=f"difficulty-{contact_log.pk}")
    )
    if contact_log.proposal_id:
        per_constituent |= Q(
            rule__trigger_type=T.PROPOSAL_REPLIED,
            period_key__startswith=f"proposal-{contact_log.proposal_id}-",
        ) & on_or_after
    member_level = Q(
        constituent__isnull=True, rule__trigger_type__in=[T.CALENDAR, T.CONSULTATION]
    ) & on_or_after
    return (
        Reminder.objects.filter(member_id=contact_log.member_id)
        .pending()
        .filter((Q(constituent_id__in=reached) & per_constituent) | member_level)
        .update(
            state=Reminder.State.DONE,
            satisfied_by=contact_log,
            done_at=contact_log.contacted_at,
            on_time=Case(When(due_on__gte=day, then=Value(True)), default=Value(False)),
        )
    )


def reminder_dismiss(*, reminder: Reminder, reason: str, by: User) -> Reminder:
    """Set a reminder aside (the person moved away, died, asked not to be visited …)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the reminder is dismissed."))
    if reminder.state not in (Reminder.State.OPEN, Reminder.State.OVERDUE):
        raise ValidationError(_("Only open or overdue reminders can be dismissed."))
    with transaction.atomic():
        reminder.state = Reminder.State.DISMISSED
        reminder.dismissed_reason = reason[:200]
        reminder.save(update_fields=["state", "dismissed_reason"])
    return reminder


# --- Rules -----------------------------------------------------------------------------------


def rules_install_defaults(*, council: Council) -> list[MustVisitRule]:
    """The eight default rules for ``council`` (idempotent: existing names are kept)."""
    rules = []
    with transaction.atomic():
        for order, name, trigger, period, within, windows, description in DEFAULT_RULES:
            rule, _created = MustVisitRule.objects.get_or_create(
                council=council, name=name,
                defaults={"order": order, "trigger_type": trigger, "period_days": period,
                          "within_days": within, "windows": windows, "description": description},
            )
            rules.append(rule)
    return rules


def rule_save(*, rule: MustVisitRule, sectors=None, by: User) -> MustVisitRule:
    """Create or change a rule (validated: parameters its trigger needs, unique name)."""
    rule.full_clean()
    with transaction.atomic():
        rule.save()
        if sectors is not None:
            rule.sectors.set(sectors)
    return rule


# --- Notifications ---------------------------------------------------------------------------


def _names(reminders) -> str:
    names = [r.constituent.name if r.constituent_id else (r.note or r.rule.name) for r in reminders[:10]]
    more = len(reminders) - len(names)
    text = "、".join(names)
    if more > 0:
        text += gettext(" and %(n)s more") % {"n": more}
    return text


def reminders_digest(*, today: date, council: Council | None = None) -> int:
    """One notice a day per member with something due today, due soon or overdue (key
    ``digest:<date>``: a second run the same day sends nothing). Returns members notified."""
    soon = today + timedelta(days=DUE_SOON_DAYS)
    qs = (
        Reminder.objects.pending()
        .filter(due_on__lte=soon, member__status=Member.Status.ACTIVE)
        .select_related("member__user", "constituent", "rule")
        .order_by("member_id", "due_on", "id")
    )
    if council is not None:
        qs = qs.filter(council=council)
    by_member = defaultdict(list)
    for reminder in qs:
        by_member[reminder.member].append(reminder)
    for member, reminders in by_member.items():
        with translation.override(member.user.language or "zh-hans"):
            sections = [
                (gettext("Due today"), [r for r in reminders if r.state == "open" and r.due_on == today]),
                (gettext("Due soon"), [r for r in reminders if r.state == "open" and r.due_on > today]),
                (gettext("Overdue"), [r for r in reminders if r.state == "overdue" or r.due_on < today]),
            ]
            body = "\n".join(f"{title}（{len(rs)}）：{_names(rs)}" for title, rs in sections if rs)
            subject = gettext("Must-visits: %(today)s due today, %(overdue)s overdue") % {
                "today": len(sections[0][1]), "overdue": len(sections[2][1]),
            }
        notification_send(
            users=[member.user], kind="reminder_digest", subject=subject, body=body,
            url=reverse("activities:reminder-list"), key=f"digest:{today.isoformat()}",
        )
    return len(by_member)


def reminders_escalate(*, today: date, council: Council | None = None) -> int:
    """Weekly: staff are told which members' reminders are overdue by more than N days (the
    rule's ``escalate_after_days``, else ``settings.ESCALATE_OVERDUE_DAYS``). Staff of a
    special committee (``User.committee``) get their committee's members only; council staff
    with no committee get the whole council, grouped by committee. One notice per staff user
    a week, none to a committee with nothing overdue. Returns councils told."""
    default = settings.ESCALATE_OVERDUE_DAYS
    limits = Q(rule__escalate_after_days__isnull=True, due_on__lt=today - timedelta(days=default))
    for rule in MustVisitRule.objects.filter(escalate_after_days__isnull=False).only("pk", "escalate_after_days"):
        limits |= Q(rule_id=rule.pk, due_on__lt=today - timedelta(days=rule.escalate_after_days))
    rows = (
        Reminder.objects.overdue()
        .filter(limits, member__status=Member.Status.ACTIVE)
        .values("council_id", "member_id", "member__name", "member__committee_id",
                "member__committee__name")
        .annotate(n=models.Count("id"))
        .order_by("council_id", "member__committee__name", "member__name")
    )
    if council is not None:
        rows = rows.filter(council=council)
    per_council = defaultdict(list)
    for row in rows:
        per_council[row["council_id"]].append(row)
    if not per_council:
        return 0
    staff = defaultdict(list)
    for user in User.objects.filter(
        council_id__in=per_council, role__in=[User.Role.STAFF, User.Role.ADMIN], is_active=True
    ):
        staff[user.council_id].append(user)
    year, week, _day = today.isocalendar()
    for council_id, members in per_council.items():
        for user in staff[council_id]:
            mine = members if user.committee_id is None else [
                r for r in members if r["member__committee_id"] == user.committee_id
            ]
            if not mine:
                continue
            with translation.override(user.language or "zh-hans"):
                no_committee = gettext("No committee")
                lines = [
                    f"{r['member__committee__name'] or no_committee} · {r['member__name']}："
                    + gettext("%(n)s overdue") % {"n": r["n"]}
                    for r in mine
                ]
                subject = gettext("Overdue must-visits: %(members)s members") % {"members": len(mine)}
            notification_send(
                users=[user], kind="reminder_escalation", subject=subject, body="\n".join(lines),
                url=reverse("activities:compliance"), key=f"escalation:{year}-W{week:02d}",
            )
    return len(per_council)

"""Generation: the daily sweep and the per-event runs of the same per-trigger code.

The sweep may run twice, by two workers at once, or after a crash, and it catches up days it
missed: which reminders should exist is derived from the data (last contact, dates of
events), not from the day the sweep last ran. Each trigger type is one set-based INSERT
(``sql``); an event (a constituent added, a difficulty flagged, a consultation scheduled, a
proposal replied, a campaign started) runs its trigger's generator narrowed to that event.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from activities.contacts.models import ContactLog, ContactLogConstituent
from activities.events.models import Consultation
from activities.reminders.models import Campaign, MustVisitRule, Reminder, TriggerType
from activities.reminders.services.sql import (
    AddDays,
    insert_reminders,
    insert_selects,
    local_date,
    reminder_select,
    start_of,
)
from members.models import Constituent, Council, Member

# Event triggers older than this (beyond their own window) are not re-created by the sweep.
CATCH_UP_DAYS = 30


def _sector_ids(rule: MustVisitRule) -> list[int]:
    return [s.pk for s in rule.sectors.all()]  # prefetched by the sweep


def constituents_for(rule: MustVisitRule):
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
    since = start_of(day_field) if isinstance(day_field, date) else F(day_field)
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
    cutoff = start_of(today - timedelta(days=rule.period_days - rule.lead_days - 1))
    anchor_day = local_date(anchor)
    qs = constituents_for(rule).filter(**scope).alias(anchor_at=anchor).filter(anchor_at__lt=cutoff)
    return insert_reminders(
        qs, rule=rule, today=today, council_id=F("council_id"), member_id=F("member_id"),
        constituent_id=F("id"),
        period_key=Concat(Value("since-"), Cast(anchor_day, models.CharField())),
        trigger_on=anchor_day, due_on=AddDays(anchor_day, rule.period_days),
    )


def _first_visit(rule: MustVisitRule, today: date, **scope) -> int:
    """Constituents never contacted yet: due ``within_days`` after they were added."""
    ever = Exists(ContactLogConstituent.objects.filter(constituent_id=OuterRef("pk")))
    added = local_date("created_at")
    qs = constituents_for(rule).filter(**scope).filter(~ever)
    return insert_reminders(
        qs, rule=rule, today=today, council_id=F("council_id"), member_id=F("member_id"),
        constituent_id=F("id"), period_key=Value("first"), trigger_on=added,
        due_on=AddDays(added, rule.within_days),
    )


def _campaign_select(rule: MustVisitRule, today: date, campaign: Campaign):
    """Every constituent of the campaign's sectors not contacted since it started."""
    qs = constituents_for(rule)
    sectors = [s.pk for s in campaign.sectors.all()]
    if sectors:
        qs = qs.filter(sector_id__in=sectors)
    # No "NOT EXISTS (its reminder)" filter here, though a running campaign re-reads all
    # its constituents every day: on an empty reminder table (a first campaign) PostgreSQL
    # plans that as a nested loop re-scanning the rows the same INSERT adds — quadratic
    # (minutes, not seconds, at 100,000 constituents). ON CONFLICT alone costs ~10 µs a row.
    qs = qs.filter(~_contacted_since(campaign.started_on, via="pk"))
    return reminder_select(
        qs, rule=rule, today=today, council_id=F("council_id"), member_id=F("member_id"),
        constituent_id=F("id"), period_key=Value(f"campaign-{campaign.pk}"), note=Value(campaign.title),
        trigger_on=Value(campaign.started_on), due_on=Value(campaign.due_on),
        campaign_id=Value(campaign.pk),
    )


def _campaigns(rule: MustVisitRule, today: date, *, campaigns=None) -> int:
    """Campaigns still running (catches up constituents added since, and a lost event), or
    the ``campaigns`` given (the event): one INSERT for all of them."""
    if campaigns is None:
        campaigns = rule.campaigns.filter(started_on__lte=today, due_on__gte=today).prefetch_related("sectors")
    selects = [_campaign_select(rule, today, c) for c in campaigns]
    return insert_selects(selects, member_level=False)


def _calendar(rule: MustVisitRule, today: date) -> int:
    """One member-level reminder per window open today, for members with no contact
    logged since the window opened (one INSERT, however many windows are open)."""
    selects = []
    for label, start, end in rule.windows_in(today.year):
        if not start <= today <= end:
            continue
        contacted = Exists(
            ContactLog.objects.filter(member_id=OuterRef("pk"), contacted_at__gte=start_of(start))
        )
        qs = _members_for(rule).filter(~contacted)
        selects.append(reminder_select(
            qs, rule=rule, today=today, council_id=F("council_id"), member_id=F("id"),
            period_key=Value(f"{start:%Y-%m-%d}"), note=Value(label),
            trigger_on=Value(start), due_on=Value(end),
        ))
    return insert_selects(selects, member_level=True)


def _difficulty(rule: MustVisitRule, today: date, **scope) -> int:
    """Each constituent of a contact log flagged "in difficulty": due ``within_days`` after
    it, unless a later contact already followed it up."""
    since = start_of(today - timedelta(days=rule.within_days + CATCH_UP_DAYS))
    flagged_day = local_date("contact_log__contacted_at")
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
    return insert_reminders(
        qs, rule=rule, today=today, council_id=F("contact_log__council_id"),
        member_id=F("contact_log__member_id"), constituent_id=F("constituent_id"),
        period_key=Concat(Value("difficulty-"), Cast("contact_log_id", models.CharField())),
        note=F("contact_log__difficulty_kind"), trigger_on=flagged_day,
        due_on=AddDays(flagged_day, rule.within_days), flagged_by_id=F("contact_log_id"),
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
        "trigger_on": local_date("consultation__created_at"),
        "due_on": F("consultation__held_on"),
        "consultation_id": F("consultation_id"),
    }
    return insert_selects([
        reminder_select(participants, rule=rule, today=today, member_id=F("member_id"), **values),
        # The same join as the filter above: one row per serving member of each sector.
        reminder_select(involved, rule=rule, today=today, member_id=F("sector__members__id"), **values),
    ], member_level=True)


def _proposal_replied(rule: MustVisitRule, today: date, **scope) -> int:
    """The constituents whose opinion a proposal came from (contact logs naming the
    proposal): report the reply back within ``within_days``, one reminder per reply round."""
    since = start_of(today - timedelta(days=rule.within_days + CATCH_UP_DAYS))
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
    reply_day = local_date(replied_at)
    return insert_reminders(
        qs, rule=rule, today=today, council_id=F("contact_log__council_id"),
        member_id=F("contact_log__member_id"), constituent_id=F("constituent_id"),
        period_key=Concat(
            Value("proposal-"), Cast("contact_log__proposal_id", models.CharField()),
            Value("-r"), Cast("contact_log__proposal__replies__round", models.CharField()),
        ),
        note=F("contact_log__proposal__title"), trigger_on=reply_day,
        due_on=AddDays(reply_day, rule.within_days), proposal_id=F("contact_log__proposal_id"),
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


def reminders_for_proposal_reply(*, proposal, today: date | None = None) -> int:
    return _for_event(proposal.council_id, TriggerType.PROPOSAL_REPLIED, _proposal_replied,
                      today, contact_log__proposal_id=proposal.pk)


def reminders_for_campaign(*, campaign: Campaign, today: date | None = None) -> int:
    rule = MustVisitRule.objects.prefetch_related("sectors").get(pk=campaign.rule_id)
    return _campaigns(rule, today or timezone.localdate(), campaigns=[campaign])

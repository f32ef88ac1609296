"""Generation: the daily sweep and the per-event runs of the same per-trigger code.

The sweep may run twice, by two workers at once, or after a crash, and it catches up days it
missed. Each trigger type is one set-based INSERT (``sql``); an event (a constituent added, a
difficulty flagged, a consultation scheduled, a proposal replied, a campaign started) runs its
trigger's generator narrowed to that event.

**Watermark.** Reading every constituent again each morning, to find that the reminders are
already there, was the whole cost of a sweep with nothing new (42 s at province scale). So the
sweep keeps, per rule, a ``SweepMark``: the day it swept and when that run started reading.
The next run reads only

- the rows written since then (less ``LOOK_BACK``): constituents added or edited
  (``updated_at``, which the contact-log service also touches when an edit or a deletion moves
  a person's last contact back), members whose record changed (their history rows), contact
  logs and proposal replies recorded since;
- what time alone makes due: periodic visits whose day came in the days after the last run's
  (all of them, however many days were missed), calendar windows opened since;
- occasions it has not read whole: a running campaign new to the mark (its start event lost)
  or edited since.

A rule without a mark, a rule edited since (its ``fingerprint`` differs), or a run for a day
before the last run's is swept whole, as before the watermark. Consultations are always swept
whole: what they read is the handful of consultations ahead, so a mark would save nothing. The
event services read no mark and move none.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from activities.contacts.models import ContactLog, ContactLogConstituent
from activities.events.models import Consultation
from activities.reminders.models import Campaign, MustVisitRule, Reminder, SweepMark, TriggerType
from activities.reminders.services.sql import (
    AddDays,
    insert_reminders,
    insert_selects,
    local_date,
    reminder_select,
)
from members.common.clock import start_of
from members.models import Constituent, Council, Member
from proposals.models import Reply

# Event triggers older than this (beyond their own window) are not re-created by the sweep.
CATCH_UP_DAYS = 30

# How long before the last run started the next run looks again: a row written by a
# transaction still open when the last run read it (an import, a slow request) is read then.
# Longer write transactions are not expected; reading a row twice is harmless (idempotent).
LOOK_BACK = timedelta(minutes=15)


@dataclass(frozen=True)
class Since:
    """What the last sweep of a rule read (module docstring): the day it swept, the moment
    it started reading less ``LOOK_BACK``, and the campaigns it read whole."""

    day: date
    at: datetime
    occasions: dict

    def constituents(self, council_id: int, column: str = "pk"):
        """The council's constituents added or edited since (``column`` of each)."""
        return Constituent.objects.filter(council_id=council_id, updated_at__gte=self.at).values(column)

    def members(self, council_id: int):
        """The council's members added or edited since: their history rows say so."""
        return Member.history.filter(council_id=council_id, history_date__gte=self.at).values("id")

    def last_id_before(self, model, field: str) -> int:
        """The id of the last ``model`` row ``field`` dates before: greater ids are new. Read
        backwards along the primary key, it stops at the first older row (ids grow as rows
        are written). One query of its own, not a sub-select of the INSERT: given the number,
        PostgreSQL reads the few rows past it from the index (given a sub-select, it cannot
        tell how many there are and reads the whole window of logs instead)."""
        older = model.objects.filter(**{f"{field}__lt": self.at}).order_by("-pk")
        return older.values_list("pk", flat=True).first() or 0


def _changed(qs, rule: MustVisitRule, since: Since | None) -> list:
    """Constituent rows ``qs``: whole without a mark, else the parts that rows written since
    can have made due — constituents added or edited, and those of members edited."""
    if since is None:
        return [qs]
    return [
        qs.filter(updated_at__gte=since.at),
        qs.filter(member_id__in=since.members(rule.council_id)),
    ]


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
    """Exists: a contact with the row's constituent (``via`` its id) on/after the date —
    read from the links' copy of their log's time (their partition key on PostgreSQL), so
    that only the links of those months are probed, none joined to its log."""
    since = start_of(day_field) if isinstance(day_field, date) else F(day_field)
    return Exists(
        ContactLogConstituent.objects.filter(constituent_id=OuterRef(via), contacted_at__gte=since)
    )


# --- Generation per trigger type -----------------------------------------------------------


def _periodic_cutoff(rule: MustVisitRule, today: date) -> datetime:
    """A last contact before this makes a periodic visit show on ``today``."""
    return start_of(today - timedelta(days=rule.period_days - rule.lead_days - 1))


def _periodic(rule: MustVisitRule, today: date, since: Since | None = None, **scope) -> int:
    """Due ``period_days`` after the last contact (or after the constituent was added);
    shown ``lead_days`` ahead. The period key is the date of that last contact, so a new
    contact starts a new period and an unvisited constituent keeps the same reminder.
    With a mark: the constituents changed since, and those whose day came after the last
    run's (one range of the constituents' (council, last contact) index)."""
    anchor = Coalesce("last_contacted_at", "created_at")
    anchor_day = local_date(anchor)
    qs = (
        constituents_for(rule).filter(**scope).alias(anchor_at=anchor)
        .filter(anchor_at__lt=_periodic_cutoff(rule, today))
    )
    parts = _changed(qs, rule, since)
    if since is not None and since.day < today:
        parts.append(qs.filter(anchor_at__gte=_periodic_cutoff(rule, since.day)))
    return insert_reminders(
        parts, rule=rule, today=today, council_id=F("council_id"), member_id=F("member_id"),
        constituent_id=F("id"),
        period_key=Concat(Value("since-"), Cast(anchor_day, models.CharField())),
        trigger_on=anchor_day, due_on=AddDays(anchor_day, rule.period_days),
    )


def _first_visit(rule: MustVisitRule, today: date, since: Since | None = None, **scope) -> int:
    """Constituents never contacted yet: due ``within_days`` after they were added. Time
    makes none due: with a mark, only the constituents (and members) changed since.

    "Never contacted" is the constituent's own ``last_contacted_at`` left empty (the contact
    services keep it, as the member home reads it): not a probe of every month's links for
    each constituent, which also forgets the contacts of months archived since."""
    added = local_date("created_at")
    qs = constituents_for(rule).filter(**scope).filter(last_contacted_at__isnull=True)
    return insert_reminders(
        _changed(qs, rule, since), rule=rule, today=today, council_id=F("council_id"), member_id=F("member_id"),
        constituent_id=F("id"), period_key=Value("first"), trigger_on=added,
        due_on=AddDays(added, rule.within_days),
    )


def campaign_fingerprint(campaign: Campaign) -> str:
    """What decides a campaign's reminders (sectors prefetched): an edit changes it."""
    sectors = ",".join(str(pk) for pk in sorted(s.pk for s in campaign.sectors.all()))
    return f"{campaign.started_on}/{campaign.due_on}/{sectors}"


def _campaign_selects(rule: MustVisitRule, today: date, campaign: Campaign, since: Since | None):
    """Every constituent of the campaign's sectors not contacted since it started — or, for a
    campaign the mark has read whole as it is now, the ones changed since."""
    if since is not None and since.occasions.get(str(campaign.pk)) != campaign_fingerprint(campaign):
        since = None
    qs = constituents_for(rule)
    sectors = [s.pk for s in campaign.sectors.all()]
    if sectors:
        qs = qs.filter(sector_id__in=sectors)
    # No "NOT EXISTS (its reminder)" filter here, though a running campaign re-reads all
    # its constituents every day: on an empty reminder table (a first campaign) PostgreSQL
    # plans that as a nested loop re-scanning the rows the same INSERT adds — quadratic
    # (minutes, not seconds, at 100,000 constituents). ON CONFLICT alone costs ~10 µs a row.
    qs = qs.filter(~_contacted_since(campaign.started_on, via="pk"))
    return [
        reminder_select(
            part, rule=rule, today=today, council_id=F("council_id"), member_id=F("member_id"),
            constituent_id=F("id"), period_key=Value(f"campaign-{campaign.pk}"),
            note=Value(campaign.title), trigger_on=Value(campaign.started_on),
            due_on=Value(campaign.due_on), campaign_id=Value(campaign.pk),
        )
        for part in _changed(qs, rule, since)
    ]


def running_campaigns(rule: MustVisitRule, today: date) -> list[Campaign]:
    return list(
        rule.campaigns.filter(started_on__lte=today, due_on__gte=today).prefetch_related("sectors")
    )


def _campaigns(rule: MustVisitRule, today: date, since: Since | None = None, *, campaigns=None) -> int:
    """Campaigns still running (catches up constituents added since, and a lost event), or
    the ``campaigns`` given (the event): one INSERT for all of them."""
    if campaigns is None:
        campaigns = running_campaigns(rule, today)
    selects = [select for c in campaigns for select in _campaign_selects(rule, today, c, since)]
    return insert_selects(selects, member_level=False)


def _calendar(rule: MustVisitRule, today: date, since: Since | None = None) -> int:
    """One member-level reminder per window open today, for members with no contact
    logged since the window opened (one INSERT, however many windows are open). With a mark,
    a window the last run already saw open reads only the members changed since, and those
    whose constituents changed (a contact edited or deleted touches them)."""
    selects = []
    for label, start, end in rule.windows_in(today.year):
        if not start <= today <= end:
            continue
        contacted = Exists(
            ContactLog.objects.filter(member_id=OuterRef("pk"), contacted_at__gte=start_of(start))
        )
        qs = _members_for(rule).filter(~contacted)
        parts = [qs]
        if since is not None and start <= since.day:
            parts = [
                qs.filter(pk__in=since.members(rule.council_id)),
                qs.filter(pk__in=since.constituents(rule.council_id, "member_id")),
            ]
        selects.extend(
            reminder_select(
                part, rule=rule, today=today, council_id=F("council_id"), member_id=F("id"),
                period_key=Value(f"{start:%Y-%m-%d}"), note=Value(label),
                trigger_on=Value(start), due_on=Value(end),
            )
            for part in parts
        )
    return insert_selects(selects, member_level=True)


def _difficulty(rule: MustVisitRule, today: date, since: Since | None = None, **scope) -> int:
    """Each constituent of a contact log flagged "in difficulty": due ``within_days`` after
    it, unless a later contact already followed it up. With a mark: the logs recorded since
    and the constituents changed since (an edit that flags a log touches its people).

    Read from the links' own copy of their log's time (``ContactLogConstituent.contacted_at``):
    on PostgreSQL both tables are partitioned by it, so the window reads its last months of
    each, and "a later contact" is a probe of the constituent's links from that month on —
    not of every month's links, each joined to its log to read the time."""
    flagged_day = local_date("contacted_at")
    later = Exists(
        ContactLogConstituent.objects.filter(
            constituent_id=OuterRef("constituent_id"), contacted_at__gt=OuterRef("contacted_at"),
        )
    )
    window = _window_start(rule, today)
    qs = ContactLogConstituent.objects.filter(
        contacted_at__gte=window, contact_log__contacted_at__gte=window,
        contact_log__council_id=rule.council_id, contact_log__difficulty=True,
        constituent__active=True, **scope,
    ).filter(~later)
    sectors = _sector_ids(rule)
    if sectors:
        qs = qs.filter(constituent__sector_id__in=sectors)
    return insert_reminders(
        _logged_or_changed(qs, rule, since), rule=rule, today=today,
        council_id=F("contact_log__council_id"),
        member_id=F("contact_log__member_id"), constituent_id=F("constituent_id"),
        period_key=Concat(Value("difficulty-"), Cast("contact_log_id", models.CharField())),
        note=F("contact_log__difficulty_kind"), trigger_on=flagged_day,
        due_on=AddDays(flagged_day, rule.within_days), flagged_by_id=F("contact_log_id"),
    )


def _window_start(rule: MustVisitRule, today: date) -> datetime:
    """Events (a difficulty, a reply) older than this are not followed up any more."""
    return start_of(today - timedelta(days=rule.within_days + CATCH_UP_DAYS))


def _logged_or_changed(qs, rule: MustVisitRule, since: Since | None) -> list:
    """Contact-log link rows ``qs``: whole without a mark, else those of the logs recorded
    since and those of the constituents changed since."""
    if since is None:
        return [qs]
    return [
        qs.filter(contact_log_id__gt=since.last_id_before(ContactLog, "created_at")),
        qs.filter(constituent_id__in=since.constituents(rule.council_id)),
    ]


def _consultation(rule: MustVisitRule, today: date, since: Since | None = None, **scope) -> int:
    """Each consultation still ahead: its participating members and the serving members of
    the sectors involved visit before its date (the rule's own sectors, if set, narrow
    both). One INSERT of two selects; a member in both gets one reminder (the unique key).
    Always whole (``since`` is not read): it reads the few consultations ahead."""
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


def _proposal_replied(rule: MustVisitRule, today: date, since: Since | None = None, **scope) -> int:
    """The constituents whose opinion a proposal came from (contact logs naming the
    proposal): report the reply back within ``within_days``, one reminder per reply round.
    With a mark: the replies and logs recorded since, and the constituents changed since."""
    replied_at = "contact_log__proposal__replies__replied_at"
    fed_back = Exists(
        ContactLogConstituent.objects.filter(
            constituent_id=OuterRef("constituent_id"),
            contact_log__proposal_id=OuterRef("contact_log__proposal_id"),
            contacted_at__gte=OuterRef(replied_at),
        )
    )
    window = {"contact_log__council_id": rule.council_id, "constituent__active": True,
              f"{replied_at}__gte": _window_start(rule, today), **scope}
    sectors = _sector_ids(rule)
    if sectors:
        window["constituent__sector_id__in"] = sectors
    parts = _logged_or_changed(ContactLogConstituent.objects.filter(**window), rule, since)
    if since is not None:
        # In the window's own filter(): a second one would join the replies again.
        newer = {"contact_log__proposal__replies__id__gt": since.last_id_before(Reply, "replied_at")}
        parts.append(ContactLogConstituent.objects.filter(**window, **newer))
    reply_day = local_date(replied_at)
    return insert_reminders(
        [part.filter(~fed_back) for part in parts], rule=rule, today=today,
        council_id=F("contact_log__council_id"),
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
    qs = MustVisitRule.objects.active().select_related("sweep_mark").prefetch_related("sectors")
    if council_id is not None:
        qs = qs.filter(council_id=council_id)
    if trigger is not None:
        qs = qs.filter(trigger_type=trigger)
    return list(qs)


def rule_fingerprint(rule: MustVisitRule) -> str:
    """The parameters that decide a rule's reminders (sectors prefetched): a mark made with
    other ones is not used."""
    params = [rule.council_id, rule.trigger_type, rule.period_days, rule.within_days,
              rule.lead_days, rule.windows, sorted(_sector_ids(rule))]
    return hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()


def _since(rule: MustVisitRule, today: date) -> Since | None:
    """The rule's mark as what the last run read; none if the rule has no usable mark."""
    mark = getattr(rule, "sweep_mark", None)  # select_related; missing: AttributeError
    if mark is None or mark.fingerprint != rule_fingerprint(rule) or today < mark.swept_on:
        return None
    return Since(day=mark.swept_on, at=mark.looked_at - LOOK_BACK, occasions=mark.occasions)


def _sweep_rule(rule: MustVisitRule, today: date) -> int:
    """One rule: its INSERT, then its mark moved on, in the caller's transaction — a run that
    dies leaves the mark where the reminders are."""
    looked_at = timezone.now()  # before reading: what is written from now on, the next run reads
    since = _since(rule, today)
    occasions = {}
    if rule.trigger_type == TriggerType.CAMPAIGN:
        campaigns = running_campaigns(rule, today)
        occasions = {str(c.pk): campaign_fingerprint(c) for c in campaigns}
        created = SWEEPERS[rule.trigger_type](rule, today, since, campaigns=campaigns)
    else:
        created = SWEEPERS[rule.trigger_type](rule, today, since)
    mark = SweepMark(rule=rule, fingerprint=rule_fingerprint(rule), swept_on=today,
                     looked_at=looked_at, occasions=occasions)
    SweepMark.objects.bulk_create(
        [mark], update_conflicts=True, unique_fields=["rule"],
        update_fields=["fingerprint", "swept_on", "looked_at", "occasions"],
    )
    return created


def reminders_sweep(*, today: date, council: Council | None = None) -> dict[int, int]:
    """Create every reminder the active rules call for on ``today`` and mark the ones past
    due as overdue. Idempotent; returns {rule id: reminders created}.

    Queries: the rules (with their marks), their sectors; per rule BEGIN, one INSERT, the mark,
    COMMIT (a campaign rule also reads its running campaigns and their sectors); then the
    councils and one UPDATE for the overdue ones — however many rows there are."""
    created = {}
    for rule in _rules(council.pk if council else None):
        with transaction.atomic():
            created[rule.pk] = _sweep_rule(rule, today)
    reminders_mark_overdue(today=today, council=council)
    return created


def reminders_mark_overdue(*, today: date, council: Council | None = None) -> int:
    """Open reminders past due become overdue. By council: each is one range of the
    (council, state, due_on) index; one UPDATE over all reminders read them all."""
    if council is not None:
        councils = [council.pk]
    else:
        councils = list(Council.objects.order_by("pk").values_list("pk", flat=True))
    qs = Reminder.objects.filter(council_id__in=councils, state=Reminder.State.OPEN, due_on__lt=today)
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

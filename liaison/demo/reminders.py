"""Demo part: must-visit reminders ("8个必访") across all eight default rules.

Nothing is inserted by hand: the default rules are installed, one campaign is started
(传达十届四次会议精神), a few contacts are logged — all through the services users run — and
the real sweep makes the reminders from the demo's data. "Done" reminders are the ones
contacts logged by members satisfied; the rest are open, due soon or overdue.
"""

from __future__ import annotations

from datetime import date, timedelta

from activities.contacts.services import contact_log_create
from activities.models import Campaign, ContactLog, Reminder, TriggerType
from activities.reminders.services import campaigns, sweep
from activities.reminders.services.rules import rules_install_defaults
from liaison.demo.moments import past_at
from members.models import Constituent, Member, Sector, User

CAMPAIGN = "传达十届四次会议精神"



def _log(member: Member, people, day: date, rng, **kwargs) -> ContactLog:
    return contact_log_create(
        by=member.user, member=member, constituents=people, contacted_at=past_at(day, rng.randrange(8, 18)),
        channel=rng.choice(["forum", "research", "online"]), mode="visit",
        summary=kwargs.pop("summary", "入户走访，了解近况并宣讲政策"), **kwargs,
    )


def _link_opinions_to_replied_proposals(council, rng, today) -> None:
    """The opinions behind recently answered proposals: each such proposal's member had
    raised it at an earlier contact (``ContactLog.proposal``). These logs are history the
    contacts part already made, so the link is set on them here; new contacts name their
    proposal through ``contact_log_create`` (``_feedback_visits``)."""
    from proposals.models import Reply

    replies = Reply.objects.filter(
        proposal__council=council, proposal__proposer__isnull=False,
        replied_at__gte=past_at(today - timedelta(days=40), 0),
    ).select_related("proposal")
    for reply in replies:
        logs = ContactLog.objects.filter(
            member_id=reply.proposal.proposer_id, contacted_at__lt=reply.replied_at, proposal__isnull=True,
        ).order_by("-contacted_at")[:2]
        ContactLog.objects.filter(pk__in=[log.pk for log in logs]).update(proposal=reply.proposal)


def build(council, rng, today: date) -> None:
    if Reminder.objects.filter(council=council).exists():
        return
    rules = {r.name: r for r in rules_install_defaults(council=council)}
    staff = User.objects.filter(council=council, role=User.Role.STAFF).first()
    demo = Member.objects.filter(council=council, user__username="member").first()

    # The campaign after the plenary: started 25 days ago, due in 5 — due soon for all.
    campaigns.campaign_start(
        council=council, rule=rules["重要会议精神传达"], title=CAMPAIGN, kind=Campaign.Kind.MEETING,
        by=staff, today=today - timedelta(days=25), due_in_days=30,
    )
    # A policy for enterprises: the two business sectors, started ten days ago.
    campaigns.campaign_start(
        council=council, rule=rules["重大政策出台"], title="宣讲新出台的惠企政策",
        kind=Campaign.Kind.POLICY, by=staff, today=today - timedelta(days=10), due_in_days=30,
        sectors=Sector.objects.filter(council=council, name__in=["工商联", "经济界"]),
    )
    _link_opinions_to_replied_proposals(council, rng, today)

    # The demo member: a difficulty found a week ago (follow-up due today).
    if demo is not None:
        person = demo.constituents.order_by("id").first()
        _log(demo, [person], today - timedelta(days=7), rng, difficulty=True,
             difficulty_kind=ContactLog.Difficulty.ILLNESS, summary="群众家中老人住院，生活困难")

    # Festivals: sweep on the days of this year's windows that have passed, as the daily
    # job would have, then today.
    for _label, start, end in rules["重要节日走访"].windows_in(today.year):
        if end < today:
            sweep.reminders_sweep(today=start, council=council)
    sweep.reminders_sweep(today=today, council=council)
    for campaign in Campaign.objects.filter(council=council):
        sweep.reminders_for_campaign(campaign=campaign, today=today)

    _members_catch_up(council, rng, today, demo)
    _feedback_visits(council, rng, today, demo)
    sweep.reminders_sweep(today=today, council=council)


def _members_catch_up(council, rng, today: date, demo: Member | None) -> None:
    """About a third of the reminders are done: their members visited (some late)."""
    pending = list(
        Reminder.objects.filter(council=council).pending()
        .exclude(rule__trigger_type=TriggerType.PROPOSAL_REPLIED)  # feedback needs the proposal named
        .select_related("member__user", "constituent", "rule")
        .order_by("id")
    )
    rng.shuffle(pending)
    kept_for_demo = 0
    for reminder in pending[: len(pending) // 3]:
        if demo is not None and reminder.member_id == demo.pk and kept_for_demo < 12:
            kept_for_demo += 1  # the demo member keeps a full to-do list to show
            continue
        if reminder.state == Reminder.State.DONE:
            continue  # an earlier contact of this loop closed it too
        reminder.refresh_from_db(fields=["state"])
        if reminder.state == Reminder.State.DONE:
            continue
        people = [reminder.constituent] if reminder.constituent_id else list(
            Constituent.objects.filter(member=reminder.member, active=True)[:1]
        )
        if not people:
            continue
        latest = min(today, reminder.due_on + timedelta(days=rng.choice([-3, -1, 0, 2, 6])))
        day = max(reminder.trigger_on, latest)
        _log(reminder.member, people, min(day, today), rng)


def _feedback_visits(council, rng, today: date, demo: Member | None) -> None:
    """About half the proposal-feedback reminders are done: the member went back to the
    person and logged the visit naming the proposal, as the "记录联系" of the reminder
    does. The demo member keeps their first one open, to show the flow."""
    from proposals.models import Proposal

    pending = list(
        Reminder.objects.filter(council=council, rule__trigger_type=TriggerType.PROPOSAL_REPLIED)
        .pending().select_related("member__user", "constituent").order_by("id")
    )
    if demo is not None:
        kept = next((r for r in pending if r.member_id == demo.pk), None)
        pending = [r for r in pending if r is not kept]
    rng.shuffle(pending)
    proposals = Proposal.objects.in_bulk([r.proposal_id for r in pending])
    for reminder in pending[: max(1, (len(pending) + 1) // 2)]:
        proposal = proposals.get(reminder.proposal_id)
        if proposal is None:
            continue
        day = min(today, reminder.trigger_on + timedelta(days=rng.randrange(1, 9)))
        _log(reminder.member, [reminder.constituent], day, rng, proposal=proposal,
             summary=f"向群众反馈提案“{proposal.title}”的办理答复，听取意见")

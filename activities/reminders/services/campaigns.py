"""Campaigns: staff ask members to visit constituents after a meeting or a new policy."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.reminders import tasks
from activities.reminders.models import Campaign, MustVisitRule, TriggerType
from activities.reminders.services.sweep import constituents_for
from members.models import Council, User
from members.tasks import enqueue_on_commit


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
    qs = constituents_for(rule)
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
        enqueue_on_commit(tasks.reminders_campaign_task, campaign_id=campaign.pk)
    return campaign

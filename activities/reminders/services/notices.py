"""Notices: the members' daily digest and the weekly escalation to staff."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from activities.reminders.models import MustVisitRule, Reminder
from members.models import Council, Member, User
from members.services import notification_send

# Days ahead a reminder counts as "due soon" on the member's home and in the digest.
DUE_SOON_DAYS = 7


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
    rules = MustVisitRule.objects.filter(escalate_after_days__isnull=False)
    if council is not None:
        rules = rules.filter(council=council)  # a council's task: its own rules' limits only
    for rule in rules.only("pk", "escalate_after_days"):
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

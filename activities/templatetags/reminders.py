"""``{% my_reminders %}``: the must-visit sections of a member's home page (今日必访 /
即将到期 / 已逾期). A template tag, so that the member home (in ``members``) shows them
without ``members`` importing ``activities``. One query."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils import timezone

from activities.reminders.models import Reminder
from activities.reminders.services.notices import DUE_SOON_DAYS
from members import permissions

register = template.Library()

# Where "记录联系" goes: the contact-log form, prefilled from ?constituent=&reminder=.
LOG_CONTACT_URL = "activities:contactlog-create"


@register.inclusion_tag("activities/includes/_reminder_home.html", takes_context=True)
def my_reminders(context):
    user = context["request"].user
    if not permissions.is_member(user):
        return {"show": False}
    today = timezone.localdate()
    pending = list(
        Reminder.objects.visible_to(user).pending()
        .filter(member__user=user, due_on__lte=today + timezone.timedelta(days=DUE_SOON_DAYS))
        .select_related("rule", "constituent")
        .order_by("due_on", "id")
    )
    return {
        "show": True,
        "today": today,
        "due_today": [r for r in pending if r.state == Reminder.State.OPEN and r.due_on == today],
        "due_soon": [r for r in pending if r.state == Reminder.State.OPEN and r.due_on > today],
        "overdue": [r for r in pending if r.state == Reminder.State.OVERDUE or r.due_on < today],
    }


@register.filter
def log_contact_url(reminder: Reminder) -> str:
    """The contact-log form prefilled with the reminder's constituent and the reminder."""
    base = reverse(LOG_CONTACT_URL)
    query = {"reminder": reminder.pk}
    if reminder.constituent_id:
        query["constituent"] = reminder.constituent_id
    return f"{base}?{urlencode(query)}"

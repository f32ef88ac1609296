"""``{% my_reminders %}``: the must-visit sections of a member's home page (今日必访 /
即将到期 / 已逾期). A template tag, so that the member home (in ``members``) shows them
without ``members`` importing ``activities``. Two queries."""

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


# Each section lists at most this many; its badge still counts them all. A campaign can give
# a member a hundred must-visits at once, and the home page is opened on a phone.
SHOWN_PER_SECTION = 10
SECTION_FIELDS = (
    "due_on", "note", "constituent__name", "rule__name", "rule__trigger_type",
)


@register.inclusion_tag("activities/includes/_reminder_home.html", takes_context=True)
def my_reminders(context):
    user = context["request"].user
    if not permissions.is_member(user):
        return {"show": False}
    today = timezone.localdate()
    # Two queries whatever the number: every pending must-visit's date and state (small
    # tuples), then whole rows for the few each section shows.
    pending = (
        Reminder.objects.visible_to(user)
        .pending()
        .filter(
            member=permissions.member_of(user),
            due_on__lte=today + timezone.timedelta(days=DUE_SOON_DAYS),
        )
        .order_by("due_on", "id")
        .values_list("pk", "state", "due_on")
    )
    sections: dict[str, list[int]] = {"overdue": [], "due_today": [], "due_soon": []}
    for pk, state, due_on in pending:
        if state == Reminder.State.OVERDUE or due_on < today:
            sections["overdue"].append(pk)
        elif due_on == today:
            sections["due_today"].append(pk)
        else:
            sections["due_soon"].append(pk)
    shown = {pk for pks in sections.values() for pk in pks[:SHOWN_PER_SECTION]}
    rows = (
        # The columns the sections show: whole reminder, rule and constituent rows cost
        # more to build than the query takes.
        Reminder.objects.filter(pk__in=shown)
        .select_related("rule", "constituent")
        .only(*SECTION_FIELDS)
        .in_bulk()
        if shown
        else {}
    )
    result = {"show": True, "today": today}
    for name, pks in sections.items():
        result[name] = [rows[pk] for pk in pks[:SHOWN_PER_SECTION] if pk in rows]
        result[f"{name}_count"] = len(pks)
    return result


@register.filter
def log_contact_url(reminder: Reminder) -> str:
    """The contact-log form prefilled with the reminder's constituent and the reminder."""
    base = reverse(LOG_CONTACT_URL)
    query = {"reminder": reminder.pk}
    if reminder.constituent_id:
        query["constituent"] = reminder.constituent_id
    return f"{base}?{urlencode(query)}"

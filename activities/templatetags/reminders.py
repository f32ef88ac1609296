"""``{% my_reminders %}``: the must-visit sections of a member's home page (今日必访 /
即将到期 / 已逾期). A template tag, so that the member home (in ``members``) shows them
without ``members`` importing ``activities``. One query."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.db.models import Case, Count, F, Q, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from activities.reminders.models import Reminder
from activities.reminders.services.notices import DUE_SOON_DAYS
from members import permissions
from members.common.urls import address

register = template.Library()

# Where "记录联系" goes: the contact-log form, prefilled from ?constituent=&reminder=.
LOG_CONTACT_URL = "activities:contactlog-create"


# Each section lists at most this many; its badge still counts them all. A campaign can give
# a member a hundred must-visits at once, and the home page is opened on a phone.
SHOWN_PER_SECTION = 10
SECTION_FIELDS = (
    "due_on", "note", "constituent__name", "rule__name", "rule__trigger_type",
)
SECTIONS = ("overdue", "due_today", "due_soon")  # in the order of the section's number


@register.inclusion_tag("activities/includes/_reminder_home.html", takes_context=True)
def my_reminders(context):
    user = context["request"].user
    if not permissions.is_member(user):
        return {"show": False}
    today = timezone.localdate()
    # One query whatever the number: each pending must-visit's section, its place in the
    # section (soonest due first) and the section's size, computed by the database, and the
    # rows of the first few of each section only. Reminders are partitioned by month on
    # PostgreSQL, and planning a query over every partition cost more than reading the rows.
    section = Case(
        When(Q(state=Reminder.State.OVERDUE) | Q(due_on__lt=today), then=Value(0)),
        When(due_on=today, then=Value(1)),
        default=Value(2),
    )
    shown = (
        Reminder.objects.visible_to(user)
        .pending()
        .filter(
            member=permissions.member_of(user),
            due_on__lte=today + timezone.timedelta(days=DUE_SOON_DAYS),
        )
        .annotate(section=section)
        .annotate(
            place=Window(RowNumber(), partition_by=F("section"), order_by=[F("due_on").asc(), F("id").asc()]),
            in_section=Window(Count("id"), partition_by=F("section")),
        )
        .filter(place__lte=SHOWN_PER_SECTION)
        # The columns the sections show: whole reminder, rule and constituent rows cost
        # more to build than the query takes.
        .select_related("rule", "constituent")
        .only(*SECTION_FIELDS)
        .order_by("section", "due_on", "id")
    )
    result = {"show": True, "today": today}
    for name in SECTIONS:
        result[name], result[f"{name}_count"] = [], 0
    for reminder in shown:
        name = SECTIONS[reminder.section]
        result[name].append(reminder)
        result[f"{name}_count"] = reminder.in_section
    return result


@register.filter
def log_contact_url(reminder: Reminder) -> str:
    """The contact-log form prefilled with the reminder's constituent and the reminder."""
    base = address(LOG_CONTACT_URL)  # reversed once: a home page lists up to 30 must-visits
    query = {"reminder": reminder.pk}
    if reminder.constituent_id:
        query["constituent"] = reminder.constituent_id
    return f"{base}?{urlencode(query)}"

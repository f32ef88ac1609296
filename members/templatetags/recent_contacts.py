"""``{% recent_contact_rows recent_logs %}``: the latest contacts on a member's home page
(``members.home.recent_contacts``).

The home is the page a member opens most. Its five latest contacts as template nodes (a loop
over the people reached, a localised date, a truncated summary, a translated channel each)
cost more CPU than reading them (bench/member_pages.py), so the rows are written here, each
value escaped as the template's autoescape would (``html.escape``)."""

from __future__ import annotations

from html import escape

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from members.common.days import day_html

register = template.Library()

# The summary as ``|truncatechars:40`` shows it.
SUMMARY_CHARS = 40

ROW = (
    '<a class="list-group-item list-group-item-action" href="{url}">'
    '<div class="d-flex justify-content-between">'
    '<span class="fw-semibold text-truncate">{reached}</span>'
    '<small class="text-secondary text-nowrap ms-2">{day}</small>'
    "</div>"
    '<small class="text-secondary">{channel} · {summary}</small>'
    "</a>"
)


@register.simple_tag
def recent_contact_rows(logs) -> str:
    """One ``list-group-item`` link per contact: the people it reached (、 between them), its
    day, its channel and the start of its summary."""
    return mark_safe("".join(  # every value escaped here
        ROW.format(
            url=escape(log.get_absolute_url()),
            reached="、".join(escape(person.name) for person in log.reached),
            day=day_html(timezone.localtime(log.contacted_at).date()),
            channel=escape(str(log.get_channel_display())),
            summary=escape(Truncator(log.summary).chars(SUMMARY_CHARS)),
        )
        for log in logs
    ))

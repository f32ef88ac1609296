"""``{% roster_rows page %}``: the rows of a member's roster (``members/constituent_mine.html``).

A member opens the roster from the phone more than any page but the home, and rendering its
thirty rows as template nodes (a dozen each, a date localised in each) cost more CPU than
the page's queries and its frame together (bench/member_pages.py). Built here in Python, each
value escaped as the template would."""

from __future__ import annotations

from html import escape

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from members.common.days import day_html
from members.common.urls import address, address_of

register = template.Library()

ROW = (
    '<div class="list-group-item d-flex align-items-center gap-2">'
    '<a class="flex-grow-1 text-decoration-none text-body min-w-0" href="{detail}">'
    '<div class="fw-semibold">{name}</div>'
    '<small class="text-secondary d-block text-truncate">{place}</small>'
    "{contacted}"
    "</a>"
    '<a class="btn btn-sm btn-portal text-nowrap" href="{log_url}?constituent={pk}">{log}</a>'
    "</div>"
)


@register.simple_tag
def roster_rows(constituents) -> str:
    """One ``list-group-item`` per constituent: name, unit · community, the last contact's
    date (or a "never contacted" badge) and the button that logs a contact with them. Every
    value is escaped here (``html.escape``, as the template's autoescape does); Django's
    ``format_html`` cost as much again, asking each value whether it is a lazy string."""
    detail = address_of("members:constituent-detail")
    log_url = escape(address("activities:contactlog-create"))
    last_contact = escape(gettext("Last contact"))
    never = f'<span class="badge text-bg-warning">{escape(gettext("Never contacted"))}</span>'
    log = escape(gettext("Log"))

    def row(c) -> str:
        if c.last_contacted_at:
            day = day_html(timezone.localtime(c.last_contacted_at).date())
            contacted = f'<small class="text-secondary">{last_contact} {day}</small>'
        else:
            contacted = never
        return ROW.format(
            detail=escape(detail(c.pk)), name=escape(c.name), pk=int(c.pk), log_url=log_url, log=log,
            place=escape(" · ".join(part for part in (c.unit, c.community) if part)),
            contacted=contacted,
        )

    return mark_safe("\n".join(row(c) for c in constituents))  # every value escaped above

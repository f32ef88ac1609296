"""``{% roster_rows page %}``: the rows of a member's roster (``members/constituent_mine.html``).

A member opens the roster from the phone more than any page but the home, and rendering its
thirty rows as template nodes (a dozen each, a date localised in each) cost more CPU than
the page's queries and its frame together (bench/member_pages.py). Built here in Python with
``format_html``, which escapes every value as the template would."""

from __future__ import annotations

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from members.common.urls import address, address_of

register = template.Library()

ROW = (
    '<div class="list-group-item d-flex align-items-center gap-2">'
    '<a class="flex-grow-1 text-decoration-none text-body min-w-0" href="{}">'
    '<div class="fw-semibold">{}</div>'
    '<small class="text-secondary d-block text-truncate">{}</small>'
    "{}"
    "</a>"
    '<a class="btn btn-sm btn-portal text-nowrap" href="{}?constituent={}">{}</a>'
    "</div>"
)


@register.simple_tag
def roster_rows(constituents) -> str:
    """One ``list-group-item`` per constituent: name, unit · community, the last contact's
    date (or a "never contacted" badge) and the button that logs a contact with them."""
    detail = address_of("members:constituent-detail")
    log_url = address("activities:contactlog-create")
    last_contact, never, log = gettext("Last contact"), gettext("Never contacted"), gettext("Log")

    def row(c):
        place = " · ".join(part for part in (c.unit, c.community) if part)
        if c.last_contacted_at:
            day = formats.date_format(timezone.localtime(c.last_contacted_at), "DATE_FORMAT")
            contacted = format_html('<small class="text-secondary">{} {}</small>', last_contact, day)
        else:
            contacted = format_html('<span class="badge text-bg-warning">{}</span>', never)
        return detail(c.pk), c.name, place, contacted, log_url, c.pk, log

    return format_html_join("\n", ROW, (row(c) for c in constituents))

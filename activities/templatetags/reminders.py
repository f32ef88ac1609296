"""``{% my_reminders %}``: the must-visit sections of a member's home page (今日必访 /
即将到期 / 已逾期). A template tag, so that the member home (in ``members``) shows them
without ``members`` importing ``activities``. One query, in SQL (``SECTIONS_SQL``), or none when
nothing is pending, and the markup written in Python (``my_reminders``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

from django import template
from django.db import connections, router
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_lazy

from activities.reminders.models import Reminder
from activities.reminders.models.reminders import note_label
from activities.reminders.services.notices import DUE_SOON_DAYS
from members import permissions
from members.common.days import day_html
from members.common.literals import literal
from members.common.urls import address
from members.home import months_back

register = template.Library()

# Where "记录联系" goes: the contact-log form, prefilled from ?constituent=&reminder=.
LOG_CONTACT_URL = "activities:contactlog-create"
# The member's whole list of must-visits.
REMINDER_LIST_URL = "activities:reminder-list"


# Each section lists at most this many; its badge still counts them all. A campaign can give
# a member a hundred must-visits at once, and the home page is opened on a phone.
SHOWN_PER_SECTION = 10
SECTIONS = ("overdue", "due_today", "due_soon")  # in the order of the section's number


@dataclass(frozen=True)
class Shown:
    """A must-visit as its section of the home page shows it."""

    pk: int
    constituent_id: int | None
    constituent_name: str | None
    rule_name: str
    trigger_type: str
    note: str
    due_on: date
    section: int
    in_section: int

    @property
    def note_label(self) -> str:
        return note_label(self.trigger_type, self.note)


# Each pending must-visit's section (0 overdue, 1 due today, 2 due soon), its place in the
# section (soonest due first) and the section's size, computed by the database, and the
# rows of the first few of each section only: one query whatever the number.
#
# Written in SQL rather than built by the ORM: a member opens the home page more than any
# other, and compiling the ORM's version (a window filtered in a wrapping query) took
# 4-5 ms of CPU a request, ten times running it (bench/member_pages.py). The member is the
# scope: a member sees their own must-visits only (``Reminder.objects.visible_to``).
#
# Bounded below, where the member's ``pending_since`` allows (none of their pending
# must-visits was triggered before it), by the first day of a month a few months back
# (``SINCE_MONTHS``), written into the statement (``members.common.literals``): the
# must-visits are partitioned by the month of their trigger day on PostgreSQL, and the plan
# made for the bound opens that month's partition and the later ones alone, where the
# unbounded one opens every month's (thirty at province scale). A few fixed bounds, not the
# member's own month: each text is prepared on each connection only after a few runs
# planned whole, and a text per month of ``pending_since`` (twenty among a district's members)
# made the pages plan more than the pruning saved.
SINCE_MONTHS = (2, 11)  # this month and the two before; the last twelve months
SECTIONS_SQL = """
SELECT id, constituent_id, constituent_name, rule_name, trigger_type, note, due_on,
       section, in_section
FROM (
    SELECT pending.*,
           ROW_NUMBER() OVER (PARTITION BY section ORDER BY due_on, id) AS place,
           COUNT(*) OVER (PARTITION BY section) AS in_section
    FROM (
        SELECT r.id, r.constituent_id, c.name AS constituent_name, v.name AS rule_name,
               v.trigger_type, r.note, r.due_on,
               CASE WHEN r.state = %s OR r.due_on < %s THEN 0
                    WHEN r.due_on = %s THEN 1 ELSE 2 END AS section
        FROM {reminder} r
        JOIN {rule} v ON v.id = r.rule_id
        LEFT JOIN {constituent} c ON c.id = r.constituent_id
        WHERE r.member_id = %s AND r.state IN (%s, %s) AND r.due_on <= %s{since}
    ) pending
) placed
WHERE place <= %s
ORDER BY section, due_on, id
"""


def since_clause(connection, pending_since: date, today: date) -> str:
    """The statement's lower bound on the trigger day: the latest of the ``SINCE_MONTHS``
    bounds on or before ``pending_since``, or none."""
    for months in SINCE_MONTHS:
        bound = months_back(today.replace(day=1), months)
        if bound <= pending_since:
            return f"\n          AND r.trigger_on >= {literal(connection, bound)}"
    return ""


def sections_of(member, today: date) -> list[Shown]:
    """The first ``SHOWN_PER_SECTION`` must-visits of each section of ``member``'s home: none,
    without a query, when the member has none pending (``pending_since`` is NULL)."""
    if member.pending_since is None:
        return []
    tables = {
        "reminder": Reminder._meta.db_table,
        "rule": Reminder._meta.get_field("rule").related_model._meta.db_table,
        "constituent": Reminder._meta.get_field("constituent").related_model._meta.db_table,
    }
    connection = connections[router.db_for_read(Reminder)]
    sql = SECTIONS_SQL.format(
        **{name: connection.ops.quote_name(t) for name, t in tables.items()},
        since=since_clause(connection, member.pending_since, today),
    )
    state = Reminder.State
    params = [
        state.OVERDUE, today, today, member.pk, state.OPEN, state.OVERDUE,
        today + timezone.timedelta(days=DUE_SOON_DAYS), SHOWN_PER_SECTION,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # SQLite hands a computed column's date back as text.
    return [Shown(*row[:6], row[6] if isinstance(row[6], date) else date.fromisoformat(row[6]), *row[7:])
            for row in rows]


@dataclass(frozen=True)
class Section:
    """One section of the home's must-visits: its first few rows and how many it holds."""

    items: list[Shown]
    count: int


def home_sections(member, today: date) -> dict[str, Section]:
    """``member``'s pending must-visits by section (``SECTIONS``), each with its first
    ``SHOWN_PER_SECTION`` rows, soonest due first, and its size."""
    found: dict[str, list[Shown]] = {name: [] for name in SECTIONS}
    counts = dict.fromkeys(SECTIONS, 0)
    for reminder in sections_of(member, today):
        name = SECTIONS[reminder.section]
        found[name].append(reminder)
        counts[name] = reminder.in_section
    return {name: Section(found[name], counts[name]) for name in SECTIONS}


# How each section reads, in the order the home shows them: its heading (translated when the
# page is written), its Bootstrap colour and its test id.
SHOWN_SECTIONS = (
    ("overdue", gettext_lazy("Overdue"), "danger", "reminders-overdue"),
    ("due_today", gettext_lazy("Must visit today"), "warning", "reminders-today"),
    ("due_soon", gettext_lazy("Due soon"), "secondary", "reminders-soon"),
)

SECTION_HTML = (
    '<div class="card mb-2 border-{tone}" data-testid="{testid}">'
    '<div class="card-header py-1 small fw-semibold text-{tone}-emphasis bg-{tone}-subtle">'
    '{heading} <span class="badge text-bg-{tone}">{count}</span>'
    "</div>"
    '<ul class="list-group list-group-flush">{rows}{more}</ul>'
    "</div>"
)
MORE_HTML = '<li class="list-group-item small"><a href="{url}">{all_n} →</a></li>'
HOME_HTML = (
    '<section class="mb-4" data-testid="my-reminders">'
    '<div class="d-flex align-items-center mb-2">'
    '<h2 class="h5 mb-0 me-auto">{title}</h2>'
    '<a class="small" href="{url}">{all_mine}</a>'
    "</div>{body}</section>"
)
NOTHING_HTML = '<p class="text-body-secondary small mb-0">{nothing}</p>'


@register.simple_tag(takes_context=True)
def my_reminders(context) -> SafeString:
    """The must-visit sections of the member's home (今日必访 / 即将到期 / 已逾期): those with
    rows, each with its size and a link to the whole list when it shows only the first few.

    Written here, each value escaped as a template's autoescape would: as an inclusion tag
    with a template per section, the block cost twice its query in CPU (bench/member_pages.py)."""
    user = context["request"].user
    if not permissions.is_member(user):
        return mark_safe("")
    sections = home_sections(permissions.member_of(user), timezone.localdate())
    url = escape(address(REMINDER_LIST_URL))
    body = []
    for name, heading, tone, testid in SHOWN_SECTIONS:
        section = sections[name]
        if not section.items:
            continue
        more = ""
        if section.count > len(section.items):
            all_n = escape(gettext("All %(n)s") % {"n": section.count})
            more = MORE_HTML.format(url=url, all_n=all_n)
        body.append(SECTION_HTML.format(
            tone=tone, testid=testid, heading=escape(str(heading)), count=int(section.count),
            rows=reminder_rows(section.items), more=more,
        ))
    if not body:
        body.append(NOTHING_HTML.format(
            nothing=escape(gettext("Nothing due in the next days. Well done."))))
    return mark_safe(HOME_HTML.format(  # every value escaped above
        title=escape(gettext("Must-visits")), url=url,
        all_mine=escape(gettext("All my reminders")), body="".join(body),
    ))


@register.filter
def log_contact_url(reminder: Reminder | Shown) -> str:
    """The contact-log form prefilled with the reminder's constituent and the reminder."""
    base = address(LOG_CONTACT_URL)  # reversed once: a home page lists up to 30 must-visits
    # Two ids, written as they are (urlencode quoting them cost more than the row).
    url = f"{base}?reminder={int(reminder.pk)}"
    if reminder.constituent_id:
        url += f"&constituent={int(reminder.constituent_id)}"
    return url


REMINDER_ROW = (
    '<li class="list-group-item d-flex align-items-center gap-2 py-2" data-testid="reminder-{pk}">'
    '<div class="flex-grow-1 min-w-0">'
    '<div class="fw-semibold text-truncate">{who}</div>'
    '<div class="small text-body-secondary text-truncate">{what}</div>'
    '<div class="small text-body-secondary">{due}</div>'
    "</div>{button}</li>"
)


def reminder_rows(items) -> SafeString:
    """The rows of a home page's must-visit section: who, which rule (and its note), the due
    day and the button that logs the contact. Written here, each value escaped as the
    template would: a section's ten rows as template nodes (a translation and a localised
    date each) cost more CPU than the home page's five queries."""
    anyone = escape(gettext("Any of my constituents"))
    button = ('<a class="btn btn-sm btn-portal text-nowrap" href="{url}">'
              f'<i class="bi bi-pencil-square"></i> {escape(gettext("Log contact"))}</a>')
    due = gettext("due %(due)s")
    rows = []
    for reminder in items:
        what = escape(reminder.rule_name)
        if reminder.note:
            what += f" · {escape(str(reminder.note_label))}"
        rows.append(REMINDER_ROW.format(
            pk=int(reminder.pk),
            who=escape(reminder.constituent_name) if reminder.constituent_id else anyone,
            what=what,
            due=due % {"due": day_html(reminder.due_on)},
            button=button.format(url=escape(log_contact_url(reminder))),
        ))
    return mark_safe("".join(rows))  # every value escaped above

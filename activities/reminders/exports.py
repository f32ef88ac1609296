"""The compliance page's table as an Excel workbook (``?format=xlsx``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from members.exports import stamped, xlsx_response

COMPLIANCE_COUNTS = ("total", "done", "on_time_count", "rate", "overdue_count", "open_count")


def compliance_workbook(rows, totals, heading):
    """The page's table: a row per group, then the total (as on the page, none without rows).
    The rate is a number (an empty cell where nothing has come due) for Excel to sort."""
    table = [[row["label"] or "—", *(row[c] for c in COMPLIANCE_COUNTS)] for row in rows]
    if table:
        table.append([_("Total"), *(totals[c] for c in COMPLIANCE_COUNTS)])
    return xlsx_response(
        filename=stamped("must-visit-compliance"), sheet_title=_("Must-visit compliance"),
        headers=[heading, _("Reminders"), _("Done"), _("On time"), _("On-time rate (%)"),
                 _("Overdue"), _("Open")],
        rows=table,
    )

"""Excel exports of the (filtered) activities and consultations lists.

openpyxl's write-only workbook writes rows as they come, so memory stays flat however long
the list; the querysets are iterated in chunks.
"""

from __future__ import annotations

from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from members.xlsx import safe_row

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _response(workbook: Workbook, filename: str) -> HttpResponse:
    out = BytesIO()
    workbook.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def activity_headers() -> list[str]:
    return [
        _("Date"), _("Title"), _("Kind"), _("Channel"), _("Platform"), _("Organising committee"),
        _("Sectors"), _("Cross-sector"), _("Series"), _("State"), _("Signed up"), _("Attended"),
        _("Constituents reached"),
    ]


def activities_workbook(activities) -> HttpResponse:
    """``activities``: a queryset with ``for_list()`` and ``with_attendance_counts()``."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Activities"))
    sheet.append(activity_headers())
    for a in activities.iterator(chunk_size=500):
        sectors = [s.name for s in a.sectors.all()]
        sheet.append(safe_row(sheet, [
            timezone.localtime(a.starts_at).strftime("%Y-%m-%d %H:%M"),
            a.title,
            a.kind.name,
            a.get_channel_display(),
            a.platform.name if a.platform else "",
            a.committee.name if a.committee else "",
            "、".join(sectors),
            _("Yes") if len(sectors) >= 2 else "",
            a.series.name if a.series else "",
            a.get_state_display(),
            a.signed_up_count,
            a.attended_count,
            a.constituents_reached,
        ]))
    return _response(workbook, f"activities-{timezone.localdate():%Y%m%d}.xlsx")


def consultation_headers() -> list[str]:
    return [
        _("Date"), _("Topic"), _("Platform"), _("Host"), _("Members"), _("Officials"),
        _("Constituents"), _("Problems raised"), _("Problems resolved"),
    ]


def consultations_workbook(consultations) -> HttpResponse:
    """``consultations``: a queryset with ``for_list()`` and a ``member_count`` annotation."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Consultations"))
    sheet.append(consultation_headers())
    for c in consultations.iterator(chunk_size=500):
        sheet.append(safe_row(sheet, [
            c.held_on.strftime("%Y-%m-%d"),
            c.topic,
            c.platform.name if c.platform else "",
            c.host,
            c.member_count,
            c.officials_count,
            c.constituents_count,
            c.problem_count,
            c.resolved_count,
        ]))
    return _response(workbook, f"consultations-{timezone.localdate():%Y%m%d}.xlsx")

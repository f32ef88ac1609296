"""Excel exports of the (filtered) activities and consultations lists, streamed by
``members.exports.xlsx_response`` (write-only workbook, rows read in chunks, formulas kept as
text): memory stays flat however long the list."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.exports import CHUNK, xlsx_response


def activity_headers() -> list[str]:
    return [
        _("Date"), _("Title"), _("Kind"), _("Channel"), _("Platform"), _("Organising committee"),
        _("Sectors"), _("Cross-sector"), _("Series"), _("State"), _("Signed up"), _("Attended"),
        _("Constituents reached"),
    ]


def _activity_rows(activities) -> Iterable[list]:
    for a in activities.iterator(chunk_size=CHUNK):
        sectors = [s.name for s in a.sectors.all()]
        yield [
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
        ]


def activities_workbook(activities) -> FileResponse:
    """``activities``: a queryset with ``for_list()`` and ``with_attendance_counts()``."""
    return xlsx_response(
        filename=f"activities-{timezone.localdate():%Y%m%d}.xlsx", sheet_title=_("Activities"),
        headers=activity_headers(), rows=_activity_rows(activities),
    )


def consultation_headers() -> list[str]:
    return [
        _("Date"), _("Topic"), _("Platform"), _("Host"), _("Members"), _("Officials"),
        _("Constituents"), _("Problems raised"), _("Problems resolved"),
    ]


def _consultation_rows(consultations) -> Iterable[list]:
    for c in consultations.iterator(chunk_size=CHUNK):
        yield [
            c.held_on.strftime("%Y-%m-%d"),
            c.topic,
            c.platform.name if c.platform else "",
            c.host,
            c.member_count,
            c.officials_count,
            c.constituents_count,
            c.problem_count,
            c.resolved_count,
        ]


def consultations_workbook(consultations) -> FileResponse:
    """``consultations``: a queryset with ``for_list()`` and a ``member_count`` annotation."""
    return xlsx_response(
        filename=f"consultations-{timezone.localdate():%Y%m%d}.xlsx",
        sheet_title=_("Consultations"), headers=consultation_headers(),
        rows=_consultation_rows(consultations),
    )

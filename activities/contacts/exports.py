"""The Excel export of the staff's (filtered) contact-log list, streamed by
``members.exports.xlsx_response``."""

from __future__ import annotations

from members import exports

HEADERS = ["时间", "委员", "界别群众", "渠道", "方式", "平台", "联系内容", "意见建议", "困难", "困难类型"]


def _export_rows(queryset):
    for log in queryset.iterator(chunk_size=exports.CHUNK):
        yield [
            log.contacted_at, log.member.name, "、".join(c.name for c in log.constituents.all()),
            str(log.get_channel_display()), str(log.get_mode_display()),
            log.platform.name if log.platform else "", log.summary, log.opinions,
            "是" if log.difficulty else "否", str(log.get_difficulty_kind_display() or ""),
        ]


def contactlogs_workbook(logs):
    """``logs``: the filtered list's queryset (``ContactLog.objects.for_list()``)."""
    return exports.xlsx_response(
        filename=exports.stamped("contact-logs"), sheet_title="联系记录",
        headers=HEADERS, rows=_export_rows(logs),
    )

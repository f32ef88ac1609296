"""Staff pages of contact logs (desktop): the council's list, filtered, and its Excel export."""

from __future__ import annotations

from django.shortcuts import render

from activities.filters import ContactLogFilter
from activities.models import ContactLog
from members import exports, permissions
from members.pagination import page_of, query_without_page

HEADERS = ["时间", "委员", "界别群众", "渠道", "方式", "平台", "联系内容", "意见建议", "困难", "困难类型"]


def contactlog_rows(user):
    """The council's logs, newest first: the order of the (council, contacted_at) index."""
    return ContactLog.objects.visible_to(user).for_list().order_by("-contacted_at", "-id")


@permissions.council_reader_required
def contactlog_list(request):
    filterset = ContactLogFilter(request.GET, queryset=contactlog_rows(request.user), request=request)
    page = page_of(filterset.qs, request, capped=True)
    return render(
        request,
        "activities/contactlog_list.html",
        {"filter": filterset, "page": page, "query": query_without_page(request)},
    )


def _export_rows(queryset):
    for log in queryset.iterator(chunk_size=exports.CHUNK):
        yield [
            log.contacted_at, log.member.name, "、".join(c.name for c in log.constituents.all()),
            str(log.get_channel_display()), str(log.get_mode_display()),
            log.platform.name if log.platform else "", log.summary, log.opinions,
            "是" if log.difficulty else "否", str(log.get_difficulty_kind_display() or ""),
        ]


@permissions.council_reader_required
def contactlog_export(request):
    filterset = ContactLogFilter(request.GET, queryset=contactlog_rows(request.user), request=request)
    return exports.xlsx_response(
        filename=exports.stamped("contact-logs"), sheet_title="联系记录",
        headers=HEADERS, rows=_export_rows(filterset.qs),
    )

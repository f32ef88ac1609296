"""Exports of the staff's (filtered) contact-log list: Excel (``members.exports.xlsx_response``)
or streamed CSV (``members.exports.csv_response``).

The rows are plain values of one query: the member's and the platform's names joined, the
names of the people reached aggregated in SQL for each log (a sub-select on the links'
(contact_log, constituent) index) — never a query per log or per chunk of logs, however many
millions the export holds.
"""

from __future__ import annotations

from django.db import models
from django.db.models import OuterRef, Subquery

from activities.contacts.models import Channel, ContactLog, ContactLogConstituent
from members import exports

HEADERS = ["时间", "委员", "界别群众", "渠道", "方式", "平台", "联系内容", "意见建议", "困难", "困难类型"]

# Between the names of the people a log reached, as on the page.
NAME_SEPARATOR = "、"


class JoinedNames(models.Aggregate):
    """Text values joined by ``NAME_SEPARATOR``, in name order on PostgreSQL (STRING_AGG);
    SQLite's GROUP_CONCAT (before 3.44) takes no order."""

    function = "STRING_AGG"
    template = f"%(function)s(%(expressions)s, '{NAME_SEPARATOR}' ORDER BY %(expressions)s)"
    output_field = models.TextField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, function="GROUP_CONCAT",
            template=f"%(function)s(%(expressions)s, '{NAME_SEPARATOR}')", **extra,
        )


def _people(log_ref: str = "pk"):
    names = (
        ContactLogConstituent.objects.filter(contact_log_id=OuterRef(log_ref))
        .values("contact_log_id")
        .annotate(names=JoinedNames("constituent__name"))
        .values("names")
    )
    return Subquery(names, output_field=models.TextField())


VALUES = (
    exports.LOCAL_TIME % "contacted_at", "member__name", "people", "channel", "mode", "platform__name", "summary",
    "opinions", "difficulty", "difficulty_kind",
)


def export_rows(queryset):
    """The rows of ``HEADERS`` for the logs of ``queryset`` (its filters and order kept)."""
    # The labels translated once, not once a row (a lazy label is a gettext call each time).
    channels = {value: str(label) for value, label in Channel.choices}
    modes = {value: str(label) for value, label in ContactLog.Mode.choices}
    difficulties = {value: str(label) for value, label in ContactLog.Difficulty.choices}
    rows = exports.read_values(queryset.prefetch_related(None).annotate(people=_people()), VALUES)
    for when, member, people, channel, mode, platform, summary, opinions, difficulty, kind in rows:
        yield [
            when, member, people or "", channels.get(channel, channel), modes.get(mode, mode),
            platform or "", summary, opinions, "是" if difficulty else "否",
            difficulties.get(kind, kind),
        ]


def contactlogs_workbook(logs):
    """``logs``: the filtered list's queryset (``ContactLog.objects.for_list()``)."""
    return exports.xlsx_response(
        filename=exports.stamped("contact-logs"), sheet_title="联系记录",
        headers=HEADERS, rows=export_rows(logs),
    )


def contactlogs_csv(logs):
    """The same rows as ``contactlogs_workbook``, streamed as CSV."""
    return exports.csv_response(
        filename=exports.stamped("contact-logs", "csv"), headers=HEADERS, rows=export_rows(logs),
    )

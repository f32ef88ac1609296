"""Reports made through the services, dated with the services' clock."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from members.common import clock
from opinions import services


def at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def report_in(stage: str, *, member, offices: list, day: date | None = None, title: str = "",
              body: str = "群众反映的情况和建议。"):
    """A report of ``member`` taken to ``stage``: ``pending`` (at the member's council),
    ``not_used``, ``adopted``, ``instructed`` (adopted with a leader's instruction) at the
    first office, or ``forwarded`` (pending at the second office) — ``offices``: the staff of
    each level, from the member's council up."""
    moment = at(day) if day else None
    if day is None:
        # Today at 09:00, or a minute ago if that is still ahead (the first hours of a local
        # day): a later step the test takes at the real time must come after it.
        day = timezone.localdate()
        moment = min(at(day), timezone.now() - timedelta(minutes=1))
    with clock.frozen_at(moment):
        report = services.report_submit(member=member, by=member.user,
                                        title=title or f"{stage}的社情民意", body=body)
        first = offices[0] if offices else None
        if stage == "not_used":
            report = services.report_not_use(report=report, by=first, reason="已有相关政策")
        elif stage in ("adopted", "instructed"):
            report = services.report_adopt(report=report, by=first)
        elif stage == "forwarded":
            report = services.report_forward(report=report, by=first)
    if stage == "instructed":
        with clock.frozen_at(at(day + timedelta(days=1))):
            services.instruction_record(report=report, by=first, leader="区委书记 刘某",
                                        text="请相关部门研究办理。", given_on=day)
        report.refresh_from_db()
    return report

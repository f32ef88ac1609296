"""When the demo's contacts, submissions and opinions happen."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from members.common.clock import start_of


def past_at(day: date, hour: int) -> datetime:
    """``day`` at ``hour`` o'clock, local time; five minutes ago if that hour has not come
    yet — but never before ``day`` began. A contact the demo logs "today" in the first
    minutes after midnight is then still today's: a consultation's must-visit counts the
    member's contacts from its own day on."""
    now = timezone.now()
    when = timezone.make_aware(datetime.combine(day, time(hour)))
    return max(min(when, now - timedelta(minutes=5)), min(start_of(day), now))

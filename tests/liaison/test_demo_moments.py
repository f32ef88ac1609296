"""The demo's moments: what it logs for "today" is today's, whatever the hour it is built at
(the consultations' must-visits count a member's contacts from their own day on, so a contact
of today dated yesterday left the demo without a single one done when built after midnight)."""

import datetime as dt

import time_machine
from django.utils import timezone

from liaison.demo.moments import past_at

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(hour: int, minute: int) -> dt.datetime:
    return dt.datetime(2026, 12, 3, hour, minute, tzinfo=SHANGHAI)


def test_today_just_after_midnight_is_still_today():
    with time_machine.travel(at(0, 2), tick=False):
        when = past_at(timezone.localdate(), 9)
        assert timezone.localdate(when) == dt.date(2026, 12, 3)
        assert when <= timezone.now()


def test_an_hour_not_come_yet_is_five_minutes_ago():
    with time_machine.travel(at(10, 0), tick=False):
        assert past_at(timezone.localdate(), 15) == at(9, 55)


def test_an_hour_gone_is_that_hour():
    with time_machine.travel(at(10, 0), tick=False):
        assert past_at(dt.date(2026, 12, 2), 9) == dt.datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)

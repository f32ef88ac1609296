"""Dates and times written into a statement as literals, not bound as parameters.

The portal's connections prepare a query they run often, and PostgreSQL then plans it once
(settings ``DATABASE_PREPARE_THRESHOLD``). For a query over a table partitioned by month (the
contact logs, the must-visits) whose time bound is a parameter, that one plan covers every
month, pruned only when it runs; PostgreSQL judged it dearer than a plan for the values at
hand and so planned the query again on every run, which is what preparing was to avoid
(a member's home page: 0.9 ms of PostgreSQL CPU for its counts, 0.1 with the month written
in). A bound that changes once a day or once a month, written into the statement, gives one
statement a day or a month, planned once with its months known.

The same holds for a bound read from the database just before (the times of a member's latest
contacts, ``members.home``): one statement a request, planned for those months alone, which
costs PostgreSQL less than opening every month's partition under a plan made for any months.

Only for values the portal computes or reads back typed from the database (today, the month's
first day, a stored time), never for user input; the text is checked to be a date or a time.
"""

from __future__ import annotations

import re
from datetime import date, datetime

_TEXT = re.compile(r"[0-9T:. +-]+")


def literal(connection, value: date | datetime) -> str:
    """``value`` as a literal of ``connection``'s SQL (a datetime as the column stores it:
    in UTC text on SQLite)."""
    if isinstance(value, datetime):
        adapted, cast = connection.ops.adapt_datetimefield_value(value), "timestamptz"
    else:
        adapted, cast = connection.ops.adapt_datefield_value(value), "date"
    text = adapted.isoformat() if isinstance(adapted, date) else str(adapted)
    if not _TEXT.fullmatch(text):
        raise ValueError(f"not a date or time: {text!r}")
    return f"'{text}'::{cast}" if connection.vendor == "postgresql" else f"'{text}'"

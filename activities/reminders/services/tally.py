"""``reminder_tally_rebuild``: the must-visit tally (``ReminderTally``) recounted from the
reminders. The triggers on the reminder table keep it in every write (migration 0023); this
puts it right where rows were written with the triggers off (a restore with
``session_replication_role``, a partition attached by hand) and checks it every night with
the other rollups. Idempotent; one transaction per council."""

from __future__ import annotations

from django.db import connection, transaction

from activities.reminders.models import Reminder, ReminderTally
from members.common.locks import tables_locked
from members.models import Council

_MONTH = {"postgresql": "date_trunc('month', due_on)::date", "sqlite": "date(due_on, 'start of month')"}

_RECOUNT = """
INSERT INTO {tally} (council_id, period, start, due, on_time, overdue)
SELECT council_id, period, start, COUNT(*),
       SUM(CASE WHEN state = %s AND on_time THEN 1 ELSE 0 END),
       SUM(CASE WHEN state = %s THEN 1 ELSE 0 END)
FROM (SELECT council_id, 'd' AS period, due_on AS start, state, on_time FROM {reminders}
      WHERE council_id = %s AND state IN (%s, %s)
      UNION ALL
      SELECT council_id, 'm', {month}, state, on_time FROM {reminders}
      WHERE council_id = %s AND state IN (%s, %s)) AS counted
GROUP BY council_id, period, start
"""


def reminder_tally_rebuild(*, council: Council | int | None = None) -> int:
    """Recount the tally of ``council`` (every council if None); returns the rows written.

    On PostgreSQL the tally is locked against writes (``SHARE ROW EXCLUSIVE``; the triggers'
    upserts wait, readers go on) for each council's transaction: a reminder changed meanwhile
    is counted by the recount or added after it, never both."""
    if council is None:
        ids = list(Council.objects.order_by("pk").values_list("pk", flat=True))
    else:
        ids = [council if isinstance(council, int) else council.pk]
    S = Reminder.State
    sql = _RECOUNT.format(
        tally=connection.ops.quote_name(ReminderTally._meta.db_table),
        reminders=connection.ops.quote_name(Reminder._meta.db_table),
        month=_MONTH[connection.vendor],
    )
    written = 0
    for council_id in ids:
        with transaction.atomic(), connection.cursor() as cursor:
            tables_locked(ReminderTally, mode="SHARE ROW EXCLUSIVE")
            ReminderTally.objects.filter(council_id=council_id).delete()
            counted = (S.DONE, S.OVERDUE)
            cursor.execute(sql, [S.DONE, S.OVERDUE, council_id, *counted, council_id, *counted])
            written += cursor.rowcount
    return written

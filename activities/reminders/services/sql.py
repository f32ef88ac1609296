"""The set-based INSERT every generation is built on.

Generation is set-based: every rule is one ``INSERT … SELECT … ON CONFLICT DO NOTHING``
(a ``UNION ALL`` of selects when several campaigns run or several calendar windows are open)
built from querysets, never a Python loop over constituents: the number of queries per rule
does not grow with the data (``bench/reminders_sweep.py`` measures it at 100,000
constituents). The unique constraints on ``Reminder`` make every statement idempotent.
"""

from __future__ import annotations

from datetime import date

from django.db import connection, models
from django.db.models import Case, Value, When
from django.db.models.functions import Cast, Left, TruncDate
from django.db.models.lookups import LessThan
from django.utils import timezone

from activities.reminders.models import MustVisitRule, Reminder


class AddDays(models.Func):
    """``date + n days`` as a date, on PostgreSQL and SQLite alike."""

    output_field = models.DateField()

    def __init__(self, expression, days: int):
        super().__init__(expression, Value(int(days)))

    def as_postgresql(self, compiler, conn, **extra):
        return self.as_sql(compiler, conn, template="(%(expressions)s)", arg_joiner=" + ", **extra)

    def as_sqlite(self, compiler, conn, **extra):
        return self.as_sql(
            compiler, conn, template="date(%(expressions)s || ' days')", arg_joiner=", '+' || ",
            **extra,
        )


def local_date(expression):
    return TruncDate(expression, tzinfo=timezone.get_current_timezone())


# The reminder's source, if its trigger has one (see ``Reminder``); NULL otherwise.
SOURCE_COLUMNS = ["campaign_id", "consultation_id", "proposal_id", "flagged_by_id"]

REMINDER_COLUMNS = [
    "council_id", "rule_id", "member_id", "constituent_id", "period_key", "note",
    "trigger_on", "due_on", "state", "dismissed_reason", "on_time", "created_at",
    *SOURCE_COLUMNS,
]


def _no_id():
    # Typed: in a UNION, PostgreSQL would read a bare NULL as text.
    return Cast(Value(None), models.BigIntegerField())


def reminder_select(queryset, *, rule: MustVisitRule, today: date, **values):
    """``queryset`` as the rows of new reminders, in ``REMINDER_COLUMNS`` order.

    ``values`` gives an expression for each of council_id, member_id, constituent_id,
    period_key, note, trigger_on and due_on, and for the source (one of ``SOURCE_COLUMNS``)
    if the trigger has one; the rest are constants.
    """
    now = timezone.now()
    exprs = {
        "council_id": values["council_id"],
        "rule_id": Value(rule.pk),
        "member_id": values["member_id"],
        "constituent_id": values.get("constituent_id", _no_id()),
        "period_key": values["period_key"],
        "note": Left(values.get("note", Value("")), 200),
        "trigger_on": values["trigger_on"],
        "due_on": values["due_on"],
        # Born overdue when the sweep catches up on a past due date: no second pass.
        "state": Case(
            When(LessThan(values["due_on"], Value(today, models.DateField())),
                 then=Value(Reminder.State.OVERDUE.value)),
            default=Value(Reminder.State.OPEN.value),
        ),
        "dismissed_reason": Value(""),
        "on_time": Value(False),
        "created_at": Value(now, models.DateTimeField()),
        **{column: values.get(column, _no_id()) for column in SOURCE_COLUMNS},
    }
    aliases = {f"r_{name}": expr for name, expr in exprs.items()}
    return queryset.order_by().annotate(**aliases).values_list(*aliases)


# The unique index each level of reminder may collide with (see ``Reminder.Meta``). Naming
# it, rather than a bare ON CONFLICT, makes it the only index probed before each insert.
_CONFLICT_TARGET = {
    False: '("rule_id", "period_key", "member_id", "constituent_id", "trigger_on")',
    True: '("rule_id", "period_key", "member_id", "trigger_on") WHERE "constituent_id" IS NULL',
}


def insert_reminders(querysets: list, *, rule: MustVisitRule, today: date, **values) -> int:
    """Turn ``querysets`` (the parts of one rule's rows: the whole, or what changed since
    the last sweep) into ``INSERT INTO reminder … SELECT … UNION ALL … ON CONFLICT DO
    NOTHING``.

    ``values`` as for ``reminder_select``. One statement, whatever the number of rows; returns the
    number of reminders created. A row in two parts is inserted once (the unique key).
    """
    return insert_selects(
        [reminder_select(qs, rule=rule, today=today, **values) for qs in querysets],
        member_level=rule.is_member_level,
    )


def insert_selects(selects: list, *, member_level: bool) -> int:
    """One ``INSERT … SELECT … UNION ALL SELECT … ON CONFLICT DO NOTHING`` of ``selects``
    (from ``reminder_select``): a rule with several occasions at once (campaigns, windows) still
    costs one statement."""
    if not selects:
        return 0
    select = selects[0].union(*selects[1:], all=True) if len(selects) > 1 else selects[0]
    sql, params = select.query.sql_with_params()
    table = connection.ops.quote_name(Reminder._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in REMINDER_COLUMNS)
    # The selects always have a WHERE, which SQLite needs before ON CONFLICT.
    statement = (
        f"INSERT INTO {table} ({columns}) {sql} "
        f"ON CONFLICT {_CONFLICT_TARGET[member_level]} DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return max(cursor.rowcount, 0)

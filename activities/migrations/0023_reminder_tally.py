"""The must-visit tally (``activities.ReminderTally``) and the triggers that keep it: the
reminders that came due per council and day, and per council and month, done on time or
overdue. The tally is filled from the reminders already there.

PostgreSQL: one trigger per statement (INSERT, UPDATE, DELETE) on the reminder table — the
partitioned root, so every partition's rows — sums the statement's changed rows (its
transition tables) per council and day and month, and adds them in one ``INSERT … ON
CONFLICT DO UPDATE``, in the order of the unique index (two writers lock rows in the same
order). A statement that changes no counted reminder (the sweep's inserts of open ones),
or whose changes cancel out (a done reminder's note edited), writes nothing. ``TRUNCATE`` empties the tally.

SQLite: one trigger per row and kind of write, the same increments (a row taken off by an
UPDATE of its tally rows, which exist while it is counted).
"""

import django.db.models.deletion
from django.db import migrations, models



COUNTED = "('done', 'overdue')"

# The counted rows a statement changed, signed: +1 per new row, -1 per old one.
PG_CHANGES = {
    "INSERT": f"SELECT council_id, due_on, state, on_time, 1 AS sign FROM new_rows "
              f"WHERE state IN {COUNTED}",
    "DELETE": f"SELECT council_id, due_on, state, on_time, -1 AS sign FROM old_rows "
              f"WHERE state IN {COUNTED}",
}
PG_CHANGES["UPDATE"] = f"{PG_CHANGES['INSERT']} UNION ALL {PG_CHANGES['DELETE']}"

PG_ADD = """
INSERT INTO activities_remindertally AS t (council_id, period, start, due, on_time, overdue)
SELECT c.council_id, p.period, p.start, SUM(c.sign),
       COALESCE(SUM(c.sign) FILTER (WHERE c.state = 'done' AND c.on_time), 0),
       COALESCE(SUM(c.sign) FILTER (WHERE c.state = 'overdue'), 0)
FROM ({changes}) AS c
CROSS JOIN LATERAL (VALUES ('d', c.due_on),
                           ('m', date_trunc('month', c.due_on)::date)) AS p(period, start)
GROUP BY c.council_id, p.period, p.start
HAVING (SUM(c.sign), COALESCE(SUM(c.sign) FILTER (WHERE c.state = 'done' AND c.on_time), 0),
        COALESCE(SUM(c.sign) FILTER (WHERE c.state = 'overdue'), 0)) <> (0, 0, 0)
ORDER BY c.council_id, p.period, p.start
ON CONFLICT (council_id, period, start) DO UPDATE
SET due = t.due + EXCLUDED.due, on_time = t.on_time + EXCLUDED.on_time,
    overdue = t.overdue + EXCLUDED.overdue
"""

PG_CREATE = f"""
CREATE FUNCTION activities_reminder_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {PG_ADD.format(changes=PG_CHANGES["INSERT"])};
    ELSIF TG_OP = 'UPDATE' THEN
        {PG_ADD.format(changes=PG_CHANGES["UPDATE"])};
    ELSIF TG_OP = 'DELETE' THEN
        {PG_ADD.format(changes=PG_CHANGES["DELETE"])};
    ELSE
        DELETE FROM activities_remindertally;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER activities_reminder_tally_insert AFTER INSERT ON activities_reminder
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION activities_reminder_tally();
CREATE TRIGGER activities_reminder_tally_update AFTER UPDATE ON activities_reminder
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION activities_reminder_tally();
CREATE TRIGGER activities_reminder_tally_delete AFTER DELETE ON activities_reminder
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION activities_reminder_tally();
CREATE TRIGGER activities_reminder_tally_truncate AFTER TRUNCATE ON activities_reminder
    FOR EACH STATEMENT EXECUTE FUNCTION activities_reminder_tally();
"""

PG_DROP = """
DROP TRIGGER IF EXISTS activities_reminder_tally_truncate ON activities_reminder;
DROP TRIGGER IF EXISTS activities_reminder_tally_delete ON activities_reminder;
DROP TRIGGER IF EXISTS activities_reminder_tally_update ON activities_reminder;
DROP TRIGGER IF EXISTS activities_reminder_tally_insert ON activities_reminder;
DROP FUNCTION IF EXISTS activities_reminder_tally();
"""


def _sqlite_add(row: str) -> str:
    """Add ``row`` (NEW) to its day's and month's rows, if its state counts."""
    values = f"1, ({row}.state = 'done' AND {row}.on_time), ({row}.state = 'overdue')"
    return "\n".join(
        f"INSERT INTO activities_remindertally (council_id, period, start, due, on_time, overdue) "
        f"SELECT {row}.council_id, '{period}', {start}, {values} WHERE {row}.state IN {COUNTED} "
        f"ON CONFLICT (council_id, period, start) DO UPDATE SET due = due + excluded.due, "
        f"on_time = on_time + excluded.on_time, overdue = overdue + excluded.overdue;"
        for period, start in (("d", f"{row}.due_on"), ("m", f"date({row}.due_on, 'start of month')"))
    )


def _sqlite_take(row: str) -> str:
    """Take ``row`` (OLD) off its day's and month's rows, if its state counted. An UPDATE, not
    an upsert: a counted reminder's rows are there, and a row already gone (the test runner's
    flush empties the tables in no set order) must not come back."""
    return "\n".join(
        f"UPDATE activities_remindertally SET due = due - 1, "
        f"on_time = on_time - ({row}.state = 'done' AND {row}.on_time), "
        f"overdue = overdue - ({row}.state = 'overdue') "
        f"WHERE {row}.state IN {COUNTED} AND council_id = {row}.council_id "
        f"AND period = '{period}' AND start = {start};"
        for period, start in (("d", f"{row}.due_on"), ("m", f"date({row}.due_on, 'start of month')"))
    )


SQLITE_CREATE = [
    "CREATE TRIGGER activities_reminder_tally_insert AFTER INSERT ON activities_reminder "
    f"BEGIN {_sqlite_add('NEW')} END",
    "CREATE TRIGGER activities_reminder_tally_update AFTER UPDATE ON activities_reminder "
    f"BEGIN {_sqlite_take('OLD')} {_sqlite_add('NEW')} END",
    "CREATE TRIGGER activities_reminder_tally_delete AFTER DELETE ON activities_reminder "
    f"BEGIN {_sqlite_take('OLD')} END",
]

SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS activities_reminder_tally_{kind}"
    for kind in ("insert", "update", "delete")
]

# The tally of the reminders already there (run before the triggers exist).
FILL = """
INSERT INTO activities_remindertally (council_id, period, start, due, on_time, overdue)
SELECT council_id, period, start, COUNT(*),
       SUM(CASE WHEN state = 'done' AND on_time THEN 1 ELSE 0 END),
       SUM(CASE WHEN state = 'overdue' THEN 1 ELSE 0 END)
FROM (SELECT council_id, 'd' AS period, due_on AS start, state, on_time
      FROM activities_reminder WHERE state IN ('done', 'overdue')
      UNION ALL
      SELECT council_id, 'm', {month}, state, on_time
      FROM activities_reminder WHERE state IN ('done', 'overdue')) AS counted
GROUP BY council_id, period, start
"""
MONTH = {"postgresql": "date_trunc('month', due_on)::date", "sqlite": "date(due_on, 'start of month')"}


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute(FILL.format(month=MONTH[vendor]), params=None)
    if vendor == "postgresql":
        schema_editor.execute(PG_CREATE, params=None)
    else:
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DROP, params=None)
    else:
        for statement in SQLITE_DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('activities', '0022_offline_contact_keys'),
        ('members', '0016_audit_report_state'),
    ]

    operations = [
        migrations.CreateModel(
            name='ReminderTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('period', models.CharField(choices=[('d', 'day'), ('m', 'month')], max_length=1, verbose_name='period')),
                ('start', models.DateField(verbose_name='first day')),
                ('due', models.IntegerField(default=0, verbose_name='came due')),
                ('on_time', models.IntegerField(default=0, verbose_name='done on time')),
                ('overdue', models.IntegerField(default=0, verbose_name='overdue')),
                ('council', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminder_tallies', to='members.council', verbose_name='council')),
            ],
            options={
                'verbose_name': 'must-visit tally',
                'verbose_name_plural': 'must-visit tallies',
                'indexes': [models.Index(fields=['period', 'start'], name='remindertally_period')],
                'constraints': [models.UniqueConstraint(fields=('council', 'period', 'start'), name='remindertally_grain_unique')],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]

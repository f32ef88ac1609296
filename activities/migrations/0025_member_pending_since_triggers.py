"""The triggers that keep ``Member.pending_since`` (members 0019): no pending (open or overdue)
must-visit of a member was triggered before that day; NULL when none is pending. It is filled
from the must-visits already there.

A write that makes must-visits pending — the sweep's ``INSERT … SELECT``, a campaign, a
difficulty flagged, a restore's ``COPY``, an update that reopens one or moves its trigger day
— lowers the bound of their members, in the same statement, where it was later. Nothing raises
it: a closed or dismissed must-visit leaves a bound that is only lower than it need be, which
costs the home page a few partitions more and hides nothing. The nightly rollups job sets it
to the earliest again (``activities.reminders.services.pending``).

PostgreSQL: one trigger per statement (INSERT, UPDATE) on the must-visit table — the
partitioned root, so every partition's rows — groups the statement's new rows by member and
updates the members whose bound is later, locking them in id order (two writers at once lock
the same members in the same order). A statement with no pending row (a contact closing
must-visits) updates nothing. SQLite: one trigger per row, the same update.
"""

from django.db import migrations

PENDING = "('open', 'overdue')"

PG_LOWER = f"""
WITH earliest AS (
    SELECT member_id, MIN(trigger_on) AS first FROM new_rows
    WHERE state IN {PENDING} GROUP BY member_id
), later AS (
    SELECT m.id, earliest.first FROM members_member m JOIN earliest ON earliest.member_id = m.id
    WHERE m.pending_since IS NULL OR m.pending_since > earliest.first
    ORDER BY m.id FOR UPDATE OF m
)
UPDATE members_member m SET pending_since = later.first FROM later
WHERE m.id = later.id AND (m.pending_since IS NULL OR m.pending_since > later.first)
"""

PG_CREATE = f"""
CREATE FUNCTION activities_reminder_pending_since() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {PG_LOWER};
    RETURN NULL;
END
$$;
CREATE TRIGGER activities_reminder_pending_insert AFTER INSERT ON activities_reminder
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION activities_reminder_pending_since();
CREATE TRIGGER activities_reminder_pending_update AFTER UPDATE ON activities_reminder
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION activities_reminder_pending_since();
"""

PG_DROP = """
DROP TRIGGER IF EXISTS activities_reminder_pending_update ON activities_reminder;
DROP TRIGGER IF EXISTS activities_reminder_pending_insert ON activities_reminder;
DROP FUNCTION IF EXISTS activities_reminder_pending_since();
"""

SQLITE_LOWER = (
    f"WHEN NEW.state IN {PENDING} BEGIN UPDATE members_member SET pending_since = NEW.trigger_on "
    "WHERE id = NEW.member_id AND (pending_since IS NULL OR pending_since > NEW.trigger_on); END"
)
SQLITE_CREATE = [
    f"CREATE TRIGGER activities_reminder_pending_{kind} AFTER {kind.upper()} ON activities_reminder "
    f"{SQLITE_LOWER}"
    for kind in ("insert", "update")
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS activities_reminder_pending_{kind}" for kind in ("insert", "update")
]

# The bound of every member from the must-visits already there (run before the triggers).
FILL = f"""
UPDATE members_member SET pending_since = earliest.first
FROM (SELECT member_id, MIN(trigger_on) AS first FROM activities_reminder
      WHERE state IN {PENDING} GROUP BY member_id) AS earliest
WHERE members_member.id = earliest.member_id
"""


def create_triggers(apps, schema_editor):
    schema_editor.execute(FILL, params=None)
    if schema_editor.connection.vendor == "postgresql":
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
        ("activities", "0024_contactlog_member_order_covers_the_council"),
        ("members", "0019_member_pending_since"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]

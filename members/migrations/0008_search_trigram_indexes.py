"""Trigram indexes for the staff lists' text search and the pickers (PostgreSQL only).

Django's ``icontains`` / ``istartswith`` compare ``UPPER(column::text) LIKE UPPER(pattern)``
on PostgreSQL, so the GIN indexes are on that expression: ``%word%`` (three characters or
more) and ``word%`` (a name's start, ``members.common.search``) read the index instead of
every constituent. ``pg_trgm`` is a trusted extension (PostgreSQL 13+): the database's owner
may create it. On this server's ``C.UTF-8`` locale Chinese characters make trigrams
(``show_trgm('张伟明')`` has four). Other databases (SQLite on a laptop) get nothing: the
same lookups scan, which is fine at a district's size.
"""

from django.db import migrations

INDEXES = [
    # (index name, table, column)
    ("constituent_name_trgm", "members_constituent", "name"),
    ("constituent_phone_trgm", "members_constituent", "phone"),
    ("constituent_unit_trgm", "members_constituent", "unit"),
    ("constituent_community_trgm", "members_constituent", "community"),
    ("member_name_trgm", "members_member", "name"),
    ("member_phone_trgm", "members_member", "phone"),
    ("member_unit_trgm", "members_member", "unit"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    # The extension stays: other database objects may use it, and it costs nothing.
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("members", "0007_roster_tally")]

    operations = [migrations.RunPython(create, drop, elidable=False)]

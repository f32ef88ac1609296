"""The titles' pairs of characters (PostgreSQL only): a two-character word of the register's
search (养老) read from an index instead of every proposal (``members`` 0017 says how)."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        'CREATE INDEX IF NOT EXISTS "proposal_title_bigrams" ON "proposals_proposal" '
        'USING gin (portal_bigrams(UPPER("title"::text)))'
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute('DROP INDEX IF EXISTS "proposal_title_bigrams"')


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0017_search_bigrams"),
        ("proposals", "0012_register_indexes"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]

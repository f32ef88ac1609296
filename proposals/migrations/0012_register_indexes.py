"""The register's indexes: its order within a session, (session, number, id), so a page's
ids are read from one index per session instead of sorting every proposal in reach
(``proposals.register``); and on PostgreSQL a trigram index on the title, as the staff lists'
searches have (``members`` 0008): ``icontains`` compares ``UPPER(title::text)``, which the
index serves for words of three characters or more."""

from django.db import migrations, models


def create_trigram(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        'CREATE INDEX IF NOT EXISTS "proposal_title_trgm" ON "proposals_proposal" '
        'USING gin ((UPPER("title"::text)) gin_trgm_ops)'
    )


def drop_trigram(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute('DROP INDEX IF EXISTS "proposal_title_trgm"')


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0008_search_trigram_indexes'),
        ('proposals', '0011_proposal_terms'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='proposal',
            index=models.Index(fields=['session', 'number', 'id'], name='proposal_register_order'),
        ),
        migrations.RunPython(create_trigram, drop_trigram, elidable=False),
    ]

"""Two-character words found anywhere in a column (PostgreSQL only).

A trigram index serves ``%word%`` from three characters on; a two-character word makes no
whole trigram, and in Chinese most words have two (养老, 教育, 医疗): searched anywhere in a
proposal's title, it read every proposal of the province (35 ms of 82 on the register's
search). ``portal_bigrams(text)`` lists a text's distinct pairs of adjacent characters, and a
GIN index on it over ``UPPER(column::text)`` finds the rows holding a pair
(``members.common.search.Bigram``): for a two-character word, exactly the rows
``icontains`` finds. Here the function and the members' names; the proposals' titles in
``proposals`` 0013. Other databases get nothing: the search falls back to ``icontains``.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION portal_bigrams(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr($1, i, 2)), '{}')
    FROM generate_series(1, char_length($1) - 1) AS i
$$
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(
        'CREATE INDEX IF NOT EXISTS "member_name_bigrams" ON "members_member" '
        'USING gin (portal_bigrams(UPPER("name"::text)))'
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute('DROP INDEX IF EXISTS "member_name_bigrams"')
    schema_editor.execute("DROP FUNCTION IF EXISTS portal_bigrams(text)")


class Migration(migrations.Migration):
    dependencies = [("members", "0016_audit_report_state")]

    operations = [migrations.RunPython(create, drop, elidable=False)]

"""Constituents' phone numbers sealed at rest (SM4) with keyed SM3 hashes for lookups.

Seals every number stored in clear, in the table and in its history (``members.phone_rows``:
batches of 5,000 rows, one ``UPDATE … FROM (VALUES …)`` each on PostgreSQL; a million rows in
a few minutes), moves the one-phone-per-roster rule to the hash, and drops the trigram index
on the phone column (a sealed value has nothing to search). Reversible while the key is
known: the reverse opens every number again. Needs ``PHONE_KEY`` (README, Going live).
"""

from django.db import migrations, models

import members.models.fields


def seal(apps, schema_editor):
    from members import phone_rows

    phone_rows.seal_all(schema_editor.connection)


def unseal(apps, schema_editor):
    from members import phone_rows

    phone_rows.unseal_all(schema_editor.connection)


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('DROP INDEX IF EXISTS "constituent_phone_trgm"')


def create_trigram_index(apps, schema_editor):
    # As 0008_search_trigram_indexes made it.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'CREATE INDEX IF NOT EXISTS "constituent_phone_trgm" ON "members_constituent" '
            'USING gin ((UPPER("phone"::text)) gin_trgm_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [("members", "0011_audit_entry")]

    operations = [
        migrations.RemoveConstraint(
            model_name="constituent",
            name="constituent_unique_phone_per_member",
        ),
        migrations.RunPython(drop_trigram_index, create_trigram_index, elidable=False),
        migrations.AddField(
            model_name="constituent",
            name="phone_hash",
            field=members.models.fields.PhoneDigestField(
                blank=True, default="", editable=False, max_length=32, part="whole",
                source="phone", verbose_name="phone hash",
            ),
        ),
        migrations.AddField(
            model_name="constituent",
            name="phone_tail",
            field=members.models.fields.PhoneDigestField(
                blank=True, default="", editable=False, max_length=16, part="tail",
                source="phone", verbose_name="last four digits hash",
            ),
        ),
        migrations.AlterField(
            model_name="constituent",
            name="phone",
            field=members.models.fields.SealedPhoneField(
                blank=True, max_length=64, verbose_name="phone"
            ),
        ),
        migrations.AlterField(
            model_name="historicalconstituent",
            name="phone",
            field=members.models.fields.SealedPhoneField(
                blank=True, max_length=64, verbose_name="phone"
            ),
        ),
        migrations.RunPython(seal, unseal, elidable=False),
        migrations.AddIndex(
            model_name="constituent",
            index=models.Index(fields=["council", "phone_hash"], name="constituent_phone_hash_idx"),
        ),
        migrations.AddIndex(
            model_name="constituent",
            index=models.Index(fields=["council", "phone_tail"], name="constituent_phone_tail_idx"),
        ),
        migrations.AddConstraint(
            model_name="constituent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("phone_hash", ""), _negated=True),
                fields=("member", "phone_hash"),
                name="constituent_unique_phone_per_member",
            ),
        ),
    ]

"""Partitioned history (docs/PARTITIONING.md): on PostgreSQL the contact logs, their
constituent links, the reminders and the daily contact counts become tables partitioned by
month. SQLite keeps plain tables; the model changes (the links' copy of the log's time, the
partition key in the unique constraints, two foreign keys without a database constraint) are
the same on both.

Not reversible on PostgreSQL: turning the tables back into plain ones would be another
rewrite of every row; restore the backup taken before migrating instead."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_log_times(apps, schema_editor):
    """The links' ``contacted_at`` from their logs; the tags' put right where they drifted
    (the composite foreign key checks that they equal the log's)."""
    ContactLog = apps.get_model("activities", "ContactLog")
    log_time = Subquery(ContactLog.objects.filter(pk=OuterRef("contact_log_id"))
                        .values("contacted_at")[:1])
    for name in ("ContactLogConstituent", "ContactLogTag"):
        model = apps.get_model("activities", name)
        model.objects.update(contacted_at=log_time)


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from activities import partitions

    for family in partitions.FAMILIES:
        partitions.partition_table(family)
    with schema_editor.connection.cursor() as cursor:
        for table in partitions.LOG_REFERENCES:
            cursor.execute(partitions.log_reference_sql(table))


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        raise migrations.exceptions.IrreversibleError(
            "The partitioned history tables are not turned back into plain ones: restore the "
            "backup taken before migrating (docs/PARTITIONING.md)."
        )


class Migration(migrations.Migration):

    dependencies = [
        ("activities", "0020_contact_tally_per_tag"),
        # After every migration that makes a database foreign key to the contact logs: the
        # conversion drops them (a partitioned log has no unique key on id alone); the state
        # follows in liaison.0004.
        ("liaison", "0002_qr_intake"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="contactlogconstituent",
            name="contactlog_constituent_unique",
        ),
        migrations.RemoveConstraint(
            model_name="reminder",
            name="reminder_unique_occasion",
        ),
        migrations.RemoveConstraint(
            model_name="reminder",
            name="reminder_unique_member_occasion",
        ),
        migrations.AddField(
            model_name="contactlogconstituent",
            name="contacted_at",
            field=models.DateTimeField(editable=False, null=True, verbose_name="when"),
        ),
        migrations.RunPython(copy_log_times, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="contactlogconstituent",
            name="contacted_at",
            field=models.DateTimeField(editable=False, verbose_name="when"),
        ),
        migrations.AlterField(
            model_name="contactlogphoto",
            name="contact_log",
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name="photos", to="activities.contactlog", verbose_name="contact log"),
        ),
        migrations.AlterField(
            model_name="reminder",
            name="satisfied_by",
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="satisfied_reminders", to="activities.contactlog", verbose_name="satisfied by"),
        ),
        migrations.AddConstraint(
            model_name="contactlogconstituent",
            constraint=models.UniqueConstraint(fields=("contact_log", "constituent", "contacted_at"), name="contactlog_constituent_unique"),
        ),
        migrations.AddConstraint(
            model_name="reminder",
            constraint=models.UniqueConstraint(fields=("rule", "period_key", "member", "constituent", "trigger_on"), name="reminder_unique_occasion"),
        ),
        migrations.AddConstraint(
            model_name="reminder",
            constraint=models.UniqueConstraint(condition=models.Q(("constituent__isnull", True)), fields=("rule", "period_key", "member", "trigger_on"), name="reminder_unique_member_occasion"),
        ),
        migrations.RunPython(partition, unpartition),
    ]

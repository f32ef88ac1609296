"""The security audit table, append-only: on PostgreSQL a trigger refuses UPDATE, DELETE and
TRUNCATE on it (the model and its querysets refuse them on every database).

What the trigger lets through, and why:
- An UPDATE that only sets ``user_id`` / ``council_id`` to NULL: Django's ``on_delete=SET_NULL``
  when a login or council is removed. Every other column must stay as it was.
- A DELETE in a transaction that has run ``SET LOCAL audit.archiving = 'on'``: the retention
  job (``members.audit_archive``), after it has written the rows to an archive file and read
  the file back. The setting ends with that transaction.
- A TRUNCATE in a session started with ``audit.test_flush = on``: only the test settings
  start one, because Django's test runner empties every table between transactional tests.

Anyone who can set those settings could also drop the trigger: the trigger keeps the portal
and its operators' slips from changing the record; keeping the table from the database's
owner is the database's role separation (README, Security controls).
"""

import django.core.serializers.json
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

CREATE_TRIGGER = """
CREATE OR REPLACE FUNCTION members_auditentry_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF current_setting('audit.archiving', true) = 'on' THEN
            RETURN OLD;
        END IF;
    ELSIF TG_OP = 'UPDATE' THEN
        IF (NEW.user_id IS NULL OR NEW.user_id = OLD.user_id)
           AND (NEW.council_id IS NULL OR NEW.council_id = OLD.council_id)
           AND (to_jsonb(NEW) - 'user_id' - 'council_id')
               = (to_jsonb(OLD) - 'user_id' - 'council_id') THEN
            RETURN NEW;
        END IF;
    ELSIF TG_OP = 'TRUNCATE' THEN
        IF current_setting('audit.test_flush', true) = 'on' THEN
            RETURN NULL;
        END IF;
    END IF;
    RAISE EXCEPTION 'members_auditentry is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER members_auditentry_append_only
    BEFORE UPDATE OR DELETE ON members_auditentry
    FOR EACH ROW EXECUTE FUNCTION members_auditentry_append_only();
CREATE TRIGGER members_auditentry_no_truncate
    BEFORE TRUNCATE ON members_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION members_auditentry_append_only();
"""

DROP_TRIGGER = """
DROP TRIGGER IF EXISTS members_auditentry_no_truncate ON members_auditentry;
DROP TRIGGER IF EXISTS members_auditentry_append_only ON members_auditentry;
DROP FUNCTION IF EXISTS members_auditentry_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_TRIGGER, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0010_roster_tally_row_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("time", models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="time")),
                ("username", models.CharField(blank=True, max_length=150, verbose_name="login name")),
                ("role", models.CharField(blank=True, max_length=20, verbose_name="role")),
                ("council_name", models.CharField(blank=True, max_length=100, verbose_name="council name")),
                ("ip", models.GenericIPAddressField(blank=True, null=True, verbose_name="source IP")),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("login", "Login"),
                            ("login_failed", "Login failed"),
                            ("lockout", "Account locked out"),
                            ("lockout_lifted", "Lockout lifted"),
                            ("logout", "Logout"),
                            ("session_expired", "Session expired"),
                            ("password_changed", "Password changed"),
                            ("password_reset", "Password reset"),
                            ("otp_enrolled", "Two-factor authentication enrolled"),
                            ("otp_failed", "Two-factor code refused"),
                            ("otp_reset", "Two-factor devices reset"),
                            ("recovery_codes", "Recovery codes"),
                            ("account_changed", "Account changed"),
                            ("import", "Import"),
                            ("export", "Export or download"),
                            ("phone_viewed", "Full phone number viewed"),
                            ("proposal_state", "Proposal state changed"),
                            ("admin_write", "Admin site write"),
                            ("personal_data", "Personal data exported or erased"),
                            ("audit_archived", "Audit entries archived"),
                        ],
                        max_length=30,
                        verbose_name="action",
                    ),
                ),
                ("object_type", models.CharField(blank=True, max_length=100, verbose_name="object type")),
                ("object_id", models.CharField(blank=True, max_length=64, verbose_name="object id")),
                ("object_repr", models.CharField(blank=True, max_length=200, verbose_name="object")),
                (
                    "result",
                    models.CharField(
                        choices=[("ok", "Succeeded"), ("failed", "Failed"), ("refused", "Refused")],
                        default="ok",
                        max_length=10,
                        verbose_name="result",
                    ),
                ),
                (
                    "detail",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        encoder=django.core.serializers.json.DjangoJSONEncoder,
                        verbose_name="detail",
                    ),
                ),
                (
                    "council",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="members.council",
                        verbose_name="council",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "audit entry",
                "verbose_name_plural": "audit entries",
                "ordering": ["-time", "-pk"],
                "indexes": [
                    models.Index(fields=["time"], name="auditentry_time"),
                    models.Index(fields=["user", "time"], name="auditentry_user_time"),
                    models.Index(fields=["council", "time"], name="auditentry_council_time"),
                    models.Index(fields=["action", "time"], name="auditentry_action_time"),
                ],
            },
        ),
        migrations.RunPython(create_trigger, drop_trigger, elidable=False),
    ]

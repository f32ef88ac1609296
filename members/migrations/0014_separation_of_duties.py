"""Separation of duties (三权分立): the security admin and audit admin roles; a role's code is
now up to 20 characters."""

from django.db import migrations, models

ROLES = ["admin", "staff", "leader", "member", "unit", "security_admin", "audit_admin"]


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0013_identity_controls"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="user", name="user_role_valid"),
        migrations.AlterField(
            model_name="user",
            name="role",
            field=models.CharField(
                choices=[
                    ("admin", "Administrator"),
                    ("staff", "Staff"),
                    ("leader", "Leader"),
                    ("member", "Member"),
                    ("unit", "Handling unit"),
                    ("security_admin", "Security administrator"),
                    ("audit_admin", "Audit administrator"),
                ],
                default="member",
                max_length=20,
                verbose_name="role",
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(condition=models.Q(role__in=ROLES), name="user_role_valid"),
        ),
    ]

# A collective proposer's rating is recorded by its submitter: Rating.member may be empty
# and every rating says who recorded it. No ratings existed before this migration.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("proposals", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="rating",
            name="member",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                related_name="proposal_ratings", to="members.member", verbose_name="member",
            ),
        ),
        migrations.AddField(
            model_name="rating",
            name="rated_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to=settings.AUTH_USER_MODEL, verbose_name="rated by", default=None,
            ),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="rating",
            constraint=models.UniqueConstraint(
                condition=models.Q(("member__isnull", True)), fields=("proposal", "round"),
                name="rating_collective_once_per_round",
            ),
        ),
    ]

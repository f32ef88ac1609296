"""A member's logs are indexed with their id and council (PostgreSQL ``INCLUDE``): a
sector's logs of a city or province are counted (up to the list's cap, 10,001) and its
first pages read from the index alone, an index-only scan, instead of fetching each log
from the table to check its council (a province's sector: 10,000 rows read for the count).
It replaces the (member, contacted_at) index, which it extends."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("activities", "0023_reminder_tally")]

    operations = [
        migrations.RemoveIndex(model_name="contactlog", name="activities__member__4cdb68_idx"),
        migrations.AddIndex(
            model_name="contactlog",
            index=models.Index(fields=["member", "contacted_at", "id"], include=["council"],
                               name="contactlog_member_order"),
        ),
    ]

"""The list-order indexes carry the council (PostgreSQL ``INCLUDE``): a city's or province's
page of contact logs checks each row's council from the index alone (an index-only scan),
instead of reading 10,000 rows from the table to skip to page 200."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("activities", "0015_list_order_indexes")]

    operations = [
        migrations.RemoveIndex(model_name="contactlog", name="contactlog_list_order"),
        migrations.AddIndex(
            model_name="contactlog",
            index=models.Index(fields=["contacted_at", "id"], include=["council"],
                               name="contactlog_list_order"),
        ),
        migrations.RemoveIndex(model_name="reminder", name="reminder_list_order"),
        migrations.AddIndex(
            model_name="reminder",
            index=models.Index(fields=["due_on", "id"], include=["council"],
                               name="reminder_list_order"),
        ),
    ]

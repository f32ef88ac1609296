"""Each user's unread notices as a counter on the user (the navbar's badge), counted once
here from the notices."""

from django.db import migrations, models
from django.db.models import Count, IntegerField, OuterRef, Subquery


def count_unread(apps, schema_editor):
    User = apps.get_model("members", "User")
    Notification = apps.get_model("members", "Notification")
    unread = (
        Notification.objects.filter(user=OuterRef("pk"), read_at__isnull=True)
        .order_by().values("user").annotate(n=Count("pk")).values("n")
    )
    with_unread = Notification.objects.filter(read_at__isnull=True).values("user_id")
    User.objects.using(schema_editor.connection.alias).filter(pk__in=with_unread).update(
        unread_notices=Subquery(unread, output_field=IntegerField())
    )


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0017_search_bigrams"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="unread_notices",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="unread notices"),
        ),
        migrations.RunPython(count_unread, migrations.RunPython.noop),
    ]

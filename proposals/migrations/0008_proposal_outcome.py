"""The outcome columns (``proposals.outcome``), filled from the replies and ratings there."""

from django.db import migrations, models
from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce


def fill(apps, schema_editor):
    Proposal = apps.get_model("proposals", "Proposal")
    Reply = apps.get_model("proposals", "Reply")
    Rating = apps.get_model("proposals", "Rating")
    latest = Reply.objects.filter(proposal=OuterRef("pk")).order_by("-round").values("category")[:1]
    severity = Case(
        When(value="unsatisfied", then=Value(0)),
        When(value="basically", then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    rated = Rating.objects.filter(proposal=OuterRef("pk")).order_by("-round", severity).values("value")[:1]
    Proposal.objects.update(
        latest_reply=Coalesce(Subquery(latest), Value("")),
        counted_rating=Coalesce(Subquery(rated), Value("")),
    )


class Migration(migrations.Migration):

    dependencies = [
        ("proposals", "0007_assignment_done"),
    ]

    operations = [
        migrations.AddField(
            model_name="proposal",
            name="counted_rating",
            field=models.CharField(blank=True, editable=False, max_length=12, verbose_name="rating counted"),
        ),
        migrations.AddField(
            model_name="proposal",
            name="latest_reply",
            field=models.CharField(blank=True, editable=False, max_length=1, verbose_name="latest reply's category"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]

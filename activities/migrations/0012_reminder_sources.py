"""Reminders name their source: the campaign, the consultation, the proposal replied to, or
the contact log that flagged a difficulty — foreign keys, each with a partial index. The
reminders made before are given theirs here: every source names the occasion key its
reminders were made under (as the sweep made it), and the reminders of each key that exists
get that source, one UPDATE per key in use (the keys are matched whole, not taken apart)."""

import django.db.models.deletion
from django.db import migrations, models


def fill_sources(apps, schema_editor):
    MustVisitRule = apps.get_model("activities", "MustVisitRule")
    Reminder = apps.get_model("activities", "Reminder")
    Campaign = apps.get_model("activities", "Campaign")
    Consultation = apps.get_model("activities", "Consultation")
    ContactLog = apps.get_model("activities", "ContactLog")
    Reply = apps.get_model("proposals", "Reply")
    # (trigger, source field, [(occasion key, source id)]) — the keys as the sweep wrote them.
    sources = [
        ("campaign", "campaign_id",
         ((f"campaign-{pk}", pk) for pk in Campaign.objects.values_list("pk", flat=True))),
        ("consultation", "consultation_id",
         ((f"consultation-{pk}", pk) for pk in Consultation.objects.values_list("pk", flat=True))),
        ("difficulty", "flagged_by_id",
         ((f"difficulty-{pk}", pk)
          for pk in ContactLog.objects.filter(difficulty=True).values_list("pk", flat=True))),
        ("proposal_replied", "proposal_id",
         ((f"proposal-{proposal_id}-r{round_}", proposal_id)
          for proposal_id, round_ in Reply.objects.values_list("proposal_id", "round"))),
    ]
    for trigger, field, keyed in sources:
        rules = list(MustVisitRule.objects.filter(trigger_type=trigger).values_list("pk", flat=True))
        reminders = Reminder.objects.filter(rule_id__in=rules)
        in_use = set(reminders.values_list("period_key", flat=True).distinct())
        for key, source_id in keyed:
            if key in in_use:
                reminders.filter(period_key=key).update(**{field: source_id})


class Migration(migrations.Migration):

    dependencies = [
        ('activities', '0011_photos_share_one_upload_path'),
        ('proposals', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='reminder',
            name='campaign',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='reminders', to='activities.campaign', verbose_name='campaign'),
        ),
        migrations.AddField(
            model_name='reminder',
            name='consultation',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='reminders', to='activities.consultation', verbose_name='consultation'),
        ),
        migrations.AddField(
            model_name='reminder',
            name='flagged_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='difficulty_reminders', to='activities.contactlog', verbose_name='contact log'),
        ),
        migrations.AddField(
            model_name='reminder',
            name='proposal',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='proposals.proposal', verbose_name='proposal'),
        ),
        migrations.AddIndex(
            model_name='reminder',
            index=models.Index(condition=models.Q(('campaign__isnull', False)), fields=['campaign'], name='reminder_campaign_idx'),
        ),
        migrations.AddIndex(
            model_name='reminder',
            index=models.Index(condition=models.Q(('consultation__isnull', False)), fields=['consultation'], name='reminder_consultation_idx'),
        ),
        migrations.AddIndex(
            model_name='reminder',
            index=models.Index(condition=models.Q(('proposal__isnull', False)), fields=['proposal'], name='reminder_proposal_idx'),
        ),
        migrations.AddIndex(
            model_name='reminder',
            index=models.Index(condition=models.Q(('flagged_by__isnull', False)), fields=['flagged_by'], name='reminder_flagged_by_idx'),
        ),
        migrations.RunPython(fill_sources, migrations.RunPython.noop),
    ]

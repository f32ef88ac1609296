"""The word index of the proposals (similar proposals, 并案) and its words' counts, filled
from the proposals there are: the same rows ``manage.py similar_rebuild`` writes."""

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    from proposals.similarity.index import rebuild

    rebuild(proposal_model=apps.get_model("proposals", "Proposal"),
            term_model=apps.get_model("proposals", "ProposalTerm"),
            count_model=apps.get_model("proposals", "ProposalTermCount"))


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0014_separation_of_duties'),
        ('proposals', '0010_proposal_number_names_the_council'),
    ]

    operations = [
        migrations.CreateModel(
            name='ProposalTerm',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('term', models.CharField(max_length=30, verbose_name='word')),
                ('weight', models.FloatField(verbose_name='weight')),
                ('council', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='members.council', verbose_name='council')),
                ('proposal', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='terms', to='proposals.proposal', verbose_name='proposal')),
            ],
            options={
                'verbose_name': 'proposal word',
                'verbose_name_plural': 'proposal words',
                'indexes': [models.Index(fields=['council', 'term', 'proposal', 'weight'], name='proposalterm_lookup')],
                'constraints': [models.UniqueConstraint(fields=('proposal', 'term'), name='proposalterm_unique_term')],
            },
        ),
        migrations.CreateModel(
            name='ProposalTermCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('term', models.CharField(max_length=30, verbose_name='word')),
                ('proposals', models.IntegerField(verbose_name='proposals')),
                ('council', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='members.council', verbose_name='council')),
            ],
            options={
                'verbose_name': 'proposal word count',
                'verbose_name_plural': 'proposal word counts',
                'constraints': [models.UniqueConstraint(fields=('council', 'term'), name='proposaltermcount_unique')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]

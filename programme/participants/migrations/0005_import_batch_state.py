# Imports run in a Celery task (programme.participants.imports): the batch records its
# state, what was asked (dry run, skip invalid rows, start date, language) and why a
# file was refused. Batches made before were read in the request: they are done, and a
# dry run exactly when their outcome says so.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('participants', '0004_merge_0003_meeting_groups_0003_policy_event_note'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='importbatch',
            options={'ordering': ['-created_at', '-pk']},
        ),
        migrations.AddField(
            model_name='importbatch',
            name='attempts',
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='importbatch',
            name='dry_run',
            field=models.BooleanField(default=True),
        ),
        migrations.AddField(
            model_name='importbatch',
            name='error',
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.AddField(
            model_name='importbatch',
            name='error_code',
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddField(
            model_name='importbatch',
            name='finished_at',
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name='importbatch',
            name='language',
            field=models.CharField(blank=True, max_length=10),
        ),
        migrations.AddField(
            model_name='importbatch',
            name='size',
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='importbatch',
            name='skip_invalid',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='importbatch',
            name='started_at',
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name='importbatch',
            name='starts_on',
            field=models.DateField(null=True),
        ),
        migrations.AddField(
            model_name='importbatch',
            name='state',
            field=models.CharField(choices=[('queued', 'Waiting'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='done', max_length=8),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name='importbatch',
            name='state',
            field=models.CharField(choices=[('queued', 'Waiting'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='queued', max_length=8),
        ),
        migrations.RunSQL(
            "UPDATE participants_importbatch SET dry_run = (outcome = 'dry_run')",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name='importbatch',
            name='outcome',
            field=models.CharField(blank=True, choices=[('dry_run', 'Preview'), ('written', 'Imported'), ('refused', 'Refused')], max_length=10),
        ),
    ]

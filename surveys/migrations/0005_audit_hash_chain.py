"""The audit trail becomes a hash chain (surveys.audit_chain); existing events are chained.

Existing events are chained in id order with the key configured now (AUDIT_CHAIN_KEY, or
SECRET_KEY). On PostgreSQL the append-only trigger of 0004 is disabled for this one UPDATE,
inside the migration's transaction, and enabled again before it commits.
"""

import django.utils.timezone
from django.db import migrations, models

from surveys.audit_chain import HASHED_FIELDS, HEAD_PK, event_hash

TRIGGER = "surveys_auditevent_append_only"
BATCH = 2000


def chain_existing_events(apps, schema_editor) -> None:
    AuditEvent = apps.get_model("surveys", "AuditEvent")
    AuditChainHead = apps.get_model("surveys", "AuditChainHead")
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute(f"ALTER TABLE surveys_auditevent DISABLE TRIGGER {TRIGGER}")
    previous, last_id, batch = "", None, []
    for event in AuditEvent.objects.order_by("pk").iterator(chunk_size=BATCH):
        values = {name: getattr(event, name) for name in HASHED_FIELDS}
        event.previous_hash = previous
        event.chain_hash = previous = event_hash(values, previous)
        last_id = event.pk
        batch.append(event)
        if len(batch) == BATCH:
            AuditEvent.objects.bulk_update(batch, ["previous_hash", "chain_hash"])
            batch = []
    AuditEvent.objects.bulk_update(batch, ["previous_hash", "chain_hash"])
    # The head exists from the start (also with no events), so writers find it in one query.
    AuditChainHead.objects.create(pk=HEAD_PK, last_event_id=last_id, last_hash=previous)
    if postgresql:
        schema_editor.execute(f"ALTER TABLE surveys_auditevent ENABLE TRIGGER {TRIGGER}")


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0004_audit_append_only_in_postgresql'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditChainHead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('last_event_id', models.BigIntegerField(blank=True, null=True)),
                ('last_hash', models.CharField(blank=True, default='', max_length=64)),
            ],
            options={
                'verbose_name': 'audit chain head',
                'verbose_name_plural': 'audit chain heads',
            },
        ),
        migrations.AddField(
            model_name='auditevent',
            name='chain_hash',
            field=models.CharField(blank=True, default='', max_length=64, verbose_name='hash'),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='previous_hash',
            field=models.CharField(blank=True, default='', max_length=64, verbose_name='previous hash'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='created_at',
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='when'),
        ),
        migrations.RunPython(chain_existing_events, migrations.RunPython.noop),
    ]

"""PostgreSQL enforces the audit trail's append-only rule itself, below the ORM.

``AuditEvent.save`` and ``.delete`` already refuse to change a stored row, but a queryset
``.delete()`` or ``.update()``, or raw SQL, goes around them. On PostgreSQL (the engine of
shared, multi-server deployments) a row trigger now refuses every UPDATE and DELETE of
``surveys_auditevent``, except the one Django itself makes when a user account is deleted:
setting ``actor_id`` to NULL (``on_delete=SET_NULL``) and nothing else. TRUNCATE, an
administrator's operation that the test runner uses to empty tables, is not a row event.

SQLite has no such trigger here: the test runner empties its tables with DELETE, which a
trigger would refuse; the model's own guard applies there.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION surveys_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
            AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: % of event % refused', TG_OP, OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER surveys_auditevent_append_only
    BEFORE UPDATE OR DELETE ON surveys_auditevent
    FOR EACH ROW EXECUTE FUNCTION surveys_auditevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS surveys_auditevent_append_only ON surveys_auditevent;
DROP FUNCTION IF EXISTS surveys_auditevent_append_only();
"""


def create_trigger(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0003_answers_removed_revision"),
    ]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]

"""Drop the foreign keys django-auditlog's tenant copy of LogEntry has into public
(actor -> accounts_user, content_type -> django_content_type): one per tenant each,
they would pile thousands of triggers on those public tables (docs/decisions/0002)."""

from django.db import migrations

FIND = """
SELECT con.conname
FROM pg_constraint con
JOIN pg_class tbl ON tbl.oid = con.conrelid
JOIN pg_namespace ns ON ns.oid = tbl.relnamespace
JOIN pg_class ref ON ref.oid = con.confrelid
JOIN pg_namespace refns ON refns.oid = ref.relnamespace
WHERE con.contype = 'f' AND tbl.relname = 'auditlog_logentry'
  AND ns.nspname = current_schema() AND refns.nspname <> ns.nspname
"""


def drop_cross_schema_keys(apps, schema_editor):
    connection = schema_editor.connection
    if connection.schema_name == "public":
        return
    with connection.cursor() as cursor:
        cursor.execute(FIND)
        for (name,) in cursor.fetchall():
            cursor.execute(f'ALTER TABLE auditlog_logentry DROP CONSTRAINT "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0002_no_db_fk_to_public"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(drop_cross_schema_keys, migrations.RunPython.noop)]

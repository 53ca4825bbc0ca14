"""A cloned tenant schema must be indistinguishable from one built by migrations:
same columns, defaults, identities, constraints (by name), indexes (by name), triggers."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from tenants.clone import schema_clone

CATALOG = {
    "columns": """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
               coalesce(pg_get_expr(d.adbin, d.adrelid), ''), a.attidentity, a.attgenerated
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = %s AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped""",
    "constraints": """
        SELECT c.relname, con.conname, con.contype, pg_get_constraintdef(con.oid),
               con.condeferrable, con.condeferred
        FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s""",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %s",
    "triggers": """
        SELECT t.relname, tg.tgname, pg_get_triggerdef(tg.oid)
        FROM pg_trigger tg JOIN pg_class t ON t.oid = tg.tgrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = %s AND NOT tg.tgisinternal""",
    "sequences": """
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s AND c.relkind = 'S'""",
}


def _catalog(schema: str) -> dict[str, set]:
    result = {}
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL search_path = public")
        for name, sql in CATALOG.items():
            cursor.execute(sql, [schema])
            result[name] = {
                tuple(str(v).replace(schema, "<schema>") for v in row) for row in cursor.fetchall()
            }
    return result


@pytest.fixture
def migrated_and_cloned(db):
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "clone_check_migrated"')
    call_command(
        "migrate_schemas", schema_name="clone_check_migrated", interactive=False, verbosity=0
    )
    connection.set_schema_to_public()
    with transaction.atomic():
        schema_clone(template=settings.TENANT_BASE_SCHEMA, schema="clone_check_cloned")
    return "clone_check_migrated", "clone_check_cloned"


def test_a_clone_equals_a_migrated_schema(migrated_and_cloned):
    migrated, cloned = migrated_and_cloned

    expected, actual = _catalog(migrated), _catalog(cloned)

    for part in CATALOG:
        assert actual[part] == expected[part], part
    assert expected["columns"] and expected["constraints"] and expected["indexes"]


def test_a_clone_carries_the_migration_history_and_fresh_identities(migrated_and_cloned):
    _migrated, cloned = migrated_and_cloned
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {settings.TENANT_BASE_SCHEMA}.django_migrations")
        template_rows = cursor.fetchone()[0]
        cursor.execute(f"SELECT count(*) FROM {cloned}.django_migrations")
        assert cursor.fetchone()[0] == template_rows
        cursor.execute(
            f"INSERT INTO {cloned}.django_migrations (app, name, applied) "
            "VALUES ('x', 'y', now()) RETURNING id"
        )
        assert cursor.fetchone()[0] == template_rows + 1


def test_a_clone_shares_no_sequence_with_the_template(migrated_and_cloned):
    _migrated, cloned = migrated_and_cloned
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [f"{cloned}.staff_membership"])
        assert cursor.fetchone()[0].startswith(f"{cloned}.")


def test_no_tenant_table_keeps_a_database_foreign_key_into_public(db):
    """Each such key is a trigger on the public table per tenant: 2.000 tenants made
    16.000 triggers on accounts_user and slowed provisioning threefold (decision 0002)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT ns.nspname, tbl.relname, con.conname
            FROM pg_constraint con
            JOIN pg_class tbl ON tbl.oid = con.conrelid
            JOIN pg_namespace ns ON ns.oid = tbl.relnamespace
            JOIN pg_class ref ON ref.oid = con.confrelid
            JOIN pg_namespace refns ON refns.oid = ref.relnamespace
            WHERE con.contype = 'f' AND ns.nspname LIKE 'lpa\\_%%' AND refns.nspname = 'public'
            """
        )
        assert cursor.fetchall() == []

"""Migrating many tenant schemas: only stale ones, in parallel processes."""

from django.db import connection

from tenants.schemas import tenant_schemas, tenant_schemas_migrate, tenant_schemas_stale


def test_session_tenants_are_up_to_date(db):
    assert tenant_schemas()
    assert tenant_schemas_stale() == []


def test_stale_schemas_are_found_and_migrated_in_parallel(committed_db):
    stale = ["stale_one", "stale_two", "stale_three"]
    with connection.cursor() as cursor:
        for schema in stale:
            cursor.execute(f'CREATE SCHEMA "{schema}"')
    try:
        found = tenant_schemas_stale([*stale, "lpa_uji_a", "does_not_exist"])
        assert sorted(found) == sorted([*stale, "does_not_exist"])

        migrated = tenant_schemas_migrate(stale, processes=2)

        assert migrated == 3
        assert tenant_schemas_stale(stale) == []
    finally:
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            for schema in stale:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

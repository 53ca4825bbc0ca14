"""Audit rows (django-auditlog's LogEntry) can be added, never changed or removed: a
trigger refuses UPDATE, DELETE and TRUNCATE on the table, in the public schema
(askesos/accounts/migrations/0002) and in every LPA schema (programme/migrations/0002).
Users who leave are deactivated, never deleted (decision 0002), so no audit row loses
its actor. The SQL lives here so that both migrations write the same."""

FUNCTION = """
CREATE OR REPLACE FUNCTION public.audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit rows are append-only: % on %.% refused',
        TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""

TRIGGERS = """
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON auditlog_logentry
    FOR EACH ROW EXECUTE FUNCTION public.audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON auditlog_logentry
    FOR EACH STATEMENT EXECUTE FUNCTION public.audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_append_only ON auditlog_logentry;
DROP TRIGGER IF EXISTS audit_no_truncate ON auditlog_logentry;
"""

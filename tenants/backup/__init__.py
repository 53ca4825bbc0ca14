"""Backups and restores: one LPA (tenants.backup.lpa) or the whole platform
(tenants.backup.whole_platform), in one checked file (tenants.backup.archive), by
PostgreSQL's own pg_dump and pg_restore (tenants.backup.pgtools). What an LPA's backup
holds, and why: tenants.backup.contents and docs/subsystems/backup.md."""

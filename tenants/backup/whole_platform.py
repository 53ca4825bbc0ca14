"""The whole platform's backup and restore: pg_dump of the database (public, the
template, every LPA's schema) and the uploaded files, with a manifest of every table's
row count and every LPA's ledger balances, taken in pg_dump's own snapshot.

A restore goes into an empty database only (createdb, then DATABASE_URL pointing at
it); pg_restore then recreates everything, and the counts and balances are compared
with the manifest. A failed restore leaves a database to drop, never a half-restored
one to use: the command says so and exits non-zero. `askesos setup` afterwards
migrates it forward if this release is newer than the backup's.

pg_dump locks every table of every schema in one transaction: with many LPAs raise
`max_locks_per_transaction` (about 10 per table; 60 tables per LPA).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection
from psycopg import sql

from tenants.backup import pgtools
from tenants.backup.archive import archive_read, archive_write, media_files, unpack_folder
from tenants.backup.contents import (
    BALANCE,
    ROWS,
    differences,
    flat,
    ledger_balances,
    manifest_head,
    migrations_applied,
    row_counts,
)
from tenants.backup.errors import BackupError

DATABASE_DUMP = "database.dump"
_SYSTEM = "n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'"


SNAPSHOT_BATCH = 50  # schemas counted per transaction: their locks go at its end


def schemas(cursor) -> list[str]:
    """Every schema that holds a table, public first."""
    cursor.execute(
        "SELECT DISTINCT n.nspname FROM pg_namespace n JOIN pg_class c "
        f"ON c.relnamespace = n.oid WHERE c.relkind IN ('r', 'p') AND {_SYSTEM}"
    )
    names = sorted(row[0] for row in cursor.fetchall())
    return sorted(names, key=lambda name: name != "public")


def figures_add(cursor, schema: str, counts: dict, ledgers: dict) -> None:
    """Row counts of every table of `schema`, and its ledger's balances if it has one
    (the LPAs and the template)."""
    counts[schema] = row_counts(cursor, schema)
    balances = ledger_balances(cursor, schema)
    if balances is not None:
        ledgers[schema] = balances


def figures_in_snapshot(snapshot: str) -> tuple[dict, dict]:
    """The figures of every schema as the exported snapshot sees them, counted on a
    connection of our own in transactions of SNAPSHOT_BATCH schemas each that import
    it: counting takes a lock on every table until its transaction ends, and pg_dump
    holds one on each already (max_locks_per_transaction)."""
    params = dict(connection.get_connection_params())
    for key in ("cursor_factory", "context"):
        params.pop(key, None)
    counts: dict = {}
    ledgers: dict = {}
    names: list[str] | None = None
    with psycopg.connect(**params, autocommit=True) as db, db.cursor() as cursor:
        start = 0
        while names is None or start < len(names):
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute(
                sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)).as_string(db)
            )
            if names is None:
                names = schemas(cursor)
            for schema in names[start : start + SNAPSHOT_BATCH]:
                figures_add(cursor, schema, counts, ledgers)
            cursor.execute("COMMIT")
            start += SNAPSHOT_BATCH
    return counts, ledgers


def platform_figures() -> tuple[dict, dict]:
    """The same, now, on Django's connection (autocommit: one statement at a time)."""
    counts: dict = {}
    ledgers: dict = {}
    with connection.cursor() as cursor:
        for schema in schemas(cursor):
            figures_add(cursor, schema, counts, ledgers)
    return counts, ledgers


def platform_backup(*, out: Path, media: bool = True) -> dict[str, Any]:
    if out.exists():
        raise BackupError("out_exists", path=str(out))
    connection.set_schema_to_public()
    pg_dump, dump_major = pgtools.tool("pg_dump", at_least=pgtools.server_major())
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".askesos-backup-", dir=out.parent) as tmp:
        dump = Path(tmp) / DATABASE_DUMP
        with pgtools.snapshot_exported() as (snapshot, taken_at, server):
            counts, ledgers = figures_in_snapshot(snapshot)
            with connection.cursor() as cursor:
                public_migrations = migrations_applied(cursor, "public")
            manifest = {
                **manifest_head(
                    kind="platform", taken_at=taken_at, server=server, dump_major=dump_major
                ),
                "migrations": {"public": public_migrations},
                "counts": counts,
                "ledger": ledgers,
            }
            pgtools.run(
                [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={dump}"],
                name="pg_dump",
            )
        files = media_files(Path(settings.MEDIA_ROOT)) if media else []
        return archive_write(out, manifest=manifest, parts={DATABASE_DUMP: dump}, media=files)


@dataclass
class PlatformRestored:
    database: str
    schemas: int
    tables: int
    rows: int
    media_files: int


def _tables_here() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            f"WHERE c.relkind IN ('r', 'p') AND {_SYSTEM}"
        )
        return cursor.fetchone()[0]


def platform_verify(manifest: dict[str, Any]) -> list[str]:
    """What differs between this database and the manifest (empty: nothing)."""
    counts, ledgers = platform_figures()
    problems = differences(flat(manifest["counts"]), flat(counts), ROWS)
    return problems + differences(flat(manifest["ledger"], " "), flat(ledgers, " "), BALANCE)


def platform_restore(*, path: Path, jobs: int = 1) -> PlatformRestored:
    """Restore the whole-platform backup at `path` into this (empty) database."""
    connection.set_schema_to_public()
    with unpack_folder(path, ".askesos-restore-") as tmp:
        backup = archive_read(path, Path(tmp))
        if backup.manifest.get("kind") != "platform":
            raise BackupError(
                "file_kind", path=str(path), found=backup.manifest.get("kind"), wanted="platform"
            )
        manifest = backup.manifest
        database = connection.settings_dict["NAME"]
        tables = _tables_here()
        if tables:
            raise BackupError("database_not_empty", database=database, tables=tables)
        pg_restore, _major = pgtools.tool(
            "pg_restore", at_least=max(pgtools.server_major(), manifest["postgresql"]["pg_dump"])
        )
        pgtools.run(
            [
                pg_restore,
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                f"--jobs={max(1, jobs)}",
                f"--dbname={database}",
                str(backup.part(DATABASE_DUMP)),
            ],
            name="pg_restore",
        )
        connection.close()  # a new session sees the restored catalog and search_path
        connection.set_schema_to_public()
        problems = platform_verify(manifest)
        if problems:
            raise BackupError("platform_mismatch", detail="; ".join(problems[:6]))
        root = Path(settings.MEDIA_ROOT)
        for name in manifest.get("media", {}):
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(backup.media_root / name, target)
        counts = manifest["counts"]
        return PlatformRestored(
            database=database,
            schemas=len(counts),
            tables=sum(len(tables) for tables in counts.values()),
            rows=sum(sum(tables.values()) for tables in counts.values()),
            media_files=len(manifest.get("media", {})),
        )

"""One LPA's backup and restore: its schema (pg_dump) with its public rows (JSON), its
uploaded files, and a manifest of what a restore must find again.

Backup: one REPEATABLE READ transaction exports its snapshot to pg_dump, so the schema,
the public rows, the row counts and the ledger's balances are one moment of the books.

Restore (into a database set up by `askesos setup`, fresh or the same one):
1. the file is checked whole (tenants.backup.archive) and against this release's
   migrations, before anything changes;
2. pg_restore recreates the schema in one transaction under the name it had; then, in
   one transaction of ours: the schema is renamed if restored `--as` another slug, the
   public rows are written, ids that collide are replaced (below), and the result is
   compared with the manifest (row counts of every table, the LPA's public rows,
   every ledger account's balance). Any difference undoes it all and fails loudly;
3. the uploaded files are written under the schema's media folder, and the schema is
   migrated forward if the backup came from an older release.

Ids. A public row keeps its id when that id is free in the target and takes the next
one of the table's sequence when it is taken; users are matched by username and scheme
versions by code and version (one login, one published version, for the country).
Every column that points at a row whose id changed is rewritten through the map: in the
public rows, and in the tenant tables (tenants.backup.contents.tenant_references; their
triggers, which refuse any change to posted books, are off for that one UPDATE).
"""

from __future__ import annotations

import datetime
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_exists
from psycopg import sql

from tenants.backup import pgtools
from tenants.backup.archive import (
    Backup,
    archive_read,
    archive_write,
    media_files,
    unpack_folder,
)
from tenants.backup.contents import (
    BALANCE,
    LPA_PARTS,
    PUBLIC_ROWS,
    ROWS,
    differences,
    ledger_balances,
    manifest_head,
    migrations_applied,
    row_counts,
)
from tenants.backup.errors import BackupError
from tenants.backup.public_rows import public_rows_collect, public_rows_restore, references_check
from tenants.models import Lpa
from tenants.schemas import disk_migrations, tenant_schemas_migrate, tenant_schemas_stale
from tenants.services import RESERVED_SLUGS, SLUG_PATTERN, schema_name_for

SCHEMA_DUMP = "schema.dump"
PUBLIC_JSON = "public.json"
# Values that name the schema itself: where a bank statement file was kept
# (programme.banking: <schema>/bank/<sha256>.<ext>). Rewritten when restored `--as`.
SCHEMA_PATHS = (("banking_statementfile", "path"),)
_RESTORE_LOCK = 7301  # pg_advisory_lock(class, 0): one restore at a time


# --- backup --------------------------------------------------------------------------


def _manifest(
    lpa: Lpa, cursor, public: dict[str, Any], *, taken_at, server: str, dump_major: int
) -> dict[str, Any]:
    return {
        **manifest_head(kind="lpa", taken_at=taken_at, server=server, dump_major=dump_major),
        "lpa": {
            "id": lpa.pk,
            "slug": lpa.slug,
            "name": lpa.name,
            "schema_name": lpa.schema_name,
            "npwp": lpa.npwp,
        },
        "migrations": {
            "public": migrations_applied(cursor, "public"),
            "schema": migrations_applied(cursor, lpa.schema_name),
        },
        "counts": {
            "schema": row_counts(cursor, lpa.schema_name),
            "public": {table: len(rows) for table, rows in public["rows"].items()},
        },
        "ledger": ledger_balances(cursor, lpa.schema_name),
    }


def lpa_backup(*, slug: str, out: Path, media: bool = True) -> dict[str, Any]:
    """Write LPA `slug`'s backup to `out` (a new file); returns its manifest."""
    connection.set_schema_to_public()
    lpa = Lpa.objects.filter(slug=slug).first()
    if lpa is None:
        raise BackupError("lpa_unknown", slug=slug)
    if not lpa.is_ready or not schema_exists(lpa.schema_name):
        raise BackupError("lpa_not_ready", lpa=lpa.name)
    if out.exists():
        raise BackupError("out_exists", path=str(out))
    pg_dump, dump_major = pgtools.tool("pg_dump", at_least=pgtools.server_major())
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".askesos-backup-", dir=out.parent) as tmp:
        folder = Path(tmp)
        with pgtools.snapshot_exported() as (snapshot, taken_at, server):
            public = public_rows_collect(lpa)
            with connection.cursor() as cursor:
                manifest = _manifest(
                    lpa, cursor, public, taken_at=taken_at, server=server, dump_major=dump_major
                )
            pgtools.run(
                [
                    pg_dump,
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f'--schema="{lpa.schema_name}"',
                    f"--file={folder / SCHEMA_DUMP}",
                ],
                name="pg_dump",
            )
        (folder / PUBLIC_JSON).write_text(
            json.dumps(public, sort_keys=True, ensure_ascii=False, default=str)
        )
        files = media_files(Path(settings.MEDIA_ROOT) / lpa.schema_name) if media else []
        return archive_write(
            out,
            manifest=manifest,
            parts={SCHEMA_DUMP: folder / SCHEMA_DUMP, PUBLIC_JSON: folder / PUBLIC_JSON},
            media=files,
        )


# --- restore -------------------------------------------------------------------------


@dataclass
class Restored:
    slug: str
    schema: str
    lpa_id: int
    replaced: bool
    tables: int
    rows: int
    public_rows: dict[str, int]
    users_added: int
    users_matched: int
    reports_kept: int
    ids_changed: dict[str, int] = field(default_factory=dict)  # public table -> rows
    columns_rewritten: list[str] = field(default_factory=list)  # table.column in the schema
    media_files: int = 0
    migrated: bool = False


def _damaged_kind(backup: Backup, wanted: str) -> None:
    found = backup.manifest.get("kind")
    if found != wanted:
        raise BackupError("file_kind", path=str(backup.path), found=found, wanted=wanted)


def _check_release(manifest: dict[str, Any]) -> None:
    """The target must know every migration the backup had (same release or newer);
    the target's public schema must have applied them."""
    known = disk_migrations()
    had = set(manifest["migrations"]["public"]) | set(manifest["migrations"]["schema"])
    unknown = sorted(had - known)
    if unknown:
        raise BackupError("newer_release", migrations=", ".join(unknown[:5]))
    with connection.cursor() as cursor:
        applied = set(migrations_applied(cursor, "public"))
    behind = sorted(set(manifest["migrations"]["public"]) - applied)
    if behind:
        raise BackupError("target_behind", migrations=", ".join(behind[:5]))


def _schema_paths_rewrite(schema: str, old: str) -> None:
    with connection.cursor() as cursor:
        for table, column in SCHEMA_PATHS:
            cursor.execute(
                sql.SQL("UPDATE {t} SET {c} = %s || substr({c}, %s) WHERE {c} LIKE %s")
                .format(t=sql.Identifier(schema, table), c=sql.Identifier(column))
                .as_string(cursor.connection),
                [schema, len(old) + 1, f"{old}/%"],
            )


def _areas_refresh(lpa_id: int, months: set[datetime.date]) -> None:
    from reporting.rollup import areas_refresh

    lpa = Lpa.objects.select_related("regency").get(pk=lpa_id)
    areas_refresh(regency=lpa.regency, months=sorted(months))


def lpa_verify(manifest: dict[str, Any], *, schema: str, lpa_id: int) -> list[str]:
    """What differs between the restored LPA and its manifest (empty: nothing)."""
    with connection.cursor() as cursor:
        problems = differences(manifest["counts"]["schema"], row_counts(cursor, schema), ROWS)
        problems += differences(
            manifest["ledger"] or {}, ledger_balances(cursor, schema) or {}, BALANCE
        )
        for part in LPA_PARTS:
            cursor.execute(
                f"SELECT count(*) FROM {part.table} t WHERE {part.where}", {"lpa": lpa_id}
            )
            here = cursor.fetchone()[0]
            wanted = manifest["counts"]["public"].get(part.table, 0)
            if here < wanted or (here != wanted and not part.kept):
                problems.append(
                    str(PUBLIC_ROWS) % {"key": part.table, "expected": wanted, "found": here}
                )
    return problems


def lpa_restore(*, path: Path, slug: str | None = None, replace: bool = False) -> Restored:
    """Restore the LPA backup at `path` into this database, as `slug` (default: its
    own). An LPA or schema of that name is replaced only with `replace`."""
    connection.set_schema_to_public()
    with unpack_folder(path, ".askesos-restore-") as tmp:
        backup = archive_read(path, Path(tmp))
        _damaged_kind(backup, "lpa")
        manifest = backup.manifest
        public = json.loads(backup.part(PUBLIC_JSON).read_text())
        slug = (slug or manifest["lpa"]["slug"]).strip().lower()
        if not SLUG_PATTERN.match(slug) or slug in RESERVED_SLUGS or "--" in slug:
            raise BackupError("slug_invalid", slug=slug)
        _check_release(manifest)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, 0)", [_RESTORE_LOCK])
        try:
            return _restore(backup, public, slug=slug, replace=replace)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, 0)", [_RESTORE_LOCK])


def _restore(backup: Backup, public: dict[str, Any], *, slug: str, replace: bool) -> Restored:
    manifest = backup.manifest
    source = manifest["lpa"]["schema_name"]
    schema = schema_name_for(slug)
    row = public["rows"]["tenants_lpa"][0]
    existing = (
        Lpa.objects.filter(slug=slug).first() or Lpa.objects.filter(schema_name=schema).first()
    )
    if (existing is not None or schema_exists(schema)) and not replace:
        raise BackupError("lpa_exists", slug=slug, schema=schema)
    if source != schema and schema_exists(source):
        raise BackupError("schema_in_use", schema=source)
    holder = Lpa.objects.filter(npwp=row["npwp"]).exclude(pk=getattr(existing, "pk", None)).first()
    if holder is not None:
        raise BackupError("npwp_taken", npwp=row["npwp"], lpa=holder.name)
    references_check(public["references"])
    pg_restore, _major = pgtools.tool(
        "pg_restore", at_least=max(pgtools.server_major(), manifest["postgresql"]["pg_dump"])
    )

    aside = None
    was_ready = existing.is_ready if existing is not None else None
    if existing is not None:
        # Requests to the LPA answer "being prepared" (503) until the restore ends.
        Lpa.objects.filter(pk=existing.pk).update(is_ready=False)
    if schema_exists(schema):
        aside = f"{schema[:36]}_old_{timezone.now():%Y%m%d%H%M%S}"
        _schema_rename(schema, aside)
    made = done = False
    try:
        pgtools.run(
            [
                pg_restore,
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={connection.settings_dict['NAME']}",
                str(backup.part(SCHEMA_DUMP)),
            ],
            name="pg_restore",
        )
        made = True
        with transaction.atomic():
            result = _public_restore(backup, public, slug=slug, schema=schema, existing=existing)
        done = True
    except IntegrityError as exc:
        detail = getattr(getattr(exc.__cause__, "diag", None), "message_detail", None) or exc
        raise BackupError("restore_conflict", detail=str(detail).strip()) from exc
    finally:
        if not done:
            # Undo: our transaction rolled back (the schema has its backup name again);
            # drop what pg_restore made and put back what was there.
            if made:
                _schema_drop(source)
            if aside is not None:
                _schema_rename(aside, schema)
            if existing is not None:
                Lpa.objects.filter(pk=existing.pk).update(is_ready=was_ready)
    if aside is not None:
        _schema_drop(aside)
    result.media_files = _media_restore(backup, schema)
    if tenant_schemas_stale([schema]):
        tenant_schemas_migrate([schema], processes=1)
        connection.set_schema_to_public()
        result.migrated = True
    return result


def _schema_drop(name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE")
            .format(sql.Identifier(name))
            .as_string(cursor.connection)
        )


def _schema_rename(old: str, new: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("ALTER SCHEMA {} RENAME TO {}")
            .format(sql.Identifier(old), sql.Identifier(new))
            .as_string(cursor.connection)
        )


def _public_restore(
    backup: Backup, public: dict[str, Any], *, slug: str, schema: str, existing: Lpa | None
) -> Restored:
    manifest = backup.manifest
    source = manifest["lpa"]["schema_name"]
    if source != schema:
        _schema_rename(source, schema)
        _schema_paths_rewrite(schema, source)
    written = public_rows_restore(
        public, manifest=manifest, slug=slug, schema=schema, existing=existing
    )
    if written.months:
        _areas_refresh(written.lpa_id, written.months)
    problems = lpa_verify(manifest, schema=schema, lpa_id=written.lpa_id)
    if problems:
        raise BackupError("restore_mismatch", detail="; ".join(problems[:6]))
    counts = manifest["counts"]["schema"]
    return Restored(
        slug=slug,
        schema=schema,
        lpa_id=written.lpa_id,
        replaced=existing is not None,
        tables=len(counts),
        rows=sum(counts.values()),
        public_rows=manifest["counts"]["public"],
        users_added=written.users_added,
        users_matched=written.users_matched,
        reports_kept=written.reports_kept,
        ids_changed=written.ids_changed,
        columns_rewritten=written.columns_rewritten,
    )


def _media_restore(backup: Backup, schema: str) -> int:
    """The LPA's uploaded files, under the restored schema's media folder (checked
    against the manifest when the file was read)."""
    root = Path(settings.MEDIA_ROOT) / schema
    count = 0
    for name in backup.manifest.get("media", {}):
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(backup.media_root / name, target)
        count += 1
    return count

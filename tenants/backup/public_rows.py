"""An LPA's rows in public, out of a database and into another one.

Out: as `row_to_json` gives them, with the national reference rows they and the LPA's
schema point at (tenants.backup.contents.REFERENCES).

In (one transaction, the caller's): users and scheme versions are matched by natural
key or added; content types are matched; the LPA's own rows are written, replacing
those of an LPA being replaced; its reports are added where missing. A row keeps its
id when that id is free in the target and takes the next one of the table's sequence
when it is taken; every column that points at a row whose id changed is rewritten
through the map, in the public rows and in the LPA's schema.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection
from psycopg import sql

from tenants.backup.contents import (
    CONTENT_TYPE,
    GEO,
    LPA,
    LPA_PARTS,
    REPORT,
    SCHEME,
    USER,
    relations,
    tenant_references,
)
from tenants.backup.errors import BackupError
from tenants.models import Lpa
from tenants.services import domain_for

# --- out ---------------------------------------------------------------------------------


def _select(table: str, where: str, lpa_id: int) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT row_to_json(t) FROM {table} t WHERE {where} ORDER BY t.id", {"lpa": lpa_id}
        )
        return [row[0] for row in cursor.fetchall()]


def _ids_in_schema(schema: str) -> dict[str, set]:
    """The public ids the schema's tables point at, by public table."""
    found: dict[str, set] = defaultdict(set)
    with connection.cursor() as cursor:
        for table, column, target in tenant_references():
            cursor.execute(
                sql.SQL("SELECT DISTINCT {c} FROM {t} WHERE {c} IS NOT NULL")
                .format(c=sql.Identifier(column), t=sql.Identifier(schema, table))
                .as_string(cursor.connection)
            )
            found[target].update(row[0] for row in cursor.fetchall())
    return found


def public_rows_collect(lpa: Lpa) -> dict[str, Any]:
    """The LPA's public rows (LPA_PARTS, as row_to_json gives them), the reference rows
    they and the schema point at, and its active team (who keeps a password)."""
    rows = {part.table: _select(part.table, part.where, lpa.pk) for part in LPA_PARTS}
    wanted = _ids_in_schema(lpa.schema_name)
    for part in LPA_PARTS:
        for column, target in relations(apps.get_model(part.model)):
            wanted[target].update(r[column] for r in rows[part.table] if r[column] is not None)
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("SELECT user_id FROM {t} WHERE is_active")
            .format(t=sql.Identifier(lpa.schema_name, "staff_membership"))
            .as_string(cursor.connection)
        )
        members = sorted(row[0] for row in cursor.fetchall())
    references: dict[str, Any] = {}
    for table in (USER, SCHEME):
        ids = sorted(wanted.get(table, ()))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT row_to_json(t) FROM {table} t WHERE t.id = ANY(%s) ORDER BY t.id", [ids]
            )
            references[table] = [row[0] for row in cursor.fetchall()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, app_label, model FROM django_content_type WHERE id = ANY(%s) ORDER BY id",
            [sorted(wanted.get(CONTENT_TYPE, ()))],
        )
        references[CONTENT_TYPE] = [list(row) for row in cursor.fetchall()]
    for table in GEO:
        references[table] = sorted(wanted.get(table, ()))
    return {"rows": rows, "references": references, "members": members}


# --- in ----------------------------------------------------------------------------------


@dataclass
class RowsRestored:
    lpa_id: int
    months: set[datetime.date]  # of the LPA's facts, written or replaced
    users_added: int
    users_matched: int
    reports_kept: int
    ids_changed: dict[str, int] = field(default_factory=dict)  # public table -> rows
    columns_rewritten: list[str] = field(default_factory=list)  # table.column in the schema


def public_rows_restore(
    public: dict[str, Any],
    *,
    manifest: dict[str, Any],
    slug: str,
    schema: str,
    existing: Lpa | None,
) -> RowsRestored:
    """Write the backup's public rows for the LPA `slug` whose schema is `schema`
    (already restored), replacing those of `existing`; inside the caller's transaction."""
    maps = Maps()
    references, rows = public["references"], public["rows"]
    users_added, users_matched = _users_restore(maps, references[USER], set(public["members"]))
    _schemes_restore(maps, references[SCHEME])
    _content_types_map(maps, references[CONTENT_TYPE])
    months: set[datetime.date] = set()
    if existing is not None:
        months |= _owned_delete(existing.pk)
    lpa_id = _lpa_row_restore(
        maps, rows["tenants_lpa"][0], slug=slug, schema=schema, existing=existing
    )
    _domains_rewrite(
        rows["tenants_domain"],
        old_slug=manifest["lpa"]["slug"],
        old_base=manifest["base_domain"],
        slug=slug,
    )
    ids_changed: dict[str, int] = {}
    for part in LPA_PARTS[1:]:
        if part.kept:
            continue
        part_rows = rows[part.table]
        maps.rewrite(part.model, part_rows)
        mapping = ids_assign(part.table, part_rows)
        ids_changed[part.table] = sum(old != new for old, new in mapping.items())
        rows_insert(part.table, part_rows)
    reports_kept = _reports_restore(maps, rows)
    for table in (USER, SCHEME, LPA, REPORT):
        ids_changed[table] = len(maps.changed(table))
    months |= {datetime.date.fromisoformat(fact["month"]) for fact in rows["reporting_fact"]}
    return RowsRestored(
        lpa_id=lpa_id,
        months=months,
        users_added=users_added,
        users_matched=users_matched,
        reports_kept=reports_kept,
        ids_changed={table: n for table, n in ids_changed.items() if n},
        columns_rewritten=_tenant_columns_rewrite(maps, schema),
    )


def references_check(references: dict[str, Any]) -> None:
    """Before anything is written: the wilayah and content types the LPA's rows point
    at must be here (askesos setup loads them)."""
    missing = []
    with connection.cursor() as cursor:
        for table in GEO:
            codes = references.get(table, [])
            cursor.execute(f"SELECT code FROM {table} WHERE code = ANY(%s)", [codes])
            absent = set(codes) - {row[0] for row in cursor.fetchall()}
            missing += [f"{table} {code}" for code in sorted(absent)[:3]]
        pairs = references.get(CONTENT_TYPE, [])
        cursor.execute("SELECT app_label, model FROM django_content_type")
        present = {tuple(row) for row in cursor.fetchall()}
        missing += [f"content type {a}.{m}" for _id, a, m in pairs if (a, m) not in present]
    if missing:
        raise BackupError("reference_missing", what=", ".join(missing[:6]))


def _columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name = %s ORDER BY ordinal_position",
            [table],
        )
        return [row[0] for row in cursor.fetchall()]


def ids_assign(table: str, rows: list[dict[str, Any]]) -> dict[Any, Any]:
    """Each row keeps its id if the target's table has it free, else takes the next of
    the table's sequence; returns old id -> new id (identity included)."""
    if not rows:
        return {}
    old = [row["id"] for row in rows]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE id = ANY(%s)", [old])
        taken = {row[0] for row in cursor.fetchall()}
        kept = set(old) - taken
        fresh: list[int] = []
        while len(fresh) < len(taken):
            # A sequence may lag behind ids written by hand: skip those, and the ids
            # this batch keeps.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(taken) - len(fresh)],
            )
            batch = [row[0] for row in cursor.fetchall()]
            cursor.execute(f"SELECT id FROM {table} WHERE id = ANY(%s)", [batch])
            used = {row[0] for row in cursor.fetchall()} | kept
            fresh += [value for value in batch if value not in used]
    new_ids = iter(fresh)
    mapping = {value: (next(new_ids) if value in taken else value) for value in old}
    for row in rows:
        row["id"] = mapping[row["id"]]
    return mapping


def rows_insert(table: str, rows: list[dict[str, Any]]) -> None:
    """Insert rows (column -> value, as row_to_json gave them) in one statement; a column
    the target lacks means a newer release; one the rows lack takes its default."""
    if not rows:
        return
    present = _columns(table)
    unknown = sorted(set(rows[0]) - set(present))
    if unknown:
        raise BackupError("newer_release", migrations=f"{table}.{', '.join(unknown)}")
    names = sql.SQL(", ").join(sql.Identifier(c) for c in present if c in rows[0])
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL(
                "INSERT INTO {t} ({names}) SELECT {names} "
                "FROM json_populate_recordset(NULL::{t}, %s::json)"
            )
            .format(t=sql.Identifier(table), names=names)
            .as_string(cursor.connection),
            [json.dumps(rows, default=str)],
        )
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        if sequence and "id" in rows[0]:
            # Ids kept from the backup may lie ahead of the sequence: move it past them.
            cursor.execute(
                sql.SQL(
                    "SELECT setval(%s, greatest((SELECT max(id) FROM {t}), "
                    "(SELECT last_value FROM {s})))"
                )
                .format(t=sql.Identifier(table), s=sql.SQL(sequence))
                .as_string(cursor.connection),
                [sequence],
            )


class Maps:
    """Old id -> new id per public table, for every reference a restored row holds."""

    def __init__(self) -> None:
        self.by_table: dict[str, dict[Any, Any]] = defaultdict(dict)

    def rewrite(self, model: str, rows: Iterable[dict[str, Any]]) -> None:
        """Point each row's references (model "app.Model") at the target's ids."""
        links = [(c, t) for c, t in relations(apps.get_model(model)) if t not in GEO]
        for row in rows:
            for column, target in links:
                if row.get(column) is not None:
                    row[column] = self.by_table[target][row[column]]

    def changed(self, table: str) -> dict[Any, Any]:
        return {old: new for old, new in self.by_table[table].items() if old != new}


def _users_restore(maps: Maps, users: list[dict[str, Any]], members: set[int]) -> tuple[int, int]:
    """Users matched by username; the others added, keeping their id where free. Only
    the LPA's active team keeps a password and the right to sign in: the others (a
    district officer who reviewed a report, a former member) are there so that the
    history names them, and are added inactive."""
    names = [user["username"] for user in users]
    with connection.cursor() as cursor:
        cursor.execute("SELECT username, id FROM accounts_user WHERE username = ANY(%s)", [names])
        existing = dict(cursor.fetchall())
    added = []
    for user in users:
        if user["username"] in existing:
            maps.by_table[USER][user["id"]] = existing[user["username"]]
            continue
        if user["id"] not in members:
            user["is_active"], user["password"] = False, make_password(None)
        added.append(user)
    old_ids = [user["id"] for user in added]
    mapping = ids_assign(USER, added)
    maps.by_table[USER].update({old: mapping[old] for old in old_ids})
    rows_insert(USER, added)
    return len(added), len(existing)


def _schemes_restore(maps: Maps, versions: list[dict[str, Any]]) -> None:
    """Scheme versions matched by code and version; one missing here is added (never as
    the national default)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT code, version, id FROM schemes_schemeversion")
        existing = {(code, number): pk for code, number, pk in cursor.fetchall()}
    added = []
    for version in versions:
        key = (version["code"], version["version"])
        if key in existing:
            maps.by_table[SCHEME][version["id"]] = existing[key]
        else:
            version["is_default"] = False
            added.append(version)
    old_ids = [version["id"] for version in added]
    mapping = ids_assign(SCHEME, added)
    maps.by_table[SCHEME].update({old: mapping[old] for old in old_ids})
    rows_insert(SCHEME, added)


def _content_types_map(maps: Maps, pairs: list[list[Any]]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app_label, model, id FROM django_content_type")
        present = {(a, m): pk for a, m, pk in cursor.fetchall()}
    for old, app_label, model in pairs:
        maps.by_table[CONTENT_TYPE][old] = present[(app_label, model)]


def _owned_delete(lpa_id: int) -> set[datetime.date]:
    """Replacing an LPA: its own public rows go (the backup's take their place); returns
    the months of its facts, whose area sums are recomputed."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT month FROM reporting_fact WHERE level = 'lpa' AND lpa_id = %s",
            [lpa_id],
        )
        months = {row[0] for row in cursor.fetchall()}
        for part in reversed(LPA_PARTS[1:]):
            if not part.kept:
                cursor.execute(f"DELETE FROM {part.table} t WHERE {part.where}", {"lpa": lpa_id})
    return months


def _lpa_row_restore(
    maps: Maps, row: dict[str, Any], *, slug: str, schema: str, existing: Lpa | None
) -> int:
    row = dict(row, slug=slug, schema_name=schema)
    maps.rewrite("tenants.Lpa", [row])
    if existing is None:
        old = row["id"]
        maps.by_table[LPA].update(ids_assign(LPA, [row]))
        rows_insert(LPA, [row])
        return maps.by_table[LPA][old]
    maps.by_table[LPA][row["id"]] = existing.pk
    row["id"] = existing.pk
    columns = [c for c in _columns(LPA) if c in row and c != "id"]
    names = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL(
                "UPDATE tenants_lpa SET ({names}) = (SELECT {names} FROM "
                "json_populate_record(NULL::tenants_lpa, %s::json)) WHERE id = %s"
            )
            .format(names=names)
            .as_string(cursor.connection),
            [json.dumps(row, default=str), existing.pk],
        )
    return existing.pk


def _domains_rewrite(
    rows: list[dict[str, Any]], *, old_slug: str, old_base: str, slug: str
) -> None:
    """The primary domain follows the slug and this platform's BASE_DOMAIN; another
    domain (an LPA's own name) is kept as it was."""
    for row in rows:
        if row["is_primary"] or row["domain"] == f"{old_slug}.{old_base}":
            row["domain"] = domain_for(slug)


def _reports_restore(maps: Maps, rows: dict[str, list[dict[str, Any]]]) -> int:
    """The LPA's reports that the target lacks are added with their versions and
    events; one it has (same LPA, period type and start) is the government's record
    there and stays as it is, with its own versions and events. Returns those kept."""
    reports = rows["reporting_report"]
    maps.rewrite("reporting.Report", reports)
    added = []
    with connection.cursor() as cursor:
        for report in reports:
            cursor.execute(
                "SELECT id FROM reporting_report WHERE level = 'lpa' AND lpa_id = %s "
                "AND period_type = %s AND period_start = %s",
                [report["lpa_id"], report["period_type"], report["period_start"]],
            )
            found = cursor.fetchone()
            if found:
                maps.by_table[REPORT][report["id"]] = found[0]
            else:
                added.append(report)
    old_ids = [report["id"] for report in added]
    mapping = ids_assign(REPORT, added)
    maps.by_table[REPORT].update({old: mapping[old] for old in old_ids})
    rows_insert(REPORT, added)
    new_reports = {mapping[old] for old in old_ids}
    for model, table in (
        ("reporting.ReportVersion", "reporting_reportversion"),
        ("reporting.ReportEvent", "reporting_reportevent"),
    ):
        children = rows[table]
        maps.rewrite(model, children)
        children = [child for child in children if child["report_id"] in new_reports]
        ids_assign(table, children)
        rows_insert(table, children)
    return len(reports) - len(added)


def _tenant_columns_rewrite(maps: Maps, schema: str) -> list[str]:
    """Point the schema's columns at the target's public ids where they changed. Posted
    books and bank statements refuse any UPDATE by trigger: the triggers of the table
    are off for this one statement, inside the restore's transaction."""
    rewritten = []
    with connection.cursor() as cursor:
        # Foreign keys are checked at each statement's end from here on: a table with
        # checks still pending cannot have its triggers turned off.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, column, target in tenant_references():
            changed = maps.changed(target)
            if not changed:
                continue
            qualified = sql.Identifier(schema, table)
            _run(cursor, sql.SQL("ALTER TABLE {} DISABLE TRIGGER USER").format(qualified))
            _run(
                cursor,
                sql.SQL(
                    "UPDATE {t} SET {c} = m.new FROM unnest(%s::bigint[], %s::bigint[]) "
                    "AS m(old, new) WHERE {t}.{c} = m.old"
                ).format(t=qualified, c=sql.Identifier(column)),
                [list(changed), list(changed.values())],
            )
            if cursor.rowcount:
                rewritten.append(f"{table}.{column}")
            _run(cursor, sql.SQL("ALTER TABLE {} ENABLE TRIGGER USER").format(qualified))
    return rewritten


def _run(cursor, query: sql.Composable, params: list[Any] | None = None) -> None:
    cursor.execute(query.as_string(cursor.connection), params)

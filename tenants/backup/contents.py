"""What an LPA's backup holds besides its schema, and the figures a restore must meet.

An LPA is its schema `lpa_<slug>` (its team, registry, books, claims, bank statements,
its own audit log) plus rows in public. The public rows that are the LPA's own state
(LPA_PARTS, "owned") come with it and a restore replaces them; the LPA's period reports
are records the government holds too ("kept"): a restore adds those missing and never
changes one that is there. What the LPA's rows point at in public is national
reference data (REFERENCES): users and scheme versions travel with the backup and are
matched by their natural keys, content types and wilayah must already be there.

Not in an LPA's backup, on purpose (they come with the whole-platform backup):
- subsidy budgets, allocations, transfer batches and transfers, their events and bank
  files: the province's and the ministry's records of their money, several LPAs to a
  batch (what reached the LPA is in its own books);
- NIK conflicts: a record about two LPAs, kept for the districts;
- consolidated (kabupaten/kota, province) reports, report notices to people, the
  drill-down log, audit exports, the national audit log, the rollup's outbox;
- government scopes, second-factor devices, sessions, sign-in lockouts: a person's
  access is granted on the platform restored into, not carried by a backup.
See docs/subsystems/backup.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from psycopg import sql

# Public tables an LPA's rows point at, and how a restore finds the row in the target.
USER, SCHEME, CONTENT_TYPE, LPA, REPORT = (
    "accounts_user",
    "schemes_schemeversion",
    "django_content_type",
    "tenants_lpa",
    "reporting_report",
)
GEO = ("geo_province", "geo_regency", "geo_district", "geo_village")
REFERENCES = {
    USER: "copied; matched by username (one login for the country)",
    SCHEME: "copied; matched by code and version (a published version never changes)",
    CONTENT_TYPE: "matched by app label and model; must exist (askesos setup)",
    **{table: "matched by code; must exist (askesos setup loads the wilayah)" for table in GEO},
    LPA: "the LPA itself",
    REPORT: "the LPA's reports, in the backup",
}


@dataclass(frozen=True)
class Part:
    model: str  # app_label.ModelName
    where: str  # SQL on alias t; %(lpa)s is the LPA's id
    kept: bool = False  # the government's record too: added when missing, never changed

    @property
    def table(self) -> str:
        return apps.get_model(self.model)._meta.db_table


_LPA_REPORTS = "SELECT id FROM reporting_report WHERE level = 'lpa' AND lpa_id = %(lpa)s"

# In restore order: a row's references come before it.
LPA_PARTS = (
    Part("tenants.Lpa", "t.id = %(lpa)s"),
    Part("tenants.Domain", "t.tenant_id = %(lpa)s"),
    Part("tenants.LpaBankAccount", "t.lpa_id = %(lpa)s"),
    Part("tenants.JobRun", "t.lpa_id = %(lpa)s"),
    Part("registry.NationalParticipant", "t.lpa_id = %(lpa)s"),
    Part("registry.CardCheck", "t.lpa_id = %(lpa)s"),
    Part("reporting.Finding", "t.lpa_id = %(lpa)s"),
    Part("reporting.ReconciliationStatus", "t.lpa_id = %(lpa)s"),
    Part("reporting.Fact", "t.level = 'lpa' AND t.lpa_id = %(lpa)s"),
    Part("reporting.Report", "t.level = 'lpa' AND t.lpa_id = %(lpa)s", kept=True),
    Part("reporting.ReportVersion", f"t.report_id IN ({_LPA_REPORTS})", kept=True),
    Part("reporting.ReportEvent", f"t.report_id IN ({_LPA_REPORTS})", kept=True),
)
PARTS_BY_TABLE = {part.table: part for part in LPA_PARTS}


def relations(model) -> list[tuple[str, str]]:
    """(column, referenced table) of each foreign key of `model`."""
    return [
        (field.column, field.related_model._meta.db_table)
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is not None
    ]


def tenant_references() -> list[tuple[str, str, str]]:
    """(table, column, public table) of every tenant column that points into public
    (docs/decisions/0002: ids without a database key)."""
    tenant = {c.label for c in apps.get_app_configs() if c.name in settings.TENANT_APPS}
    shared = {c.label for c in apps.get_app_configs() if c.name in settings.SHARED_APPS}
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in tenant or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if not (field.is_relation and field.related_model is not None):
                continue
            target = field.related_model._meta.app_label
            if target in shared or target not in tenant:
                found.append(
                    (model._meta.db_table, field.column, field.related_model._meta.db_table)
                )
    return sorted(found)


# --- figures (on any DB-API cursor: Django's, or a psycopg one in an imported snapshot) --


def schema_tables(cursor, schema: str) -> list[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY c.relname",
        [schema],
    )
    return [row[0] for row in cursor.fetchall()]


def row_counts(cursor, schema: str) -> dict[str, int]:
    """Every table of `schema` and its exact number of rows (one statement)."""
    tables = schema_tables(cursor, schema)
    if not tables:
        return {}
    query = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT {name}, count(*) FROM {table}").format(
            name=sql.Literal(table), table=sql.Identifier(schema, table)
        )
        for table in tables
    )
    cursor.execute(query.as_string(cursor.connection))
    return {name: int(count) for name, count in cursor.fetchall()}


def ledger_balances(cursor, schema: str) -> dict[str, int] | None:
    """Each ledger account's balance (debit positive) by code; None for a schema
    without a ledger."""
    if "ledger_journalline" not in schema_tables(cursor, schema):
        return None
    query = sql.SQL(
        "SELECT a.code, coalesce(sum(l.amount), 0) FROM {accounts} a "
        "LEFT JOIN {lines} l ON l.account_id = a.id GROUP BY a.code ORDER BY a.code"
    ).format(
        accounts=sql.Identifier(schema, "ledger_account"),
        lines=sql.Identifier(schema, "ledger_journalline"),
    )
    cursor.execute(query.as_string(cursor.connection))
    return {code: int(total) for code, total in cursor.fetchall()}


def migrations_applied(cursor, schema: str) -> list[str]:
    if "django_migrations" not in schema_tables(cursor, schema):
        return []
    query = sql.SQL("SELECT app || '.' || name FROM {table} ORDER BY 1").format(
        table=sql.Identifier(schema, "django_migrations")
    )
    cursor.execute(query.as_string(cursor.connection))
    return [row[0] for row in cursor.fetchall()]


# What a comparison with a manifest finds (restore_mismatch, platform_mismatch).
ROWS = _("rows of %(key)s: %(expected)s in the backup, %(found)s here")
BALANCE = _("balance of account %(key)s: %(expected)s in the backup, %(found)s here")
PUBLIC_ROWS = _("public rows of %(key)s: %(expected)s in the backup, %(found)s here")


def differences(expected: dict[str, Any], found: dict[str, Any], message: Any) -> list[str]:
    """One line per key whose value differs, in `message`'s words."""
    return [
        str(message) % {"key": key, "expected": expected.get(key), "found": found.get(key)}
        for key in sorted(set(expected) | set(found))
        if expected.get(key) != found.get(key)
    ]


def flat(by_schema: dict[str, dict[str, Any]], joiner: str = ".") -> dict[str, Any]:
    """{schema: {name: value}} as {"schema.name": value}."""
    return {
        f"{schema}{joiner}{name}": value
        for schema, values in by_schema.items()
        for name, value in values.items()
    }


def manifest_head(*, kind: str, taken_at: Any, server: str, dump_major: int) -> dict[str, Any]:
    """What every backup's manifest starts with: its kind, when its snapshot was taken,
    which release and PostgreSQL made it, from which database and domain."""
    from django.db import connection

    return {
        "kind": kind,
        "created_at": taken_at.isoformat(),
        "platform_version": platform_version(),
        "postgresql": {"server": server, "pg_dump": dump_major},
        "database": connection.settings_dict["NAME"],
        "base_domain": settings.BASE_DOMAIN,
    }


def platform_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("askesos")
    except PackageNotFoundError:  # pragma: no cover - run from a checkout without install
        return "unknown"

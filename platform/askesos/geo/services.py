"""Loading the vendored wilayah CSVs into the public schema."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django_tenants.utils import schema_context

DATA_DIR = Path(__file__).resolve().parent / "data"

# (csv file, table, parent column in the CSV, parent column in the table), parents first.
LEVELS = (
    ("provinces.csv", "geo_province", None, None),
    ("regencies.csv", "geo_regency", "province_code", "province_id"),
    ("districts.csv", "geo_district", "regency_code", "regency_id"),
    ("villages.csv", "geo_village", "district_code", "district_id"),
)


@dataclass(frozen=True)
class WilayahCounts:
    provinces: int
    regencies: int
    districts: int
    villages: int


def wilayah_load(*, data_dir: Path = DATA_DIR) -> WilayahCounts:
    """Upsert all four levels: COPY into a temporary table, then one INSERT ... ON CONFLICT.

    Idempotent: running it again changes nothing unless a CSV changed (a renamed
    village is updated in place; codes are never deleted because participants point
    at them).
    """
    with schema_context("public"), transaction.atomic(), connection.cursor() as cursor:
        for filename, table, csv_parent, table_parent in LEVELS:
            columns = ["code", "name"] if csv_parent is None else ["code", csv_parent, "name"]
            target = ["code", "name"] if table_parent is None else ["code", table_parent, "name"]
            cursor.execute(
                f"CREATE TEMP TABLE wilayah_stage ({', '.join(c + ' text' for c in columns)}) "
                "ON COMMIT DROP"
            )
            header = ", ".join(columns)
            with (
                (data_dir / filename).open("rb") as source,
                cursor.copy(
                    f"COPY wilayah_stage ({header}) FROM STDIN WITH (FORMAT csv, HEADER true)"
                ) as copy,
            ):
                while chunk := source.read(1 << 16):
                    copy.write(chunk)
            updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in target[1:])
            distinct = " OR ".join(f"{table}.{c} IS DISTINCT FROM EXCLUDED.{c}" for c in target[1:])
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(target)}) SELECT {header} FROM wilayah_stage "
                f"ON CONFLICT (code) DO UPDATE SET {updates} WHERE {distinct}"
            )
            cursor.execute("DROP TABLE wilayah_stage")
    return wilayah_counts()


def wilayah_counts() -> WilayahCounts:
    from askesos.geo.models import District, Province, Regency, Village

    with schema_context("public"):
        return WilayahCounts(
            provinces=Province.objects.count(),
            regencies=Regency.objects.count(),
            districts=District.objects.count(),
            villages=Village.objects.count(),
        )

"""Building blocks for the audit-export tests: a few participants in the session's
three LPAs with their facts, and readers of an export's ZIP."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from pathlib import Path

from django.db import connection
from django_tenants.utils import schema_context

from reporting.periods import Period, PeriodType
from reporting.rollup import lpa_facts_refresh
from tests.programme.conftest import KONAWE_VILLAGE, paid_in

OCTOBER = Period(PeriodType.MONTH, datetime.date(2026, 10, 1))
FACT_MONTHS = [Period(PeriodType.MONTH, datetime.date(2026, m, 1)) for m in (9, 10, 11)]
FORMULA_NAME = '=HYPERLINK("http://contoh.test/x","klik")'


def makassar_village() -> str:
    from askesos.geo.models import Village

    return Village.objects.filter(district__regency_id="73.71").order_by("code").first().code


def people_make(lpa_a, lpa_b, lpa_c) -> dict[str, list]:
    """Three participants in LPA A (Kota Kendari; one named like a formula), two in B
    (Konawe), one in C (Makassar, another province), paying from September or October
    2026; then each LPA's facts for September to November. Returns the policies per
    LPA slug."""
    start_sep, start_oct = datetime.date(2026, 9, 3), datetime.date(2026, 10, 6)
    made = {
        lpa_a.slug: [
            paid_in(
                lpa_a, serial=901, name="Siti Ekspor", months=2, number="EKS-A1", start=start_sep
            ),
            paid_in(
                lpa_a, serial=902, name=FORMULA_NAME, months=1, number="EKS-A2", start=start_oct
            ),
            paid_in(
                lpa_a, serial=903, name="Budi Ekspor", months=3, number="EKS-A3", start=start_oct
            ),
        ],
        lpa_b.slug: [
            paid_in(
                lpa_b,
                serial=904,
                name="Wa Ode Ekspor",
                months=2,
                number="EKS-B1",
                start=start_sep,
                village=KONAWE_VILLAGE,
            ),
            paid_in(
                lpa_b,
                serial=905,
                name="La Ode Ekspor",
                months=1,
                number="EKS-B2",
                start=start_oct,
                village=KONAWE_VILLAGE,
            ),
        ],
        lpa_c.slug: [
            paid_in(
                lpa_c,
                serial=906,
                name="Andi Ekspor",
                months=2,
                number="EKS-C1",
                start=start_oct,
                village=makassar_village(),
            )
        ],
    }
    facts_make(lpa_a, lpa_b, lpa_c)
    return made


def facts_make(*lpas, months=FACT_MONTHS) -> None:
    for lpa in lpas:
        with schema_context(lpa.schema_name):
            lpa_facts_refresh(lpa=lpa, months=months)
    connection.set_schema_to_public()


def zip_entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def zip_tables(path: Path) -> dict[str, list[dict[str, str]]]:
    return {
        name[: -len(".csv")]: csv_rows(data)
        for name, data in zip_entries(path).items()
        if name.endswith(".csv")
    }


def workbook_sheets(data: bytes) -> dict[str, list[list]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in book.worksheets
    }


def zip_rewrite(source: Path, target: Path, change) -> None:
    """Copy the ZIP with `change(name, data) -> data` applied to every entry."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            new.writestr(info.filename, change(info.filename, old.read(info.filename)))

"""Every CSV and XLSX file the platform writes keeps text a person typed as text
(askesos.spreadsheets.cell_safe): no cell starts with = + - @ (or a tab or carriage
return) unescaped, and no XLSX cell is a formula.

The issue's probe: a participant named `=HYPERLINK(...)` came out as a live formula in
the Buku Setoran Premi XLSX (the registry export escaped it; the books did not). This
walks every export with formula-like text in every field a person fills in; a module
that starts writing CSV or XLSX must join the walk (the last test)."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from askesos.dates import today
from askesos.permissions import scope_of
from askesos.roles import LpaRole
from askesos.spreadsheets import FORMULA_START, cell_safe
from programme.bank.base import Confirmation, PaymentInstruction, Statement, StatementLine
from programme.bank.csv_files import (
    batch_csv_write,
    confirmations_csv_write,
    statement_csv_write,
)
from programme.claims import services as claims
from programme.ledger import books, funds, premiums
from programme.participants.imports import import_template_csv
from programme.participants.services import participant_register
from reporting.export_job import export_build
from reporting.exports import export_request, export_zip_path
from reporting.periods import period_of
from reporting.rollup import lpa_facts_refresh
from tenants.models import Lpa
from tests.conftest import client_on, host_of
from tests.programme.claims_helpers import docs_for
from tests.programme.conftest import person

ROOT = Path(__file__).resolve().parents[2]
HYPERLINK = '=HYPERLINK("http://contoh.test/x","klik")'
# What a person may type, one for each character a spreadsheet runs.
TYPED = {
    "name": HYPERLINK,
    "address": "@SUM(1+1)",
    "donor": "=cmd|' /C calc'!A0",
    "purpose": "+1+2",
    "reference": "-2+3",
    "loan": "=loan",
    "bank_reference": "=B-1",
    "narrative": "=1+1",
    "planned": "+planned",
}
ESCAPED = "'" + HYPERLINK


NUMBER = re.compile(r"^-?\d+(\.\d+)?$")  # a negative amount written by us: a number


def unsafe(values) -> list[str]:
    return [
        v
        for v in values
        if isinstance(v, str) and v.startswith(FORMULA_START) and not NUMBER.match(v)
    ]


def csv_cells(content: bytes) -> list[str]:
    text = content.decode("utf-8-sig")
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";" if ";" in first else ",")
    return [cell for row in reader for cell in row]


def xlsx_cells(content: bytes) -> list:
    """Every cell's value; a formula cell fails at once."""
    from openpyxl import load_workbook

    cells = []
    for sheet in load_workbook(io.BytesIO(content)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                cells.append(cell.value)
    return cells


def assert_kept_as_text(name: str, content: bytes, kind: str) -> list:
    cells = xlsx_cells(content) if kind == "xlsx" else csv_cells(content)
    assert unsafe(cells) == [], (name, unsafe(cells))
    return cells


def test_cell_safe_escapes_what_a_spreadsheet_would_run():
    for text in ("=1", "+1", "-1", "@A1", "\t=1", "\r=1"):
        assert cell_safe(text) == "'" + text
    assert cell_safe("Budi") == "Budi" and cell_safe(-5000) == -5000
    assert cell_safe(cell_safe("=1")) == "'=1"  # twice is once


@pytest.fixture
def typed_everywhere(lpa_a, make_staff):
    """LPA A with formula-like text in every field a person fills in, all dated on the
    first of this month: a participant, a receipt, a hand-over and deposit, a grant and
    its spending, revolving capital and a loan, a subsidy, a death claim verified."""
    connection.set_tenant(lpa_a)
    day = today().replace(day=1)
    policy = participant_register(
        data=person(name=TYPED["name"], address=TYPED["address"]), start_date=day
    )
    receipt = premiums.premium_receipt_record(
        number="KW-F1", policy=policy, months=2, amount=10_000, received_on=day
    )
    handover = premiums.cash_handover(receipts=[receipt], handed_by=None, actor=None, date=day)
    premiums.bank_deposit(
        handover=handover, date=day, bank_reference=TYPED["bank_reference"], actor=None
    )
    grant = funds.grant_receive(
        donor=TYPED["donor"],
        purpose=TYPED["purpose"],
        amount=500_000,
        date=day,
        reference=TYPED["reference"],
    )
    funds.grant_spend(
        grant=grant, amount=1000, description=TYPED["purpose"], date=day, reference="=G-1"
    )
    funds.revolving_capital_add(amount=500_000, date=day, reference="+M-1")
    funds.loan_disburse(
        participant=policy.participant,
        principal=100_000,
        fee=0,
        installments=2,
        purpose=TYPED["loan"],
        date=day,
    )
    funds.subsidy_receive(amount=50_000, date=day, reference="@S-1")
    claim = claims.claim_submit(
        policy_number=policy.number,
        benefit="death",
        event_date=day,
        actor=make_staff(lpa_a, LpaRole.KLAIM),
        heir=policy.participant.heirs.first(),
        description=TYPED["narrative"],
        documents=docs_for("death"),
    )
    claims.claim_verify(claim=claim, actor=make_staff(lpa_a, LpaRole.KLAIM))
    connection.set_schema_to_public()
    return day


def test_the_registry_export_keeps_a_formula_like_name_as_text(typed_everywhere, lpa_a, make_staff):
    client = client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.KETUA))

    for kind in ("csv", "xlsx"):
        response = client.get("/api/participants/export/", {"type": kind})
        assert response.status_code == 200
        cells = assert_kept_as_text(f"registry.{kind}", response.content, kind)
        assert ESCAPED in cells and "'" + TYPED["address"] in cells


def test_every_book_keeps_typed_text_as_text(typed_everywhere, lpa_a, make_staff):
    """The issue's Buku Setoran Premi, and the eight others."""
    client = client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.KETUA))
    month = f"{typed_everywhere:%Y-%m}"
    seen = {}

    for slug in books.ALL_SLUGS:
        response = client.get(f"/api/books/{slug}/", {"month": month, "file": "xlsx"})
        assert response.status_code == 200, (slug, response.content[:200])
        seen[slug] = assert_kept_as_text(f"{slug}.xlsx", response.content, "xlsx")

    assert ESCAPED in seen["setoran-premi"] and ESCAPED in seen["klaim"]
    assert any(TYPED["donor"] in c for c in seen["hibah"] if isinstance(c, str))


def test_a_report_keeps_its_narrative_as_text(lpa_a, make_staff):
    client = client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.KETUA))
    period = period_of("month", today().replace(day=1) - datetime.timedelta(days=1))

    made = client.post("/api/reports/", {"period": period.code}, content_type="application/json")
    assert made.status_code in (200, 201), made.content[:300]
    saved = client.patch(
        f"/api/reports/{period.code}/",
        {"narrative": TYPED["narrative"], "planned_actions": TYPED["planned"]},
        content_type="application/json",
    )
    assert saved.status_code == 200, saved.content[:300]
    response = client.get(f"/api/reports/{period.code}/", {"file": "xlsx"})

    cells = assert_kept_as_text("report.xlsx", response.content, "xlsx")
    assert any(isinstance(c, str) and c.startswith("'" + TYPED["narrative"]) for c in cells)


def test_the_audit_exports_keep_typed_text_as_text(
    typed_everywhere, lpa_a, make_government_user, settings, tmp_path
):
    settings.EXPORT_ROOT = tmp_path / "exports"
    Lpa.objects.filter(pk=lpa_a.pk).update(name=TYPED["donor"])
    period = period_of("month", typed_everywhere)
    with schema_context(lpa_a.schema_name):
        lpa_facts_refresh(lpa=Lpa.objects.get(pk=lpa_a.pk), months=[period])
    connection.set_schema_to_public()
    auditor = make_government_user("ministry", role="auditor")

    for kind in ("tables", "persons"):
        export = export_build(
            export_request(
                user=auditor,
                scope=scope_of(auditor),
                kind=kind,
                period=period.code,
                level="regency",
                area="74.71",
                filters={},
            )
        )
        with zipfile.ZipFile(export_zip_path(export)) as archive:
            names = [n for n in archive.namelist() if n.endswith((".csv", ".xlsx"))]
            assert names, archive.namelist()
            every = []
            for name in names:
                every += assert_kept_as_text(
                    f"{kind}/{name}", archive.read(name), name.rsplit(".", 1)[1]
                )
        expected = ESCAPED if kind == "persons" else "'" + TYPED["donor"]
        assert expected in every, kind


def test_the_bank_files_keep_typed_text_as_text():
    day = datetime.date(2026, 10, 5)
    batch = batch_csv_write(
        batch_reference="B-1",
        instructions=[
            PaymentInstruction(
                reference="ASKTRF000001",
                account_number="9000011201",
                account_holder=TYPED["donor"],
                bank_name="@Bank",
                amount=1000,
                purpose=HYPERLINK,
            )
        ],
        execution_date=day,
    )
    confirmations = confirmations_csv_write(
        [Confirmation(1, "ASKTRF000001", "failed", "=B", None, None, HYPERLINK)]
    )
    statement = statement_csv_write(
        [
            Statement(
                account_number="9000011201",
                number="1/1",
                opening_date=day,
                opening_balance=0,
                closing_date=day,
                closing_balance=-1000,
                lines=(StatementLine(2, day, -1000, "+NCHG", "=R", "-B", HYPERLINK),),
            )
        ]
    )
    for name, content in (
        ("batch", batch.content),
        ("confirm", confirmations),
        ("stmt", statement),
    ):
        cells = assert_kept_as_text(name, content, "csv")
        assert any(c.startswith("'=") for c in cells), name


def test_the_import_template_holds_nothing_a_spreadsheet_would_run():
    assert_kept_as_text("template.csv", import_template_csv(), "csv")


# Modules that write CSV or XLSX, each walked above (or why not).
WALKED = {
    "programme/participants/exports.py",  # the registry export
    "programme/participants/imports.py",  # the import template
    "programme/ledger/book_output.py",  # the nine books and the period reports
    "programme/bank/csv_files.py",  # batches, confirmations, statements
    "reporting/export_files.py",  # the audit export's tables (CSV and workbook)
    "reporting/export_persons.py",  # the audit export's participants
    # The audit trail's CSV: tests/askesos/test_audit.py (a formula-like name kept text).
    "platform/askesos/audit_trail.py",
    # Generators of import files for `askesos bench`: synthetic names, never exported.
    "platform/askesos/bench/registry.py",
    "platform/askesos/bench/imports.py",
}
WRITER = re.compile(r"csv\.(writer|DictWriter)\(|\bWorkbook\(")


def test_every_module_that_writes_a_spreadsheet_is_walked():
    writers = {
        str(path.relative_to(ROOT))
        for package in ("platform", "programme", "reporting", "tenants")
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts and WRITER.search(path.read_text(encoding="utf-8"))
    }
    assert writers == WALKED

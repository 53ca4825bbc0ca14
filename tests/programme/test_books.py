"""The books as pages, PDF and Excel; the ledger pages through the real middleware."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from programme.ledger import books
from programme.ledger.models import Payout, PremiumReceipt
from programme.ledger.premiums import bank_deposit, cash_handover, savings_payout
from programme.participants.services import participant_register
from tests.conftest import client_on, host_of
from tests.programme.conftest import person

DAY = datetime.date(2026, 1, 10)


@pytest.fixture
def staff(lpa_a, make_staff):
    return {role: make_staff(lpa_a, role) for role in ("petugas_lapangan", "bendahara", "ketua")}


def test_the_collection_sheet_records_a_ticked_row_at_months_times_the_premium(lpa_a, staff):
    from django.db import connection

    connection.set_tenant(lpa_a)
    policy = participant_register(data=person(), start_date=datetime.date(2026, 1, 1))
    client = client_on(host_of(lpa_a), staff["petugas_lapangan"])

    page = client.post(
        "/premi/",
        {
            "received_on": "2026-01-10",
            "pay": [str(policy.pk)],
            f"months-{policy.pk}": "3",
            f"amount-{policy.pk}": "",
            f"number-{policy.pk}": "K-001",
        },
    ).content.decode()

    assert "1 kuitansi tercatat" in page and "K-001" in page
    connection.set_tenant(lpa_a)
    assert PremiumReceipt.objects.get().amount == 15_000


def test_every_book_renders_as_page_pdf_and_excel(lpa_a, staff):
    from django.db import connection

    connection.set_tenant(lpa_a)
    policy = participant_register(data=person(), start_date=datetime.date(2026, 1, 1))
    client = client_on(host_of(lpa_a), staff["petugas_lapangan"])
    client.post(
        "/premi/",
        {
            "received_on": "2026-01-10",
            "pay": [str(policy.pk)],
            f"months-{policy.pk}": "2",
            f"amount-{policy.pk}": "",
            f"number-{policy.pk}": "K-9",
        },
    )
    bendahara = client_on(host_of(lpa_a), staff["bendahara"])

    for slug in books.ALL_SLUGS:
        page = bendahara.get(f"/buku/{slug}/", {"bulan": "2026-01"})
        assert page.status_code == 200, slug
        pdf = bendahara.get(f"/buku/{slug}/", {"bulan": "2026-01", "unduh": "pdf"})
        assert pdf.content.startswith(b"%PDF"), slug
        xlsx = bendahara.get(f"/buku/{slug}/", {"bulan": "2026-01", "unduh": "xlsx"})
        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        assert sheet["A1"].value == "LPA Uji A", slug
    receipts_page = bendahara.get("/buku/setoran-premi/", {"bulan": "2026-01"}).content.decode()
    assert "K-9" in receipts_page and "Rp 10.000" in receipts_page


def test_a_field_officer_may_not_open_the_books(lpa_a, staff):
    response = client_on(host_of(lpa_a), staff["petugas_lapangan"]).get("/buku/")

    assert response.status_code == 403


def test_the_payout_slip(lpa_a, staff):
    from django.db import connection

    connection.set_tenant(lpa_a)
    policy = participant_register(data=person(), start_date=datetime.date(2026, 1, 1))
    from programme.ledger.premiums import premium_receipt_record

    receipt = premium_receipt_record(
        number="K-1", policy=policy, months=4, amount=20_000, received_on=DAY
    )
    handover = cash_handover(receipts=[receipt], handed_by=None, actor=None, date=DAY)
    bank_deposit(handover=handover, date=DAY, bank_reference="BRI", actor=None)
    savings_payout(
        policy=policy,
        reason=Payout.Reason.WITHDRAWAL,
        paid_on=datetime.date(2026, 2, 1),
        withdrawal_request="surat 1/II/2026",
    )

    slip = client_on(host_of(lpa_a), staff["bendahara"]).get(
        f"/polis/{policy.pk}/bukti-pengembalian.pdf"
    )

    assert slip.status_code == 200 and slip.content.startswith(b"%PDF")


def test_closing_through_the_pages_needs_two_people(lpa_a, staff):
    bendahara = client_on(host_of(lpa_a), staff["bendahara"])
    ketua = client_on(host_of(lpa_a), staff["ketua"])

    bendahara.post("/tutup-buku/", {"action": "prepare", "month": "2026-01"})
    refused = bendahara.post("/tutup-buku/", {"action": "sign", "month": "2026-01"}, follow=True)
    signed = ketua.post("/tutup-buku/", {"action": "sign", "month": "2026-01"}, follow=True)

    assert "tidak berwenang" in refused.content.decode()
    assert "Ditutup dan disahkan" in signed.content.decode()


def test_the_funds_page_lends_and_collects(lpa_a, staff):
    from django.db import connection

    from programme.ledger import accounts as acc
    from programme.ledger.models import LoanInstallment
    from programme.ledger.services import account_balance

    connection.set_tenant(lpa_a)
    policy = participant_register(data=person(), start_date=datetime.date(2026, 1, 1))
    bendahara = client_on(host_of(lpa_a), staff["bendahara"])

    bendahara.post(
        "/dana/",
        {"action": "capital", "amount": "1.000.000", "reference": "M1", "date": "2026-01-05"},
    )
    bendahara.post(
        "/dana/",
        {
            "action": "loan",
            "policy_number": policy.number,
            "purpose": "ban ojek",
            "principal": "300000",
            "fee": "15000",
            "installments": "3",
            "date": "2026-01-06",
        },
    )
    connection.set_tenant(lpa_a)
    first = LoanInstallment.objects.order_by("number").first()
    page = bendahara.post(
        "/dana/", {"action": "repay", "installment": first.pk, "date": "2026-02-06"}, follow=True
    ).content.decode()

    assert "Selesai" in page and "ban ojek" in page
    connection.set_tenant(lpa_a)
    assert account_balance(acc.LOANS_RECEIVABLE) == 200_000
    refused = bendahara.post(
        "/dana/",
        {
            "action": "loan",
            "policy_number": "AKS-X",
            "purpose": "x",
            "principal": "1",
            "installments": "1",
        },
        follow=True,
    ).content.decode()
    assert "AKS-X" in refused


def test_premium_aid_and_subsidy_over_the_api(lpa_a, staff):
    bendahara = client_on(host_of(lpa_a), staff["bendahara"])
    petugas = client_on(host_of(lpa_a), staff["petugas_lapangan"])
    body = {"amount": 374_400, "date": "2026-01-15", "reference": "BI-2026-01"}

    assert (
        petugas.post("/api/premiums/aid/", body, content_type="application/json").status_code == 403
    )
    assert (
        bendahara.post("/api/premiums/aid/", body, content_type="application/json").status_code
        == 201
    )
    bad = bendahara.post("/api/subsidies/", {**body, "amount": -5}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "amount_invalid"
    ok = bendahara.post(
        "/api/subsidies/", {**body, "reference": "SP2D-9"}, content_type="application/json"
    )
    assert ok.status_code == 201

"""The books as pages, PDF and Excel; the ledger pages through the real middleware."""

import datetime
import io
import re

import pytest
from openpyxl import load_workbook

from programme.ledger import book_output, books
from programme.ledger.models import Payout, PremiumReceipt
from programme.ledger.premiums import bank_deposit, cash_handover, savings_payout
from programme.participants.services import participant_register
from tests.conftest import client_on, host_of
from tests.programme.conftest import pdf_text, person

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
    text = pdf_text(slip.content)
    assert "1 Feb 2026" in text and "Rp 20.000" in text  # the one date format


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


# --- cells by type, balances per account, opening and closing on paper -----------------

OCT = datetime.date(2026, 10, 1)  # "Okt" in Bahasa Indonesia, "Oct" in English


@pytest.fixture
def cash_walk(in_lpa_a):
    """One receipt handed over and deposited, one still with the officer (October)."""
    from programme.ledger.premiums import premium_receipt_record

    policy = participant_register(data=person(), start_date=OCT)
    first = premium_receipt_record(
        number="K-1", policy=policy, months=4, amount=20_000, received_on=OCT.replace(day=10)
    )
    handover = cash_handover(receipts=[first], handed_by=None, actor=None, date=OCT.replace(day=12))
    bank_deposit(handover=handover, date=OCT.replace(day=14), bank_reference="BRI-7", actor=None)
    premium_receipt_record(
        number="K-2", policy=policy, months=1, amount=5_000, received_on=OCT.replace(day=20)
    )
    return policy


def test_kas_harian_keeps_a_running_balance_per_cash_account(cash_walk):
    book = books.book_get("kas-harian", OCT)

    bendahara, officers = book.sections
    assert bendahara.title == "1101 Kas Tunai Bendahara"
    assert officers.title == "1102 Kas di Petugas Lapangan"
    # debit, credit, balance: the hand-over moves each account's own balance, once.
    assert [row[3:] for row in bendahara.rows] == [[20_000, 0, 20_000], [0, 20_000, 0]]
    assert [row[3:] for row in officers.rows] == [
        [20_000, 0, 20_000],
        [0, 20_000, 0],
        [5_000, 0, 5_000],
    ]
    assert (bendahara.opening, bendahara.closing) == (0, 0)
    assert (officers.opening, officers.closing) == (0, 5_000)
    november = books.book_get("kas-harian", datetime.date(2026, 11, 1))
    assert [(s.opening, s.closing) for s in november.sections] == [(0, 0), (5_000, 5_000)]


def test_entry_numbers_and_policy_years_are_numbers_not_money(cash_walk, lpa_a, make_staff):
    from django.db import connection

    from programme.claims.services import claim_verify
    from tests.programme.claims_helpers import paying_policy, submit

    klaim = make_staff(lpa_a, "klaim")
    connection.set_tenant(lpa_a)
    claim = submit(paying_policy(serial=2), make_staff(lpa_a, "petugas_lapangan"))
    connection.set_tenant(lpa_a)
    claim_verify(claim=claim, actor=klaim)
    entry_id = books.book_get("kas-harian", OCT).rows[0][1]
    bendahara = client_on(host_of(lpa_a), make_staff(lpa_a, "bendahara"))

    cash = bendahara.get("/buku/kas-harian/", {"bulan": "2026-10"}).content.decode()
    claims = bendahara.get("/buku/klaim/", {"bulan": "2026-11"}).content.decode()

    assert re.search(rf'<td class="number"[^>]*>{entry_id}</td>', cash)
    assert f"Rp {entry_id}<" not in cash
    assert re.search(r'<td class="money"[^>]*>Rp 20.000</td>', cash) and "12 Okt 2026" in cash
    assert claim.number in claims
    assert re.search(r'<td class="number"[^>]*>1</td>', claims) and "Rp 1<" not in claims
    assert re.search(r'<td class="money"[^>]*>Rp 100.000</td>', claims)
    columns = {str(c.title): c.type for c in books.book_get("klaim", OCT).columns}
    assert columns["Tahun polis"] == books.NUMBER and columns["Jumlah"] == books.MONEY


def test_the_pdf_carries_each_accounts_opening_and_closing_balance(cash_walk):
    october = pdf_text(book_output.book_pdf(books.book_get("kas-harian", OCT), "LPA Uji A"))
    november = pdf_text(
        book_output.book_pdf(books.book_get("kas-harian", datetime.date(2026, 11, 1)), "LPA Uji A")
    )

    assert "Buku Kas Harian, Oktober 2026" in october
    assert "1102 Kas di Petugas Lapangan" in october
    assert "Saldo awal: Rp 0" in october and "Saldo akhir: Rp 5.000" in october
    assert "12 Okt 2026" in october and "Rp 20.000" in october
    assert "Saldo awal: Rp 5.000" in november and "Saldo akhir: Rp 5.000" in november
    assert "Disiapkan oleh Bendahara" in november


def test_the_spreadsheet_holds_real_numbers_and_dates_with_their_formats(cash_walk):
    sheet = load_workbook(
        io.BytesIO(book_output.book_xlsx(books.book_get("kas-harian", OCT), "LPA Uji A"))
    ).active
    rows = list(sheet.iter_rows())

    opening = next(r for r in rows if r[0].value == "Saldo awal")
    assert opening[5].value == 0 and opening[5].number_format == book_output.XLSX_FORMATS["money"]
    handover = next(r for r in rows if r[2].value and "Setoran petugas" in r[2].value)
    assert handover[0].value == datetime.datetime(2026, 10, 12)
    assert handover[0].number_format == "d mmm yyyy"
    assert isinstance(handover[1].value, int) and handover[1].number_format == "0"
    assert handover[3].value == 20_000 and handover[3].number_format.startswith('"Rp"')
    closings = [r[5].value for r in rows if r[0].value == "Saldo akhir"]
    assert closings == [0, 5_000]


def test_the_neraca_totals_each_side_and_says_that_it_balances(cash_walk, lpa_a, make_staff):
    from programme.ledger.funds import subsidy_receive

    subsidy_receive(amount=1_000_000, date=OCT.replace(day=2), reference="APBN-10")
    book = books.book_get("neraca", OCT)

    totals = dict(book.totals)
    assert totals["Jumlah aset"] == 1_025_000  # 5.000 cash, 20.000 savings, 1.000.000 reserve
    assert totals["Kewajiban"] == 25_000 and totals["Saldo dana"] == 1_000_000
    assert totals["Jumlah kewajiban, saldo dana dan surplus"] == 1_025_000
    assert book.difference == 0 and book.closing is None  # no one balance of unlike kinds
    assert book.verdict == (
        "Neraca seimbang: jumlah aset sama dengan jumlah kewajiban, saldo dana dan surplus "
        "(Rp 1.025.000)."
    )
    page = (
        client_on(host_of(lpa_a), make_staff(lpa_a, "ketua"))
        .get("/buku/neraca/", {"bulan": "2026-10"})
        .content.decode()
    )
    assert "Neraca seimbang" in page and "Jumlah aset" in page
    assert "Neraca seimbang" in pdf_text(book_output.book_pdf(book, "LPA Uji A"))


def test_a_neraca_out_of_balance_says_by_how_much():
    verdict = books.balance_verdict(assets=1_025_000, other=1_024_000)

    assert verdict == (
        "Neraca tidak seimbang: jumlah aset Rp 1.025.000, jumlah kewajiban, saldo dana dan "
        "surplus Rp 1.024.000; selisihnya Rp 1.000."
    )


def test_books_read_in_english_on_request_and_in_indonesian_by_default(cash_walk, lpa_a, staff):
    bendahara = client_on(host_of(lpa_a), staff["bendahara"])
    number = cash_walk.number

    english = bendahara.get("/buku/kas-harian/", {"bulan": "2026-10", "lang": "en"})
    pdf = pdf_text(bendahara.get("/buku/kas-harian/", {"bulan": "2026-10", "unduh": "pdf"}).content)
    xlsx = load_workbook(
        io.BytesIO(
            bendahara.get("/buku/kas-harian/", {"bulan": "2026-10", "unduh": "xlsx"}).content
        )
    ).active
    neraca = bendahara.get("/buku/neraca/", {"bulan": "2026-10"}).content.decode()
    indonesian = client_on(host_of(lpa_a), staff["bendahara"]).get(
        "/buku/kas-harian/", {"bulan": "2026-10"}
    )

    page = english.content.decode()
    assert "Daily Cash Book" in page and "Opening balance" in page and "Description" in page
    assert "1101 Bendahara&#x27;s cash" in page and "12 Oct 2026" in page
    assert f"Premium {number}, receipt K-1 (4 months)" in page
    assert "Field officer&#x27;s hand-over to the Bendahara (1 receipt)" in page
    assert "Deposit to the bank BRI-7" in page
    assert "Kas Harian" not in page and "Saldo" not in page and "Setoran" not in page
    # The language chosen with ?lang= stays for the files the page links to.
    assert "Daily Cash Book, October 2026" in pdf and "Closing balance: Rp 5.000" in pdf
    assert "Prepared by the Bendahara" in pdf and "receipt K-1 (4 months)" in pdf
    assert [c.value for c in xlsx[4]][:1] == ["1101 Bendahara's cash"]
    assert "The balance sheet balances" in neraca and "Total assets" in neraca
    page = indonesian.content.decode()
    assert "Buku Kas Harian" in page and "Uraian" in page and "12 Okt 2026" in page
    assert f"Premi {number} kuitansi K-1 (4 bln)" in page
    assert "Setoran petugas ke Bendahara (1 kuitansi)" in page


def test_another_lpa_sees_none_of_these_entries(cash_walk, lpa_b, make_staff):
    other = client_on(host_of(lpa_b), make_staff(lpa_b, "bendahara"))

    page = other.get("/buku/kas-harian/", {"bulan": "2026-10"}).content.decode()

    assert "K-1" not in page and "Rp 20.000" not in page
    assert page.count("Tidak ada transaksi bulan ini.") == 2


def test_the_book_api_gives_raw_figures_with_column_types(cash_walk, lpa_a, staff):
    bendahara = client_on(host_of(lpa_a), staff["bendahara"])

    body = bendahara.get("/api/books/kas-harian/", {"month": "2026-10"}).json()
    refused = client_on(host_of(lpa_a), staff["petugas_lapangan"]).get("/api/books/kas-harian/")

    assert body["types"] == ["date", "number", "text", "money", "money", "money"]
    assert [(s["opening"], s["closing"]) for s in body["sections"]] == [(0, 0), (0, 5_000)]
    assert body["sections"][1]["rows"][0][0] == "2026-10-10"
    assert body["closing"] == 5_000
    assert refused.status_code == 403

"""What the system writes into records (ledger descriptions, a policy's history, a
claim's checks) is kept as a code with its facts and read in the reader's language;
what people typed is shown as typed, and rows from before keep their stored text."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone, translation

from askesos.dates import format_date
from programme.claims import services
from programme.claims.checks import claim_checks_in_words
from programme.ledger.bulk import BulkReceipt, premiums_bulk_post
from programme.ledger.funds import expense_record
from programme.ledger.models import JournalEntry
from programme.ledger.notes import entry_text
from programme.ledger.premiums import (
    cash_handover,
    premium_receipt_record,
    premium_receipt_reverse,
)
from programme.participants.models import PolicyEvent
from programme.participants.services import participant_register
from tests.conftest import client_on, host_of
from tests.programme.claims_helpers import paying_policy, submit
from tests.programme.conftest import person

OCT = datetime.date(2026, 10, 12)


def in_language(code, read):
    with translation.override(code):
        return read()


@pytest.fixture
def policy(in_lpa_a):
    return participant_register(data=person(), start_date=datetime.date(2026, 10, 1))


def test_an_entry_posted_in_english_is_stored_in_indonesian_and_read_in_either(policy):
    with translation.override("en"):
        receipt = premium_receipt_record(
            number="K-7", policy=policy, months=2, amount=10_000, received_on=OCT
        )
    entry = JournalEntry.objects.get(pk=receipt.entry_id)

    assert entry.description == f"Premi {policy.number} kuitansi K-7 (2 bln)"
    assert entry.note == {
        "code": "premium_receipt",
        "params": {"policy": policy.number, "number": "K-7", "months": 2},
    }
    assert in_language("en", lambda: entry_text(entry)) == (
        f"Premium {policy.number}, receipt K-7 (2 months)"
    )
    assert in_language("id", lambda: entry_text(entry)) == entry.description


def test_a_correction_names_the_entry_it_corrects_in_the_readers_language(policy):
    receipt = premium_receipt_record(
        number="K-8", policy=policy, months=1, amount=5_000, received_on=OCT
    )

    premium_receipt_reverse(receipt=receipt, date=OCT, reason="salah ketik")
    correction = JournalEntry.objects.get(kind="reversal")

    assert in_language("en", lambda: entry_text(correction)) == (
        f"Correction: Premium {policy.number}, receipt K-8 (1 month) salah ketik"
    )
    assert in_language("id", lambda: entry_text(correction)) == (
        f"Koreksi: Premi {policy.number} kuitansi K-8 (1 bln) salah ketik"
    )


def test_text_people_typed_and_rows_from_before_notes_read_as_stored(policy):
    receipt = premium_receipt_record(
        number="K-1", policy=policy, months=1, amount=5_000, received_on=OCT
    )
    cash_handover(receipts=[receipt], handed_by=None, actor=None, date=OCT)
    expense = expense_record(amount=1_000, description="beli ATK", date=OCT, reference="E-1")
    legacy = JournalEntry(description="Premi lama kuitansi 9 (1 bln)", note=None)

    assert expense.note is None
    assert in_language("en", lambda: entry_text(expense)) == "beli ATK"
    assert in_language("en", lambda: entry_text(legacy)) == "Premi lama kuitansi 9 (1 bln)"


def test_the_policy_history_reads_in_the_readers_language(policy, lpa_a, lpa_b, make_staff):
    premium_receipt_record(number="K-9", policy=policy, months=1, amount=5_000, received_on=OCT)
    PolicyEvent.objects.create(
        policy=policy,
        from_status="active",
        to_status="active",
        effective_date=OCT,
        reason="catatan lama tanpa kode",
    )
    url = f"/peserta/{policy.participant_id}/"

    english = client_on(host_of(lpa_a), make_staff(lpa_a, "sekretaris")).get(url, {"lang": "en"})
    indonesian = client_on(host_of(lpa_a), make_staff(lpa_a, "ketua")).get(url)
    stranger = client_on(host_of(lpa_a), make_staff(lpa_b, "ketua")).get(url)

    assert "(first premium, receipt K-9)" in english.content.decode()
    assert "(premi pertama, kuitansi K-9)" in indonesian.content.decode()
    for page in (english, indonesian):
        assert "(catatan lama tanpa kode)" in page.content.decode()
    assert stranger.status_code == 403


def test_the_bulk_path_writes_the_first_premium_as_a_note(in_lpa_a):
    policies = [
        participant_register(data=person(serial=n), start_date=datetime.date(2026, 10, 1))
        for n in (1, 2)
    ]

    premiums_bulk_post(
        # a backslash and a tab must survive COPY, in the receipt and in its note
        receipts=[BulkReceipt("B\\1", policies[0].pk), BulkReceipt("B\t2", policies[1].pk)],
        received_on=OCT,
        reference="2026-10",
    )
    events = {
        e.policy_id: e for e in PolicyEvent.objects.filter(to_status="active", reason__isnull=False)
    }

    first = events[policies[0].pk]
    assert first.note == {"code": "first_premium", "params": {"number": "B\\1"}}
    assert first.reason == "premi pertama, kuitansi B\\1"
    assert in_language("en", lambda: first.reason_text) == "first premium, receipt B\\1"
    assert events[policies[1].pk].note["params"]["number"] == "B\t2"


# --- a claim's checks ----------------------------------------------------------------


@pytest.fixture
def verified_claim(in_lpa_a, make_staff):
    klaim = make_staff(in_lpa_a, "klaim")
    connection.set_tenant(in_lpa_a)
    claim = submit(paying_policy(), make_staff(in_lpa_a, "petugas_lapangan"))
    with translation.override("en"):  # verified by someone reading English
        return services.claim_verify(claim=claim, actor=klaim)


def test_checks_verified_in_one_language_read_in_the_other(verified_claim, lpa_a, make_staff):
    url = f"/klaim/{verified_claim.pk}/"
    english = client_on(host_of(lpa_a), make_staff(lpa_a, "klaim")).get(url, {"lang": "en"})
    indonesian = client_on(host_of(lpa_a), make_staff(lpa_a, "ketua")).get(url)

    page = english.content.decode()
    assert "Within the coverage, 1 Jan 2024 to 1 Jan 2027." in page
    assert "Premiums paid up to date (receipts KW-0001)." in page
    assert "All required documents are attached." in page
    assert "Dalam masa pertanggungan" not in page
    # The history dates its steps the one way: 22 Nov 2026 14:05.
    today = in_language("en", lambda: format_date(timezone.localdate()))
    assert f"<li>{today} " in page and "verified" in page
    page = indonesian.content.decode()
    assert "Dalam masa pertanggungan, 1 Jan 2024 sampai 1 Jan 2027." in page
    assert "Within the coverage" not in page


def test_a_refused_check_reads_in_the_readers_language(in_lpa_a, make_staff):
    claim = submit(
        paying_policy(), make_staff(in_lpa_a, "petugas_lapangan"), documents=[]
    )  # no documents: the soft check fails

    def documents_check():
        shown = services.claim_checks_shown(claim)
        return next(c["message"] for c in shown if c["code"] == "documents")

    assert in_language("en", documents_check) == (
        "Documents missing: Signed claim form, Doctor's or hospital letter."
    )
    assert in_language("id", documents_check).startswith("Dokumen belum lengkap")


def test_checks_stored_before_notes_keep_their_text():
    stored = [{"code": "coverage", "passed": True, "message": "Dalam masa pertanggungan."}]

    assert in_language("en", lambda: claim_checks_in_words(stored))[0]["message"] == (
        "Dalam masa pertanggungan."
    )


def test_another_lpas_staff_cannot_open_the_claim(verified_claim, lpa_a, lpa_b, make_staff):
    stranger = client_on(host_of(lpa_a), make_staff(lpa_b, "klaim"))

    assert stranger.get(f"/klaim/{verified_claim.pk}/").status_code == 403

"""A batch through the fake bank (a real process): sent once, confirmed, failed and
returned by the bank's rules, posted into each LPA's books once; a confirmations file
with lines that cannot be used is kept with its report and the good lines still count."""

from __future__ import annotations

import datetime
import json
import urllib.request

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from askesos.dates import today
from programme.bank.base import Confirmation
from programme.bank.fakebank import fake_bank_process
from programme.bank.formats import confirmations_csv_write
from programme.ledger import accounts as acc
from programme.ledger.models import JournalEntry, Period, PeriodStatus
from programme.ledger.services import account_balance
from programme.subsidies.batches import (
    batch_approve,
    batch_build,
    batch_send,
    confirmation_file_apply,
    confirmations_import,
    transfers_post_here,
)
from programme.subsidies.models import BankFile, BatchState, TransferState
from tests.programme.subsidy_helpers import allocated, officers, share_for


@pytest.fixture
def bank(tmp_path, settings):
    with fake_bank_process(port=0, data_dir=tmp_path / "bank") as url:
        settings.BANK_FAKE_URL = url
        yield url


def rule(bank: str, **body) -> None:
    request = urllib.request.Request(
        f"{bank}/rules",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=10).close()


@pytest.fixture
def sent(make_government_user, lpa_a, lpa_b, bank):
    """A batch of three tranches (two to A, one to B), approved and sent; the bank
    returns B's (account closed) and fails A's second."""
    ministry, maker, checker = officers(make_government_user)
    share = share_for(ministry)
    to_a = allocated(share, lpa_a, maker, 3_000_000)
    to_b = allocated(share, lpa_b, maker, 2_000_000)
    batch = batch_build(
        province=share.province,
        tranches=[(to_a, 1_000_000), (to_a, 500_000), (to_b, None)],
        execution_date=today(),
        actor=maker,
    )
    batch_approve(batch=batch, actor=checker)
    first, second, third = batch.transfers.order_by("pk")
    rule(bank, reference=second.reference, outcome="failed", reason="Format rekening salah")
    rule(bank, account="9000021201", outcome="returned", reason="Rekening ditutup")
    batch_send(batch_id=batch.pk)
    return batch, (first, second, third)


def test_the_bank_confirms_fails_and_returns_and_only_the_confirmed_is_posted(sent, lpa_a, lpa_b):
    batch, (first, second, third) = sent
    batch.refresh_from_db()
    assert batch.state == BatchState.SENT
    assert BankFile.objects.get(batch=batch).lines == 3

    files = confirmations_import()

    assert len(files) == 1 and files[0].used == 3 and files[0].problems == []
    first.refresh_from_db(), second.refresh_from_db(), third.refresh_from_db()
    assert first.state == TransferState.CONFIRMED and first.bank_reference
    assert (second.state, second.reason) == (TransferState.FAILED, "Format rekening salah")
    assert (third.state, third.reason) == (TransferState.RETURNED, "Rekening ditutup")
    with schema_context(lpa_a.schema_name):
        assert transfers_post_here() == {"posted": 1, "not_posted": 0}
        assert transfers_post_here() == {"posted": 0, "not_posted": 0}  # twice: once
        assert account_balance(acc.BANK_RESERVE) == 1_000_000
        entry = JournalEntry.objects.get(source_key=f"transfer:{first.pk}")
        assert first.reference in entry.description
    with schema_context(lpa_b.schema_name):
        assert account_balance(acc.BANK_RESERVE) == 0
    first.refresh_from_db()
    batch.refresh_from_db()
    assert (first.state, first.entry_id) == (TransferState.POSTED, entry.pk)
    assert batch.state == BatchState.DONE
    assert [e.to_state for e in first.events.all()] == [
        "planned",
        "approved",
        "sent",
        "confirmed",
        "posted",
    ]
    # Sending again changes nothing: the batch is no longer approved.
    assert batch_send(batch_id=batch.pk).state == BatchState.DONE


def test_a_confirmations_file_with_bad_lines_keeps_its_report_and_applies_the_rest(sent):
    batch, (first, second, third) = sent
    confirmations_import()  # the bank's own file: first confirmed, the others final
    content = confirmations_csv_write(
        [
            Confirmation(2, "ASKTRF999999999", "confirmed", "BR1", today(), 5, ""),
            Confirmation(3, second.reference, "confirmed", "BR2", today(), 500_000, ""),
            Confirmation(4, first.reference, "confirmed", "BR3", today(), 1_000_000, ""),
        ]
    )

    report = confirmation_file_apply(name="konfirmasi-ulang.csv", content=content)

    assert report.used == 0
    assert [(p["line"], p["code"]) for p in report.problems] == [
        (2, "transfer_unknown"),
        (3, "transfer_final"),
    ]  # line 4 says what is already so: nothing to do, no problem
    second.refresh_from_db()
    assert second.state == TransferState.FAILED
    assert confirmation_file_apply(name="lagi.csv", content=content) == report  # same file


def test_an_amount_other_than_ours_is_not_confirmed(sent):
    batch, (first, *_rest) = sent
    content = confirmations_csv_write(
        [Confirmation(2, first.reference, "confirmed", "BR9", today(), 999_999, "")]
    )

    report = confirmation_file_apply(name="salah.csv", content=content)

    assert [p["code"] for p in report.problems] == ["amount_mismatch"]
    first.refresh_from_db()
    assert first.state == TransferState.SENT


def test_a_closed_month_keeps_the_transfer_confirmed_with_the_reason_shown(sent, lpa_a):
    batch, (first, *_rest) = sent
    confirmations_import()
    first.refresh_from_db()
    month = first.value_date.replace(day=1)
    with schema_context(lpa_a.schema_name):
        Period.objects.create(month=month, status=PeriodStatus.PREPARED)
        assert transfers_post_here() == {"posted": 0, "not_posted": 1}
    first.refresh_from_db()
    assert first.state == TransferState.CONFIRMED and first.post_error
    connection.set_schema_to_public()
    assert month <= today() and isinstance(month, datetime.date)

"""Premiums from the field to the bank, arrears and lapse, savings paid back.
The worked examples of DOMAIN.md are here as tests."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from askesos.errors import DomainError
from programme.ledger import accounts as acc
from programme.ledger.errors import LedgerError
from programme.ledger.models import Payout, PremiumReceipt
from programme.ledger.premiums import (
    ReceiptRow,
    arrears_run,
    bank_deposit,
    cash_handover,
    paid_months,
    participant_savings,
    policies_near_lapse,
    premium_receipt_record,
    premium_receipts_batch,
    savings_payout,
)
from programme.ledger.services import account_balance
from programme.participants.errors import ParticipantError
from programme.participants.lifecycle import policy_transition
from programme.participants.models import PolicyStatus
from programme.participants.services import participant_register
from tests.programme.conftest import person

START = datetime.date(2026, 1, 1)


@pytest.fixture
def policy(in_lpa_a):
    return participant_register(data=person(), start_date=START)


def pay(policy, number, months=1, on=START):
    return premium_receipt_record(
        number=number, policy=policy, months=months, amount=5000 * months, received_on=on
    )


def bank_everything(on):
    """The Bendahara receives every receipt and deposits it: payouts come from the bank."""
    waiting = list(PremiumReceipt.objects.filter(status="collected"))
    handover = cash_handover(receipts=waiting, handed_by=None, actor=None, date=on)
    bank_deposit(handover=handover, date=on, bank_reference="setor", actor=None)


def test_a_participant_paying_36_months_gets_rp_180000_back(in_lpa_a):
    # A policy whose three years are over by now: money is never dated in the future.
    start = datetime.date(2023, 1, 1)
    policy = participant_register(data=person(), start_date=start)
    for month in range(36):
        pay(policy, f"K-{month:03d}", on=start + relativedelta(months=month, days=5))
    bank_everything(datetime.date(2025, 12, 20))

    payout = savings_payout(
        policy=policy, reason=Payout.Reason.MATURITY, paid_on=datetime.date(2026, 1, 2)
    )

    assert payout.amount == 180_000
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.MATURED
    assert participant_savings(policy.participant_id) == 0


def test_one_missing_three_consecutive_months_lapses(policy):
    pay(policy, "K-1", months=4)  # January to April paid

    # May, June and July unpaid: on 1 August three months have fully passed unpaid.
    assert arrears_run(on=datetime.date(2026, 7, 31)).lapsed == []
    assert [p.number for p in policies_near_lapse(on=datetime.date(2026, 7, 31))] == [policy.number]
    report = arrears_run(on=datetime.date(2026, 8, 1))

    assert report.lapsed == [policy.number]
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.LAPSED
    assert policy.events.last().reason == "3 bulan tidak membayar premi"
    assert arrears_run(on=datetime.date(2026, 8, 1)).lapsed == []  # safe to run twice


def test_paying_in_advance_counts_months_ahead(policy):
    pay(policy, "K-1", months=12)

    assert paid_months(policy) == 12
    assert arrears_run(on=datetime.date(2027, 3, 31)).lapsed == []
    assert arrears_run(on=datetime.date(2027, 4, 1)).lapsed == [policy.number]


def test_the_first_premium_activates_the_policy(policy):
    pay(policy, "K-1")

    policy.refresh_from_db()
    assert policy.status == PolicyStatus.ACTIVE


def test_premiums_go_from_officer_to_bendahara_to_bank(policy, make_staff, lpa_a):
    petugas = make_staff(lpa_a, "petugas_lapangan")
    bendahara = make_staff(lpa_a, "bendahara")
    from django.db import connection

    connection.set_tenant(lpa_a)
    receipts = [pay(policy, "K-1", months=2), pay(policy, "K-2", months=3)]
    assert account_balance(acc.CASH_OFFICERS) == 25_000

    handover = cash_handover(
        receipts=receipts, handed_by=petugas, actor=bendahara, date=datetime.date(2026, 1, 6)
    )
    assert (account_balance(acc.CASH_OFFICERS), account_balance(acc.CASH)) == (0, 25_000)

    bank_deposit(
        handover=handover, date=datetime.date(2026, 1, 7), bank_reference="BRI-123", actor=bendahara
    )
    assert (account_balance(acc.CASH), account_balance(acc.BANK_SAVINGS)) == (0, 25_000)
    assert account_balance(acc.PREMIUM_SAVINGS) == -25_000  # owed to the participant
    assert set(PremiumReceipt.objects.values_list("status", flat=True)) == {"deposited"}
    with pytest.raises(LedgerError) as refused:
        cash_handover(receipts=receipts, handed_by=petugas, actor=bendahara, date=START)
    assert refused.value.code == "receipt_not_collected"


def test_withdrawal_pays_back_what_was_paid_so_far(policy):
    pay(policy, "K-1", months=7)
    bank_everything(datetime.date(2026, 5, 1))

    payout = savings_payout(
        policy=policy,
        reason=Payout.Reason.WITHDRAWAL,
        paid_on=datetime.date(2026, 5, 2),
        withdrawal_request="surat permohonan 2 Mei 2026",
    )

    assert payout.amount == 35_000
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.WITHDRAWN


def test_savings_are_not_paid_from_cash_still_with_the_officer(policy):
    pay(policy, "K-1", months=7)

    with pytest.raises(LedgerError) as refused:
        savings_payout(
            policy=policy,
            reason=Payout.Reason.WITHDRAWAL,
            paid_on=datetime.date(2026, 5, 2),
            withdrawal_request="surat",
        )

    assert refused.value.code == "insufficient_funds"
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.ACTIVE  # nothing changed


def test_maturity_is_not_paid_before_the_end_of_coverage(policy):
    pay(policy, "K-1")

    with pytest.raises(LedgerError) as refused:
        savings_payout(policy=policy, reason=Payout.Reason.MATURITY, paid_on=timezone.localdate())

    assert refused.value.code == "payout_not_due"


def test_savings_are_paid_out_once(policy):
    pay(policy, "K-1")
    bank_everything(datetime.date(2026, 1, 20))
    savings_payout(
        policy=policy,
        reason=Payout.Reason.WITHDRAWAL,
        paid_on=datetime.date(2026, 2, 1),
        withdrawal_request="surat",
    )

    with pytest.raises(LedgerError) as refused:
        savings_payout(
            policy=policy, reason=Payout.Reason.WITHDRAWAL, paid_on=datetime.date(2026, 2, 1)
        )

    assert refused.value.code == "payout_done"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"number": "K-1"}, "receipt_number_taken"),
        ({"amount": 4000}, "receipt_amount_mismatch"),
        ({"amount": -5000}, "amount_invalid"),
        ({"amount": 5000.0}, "amount_invalid"),
        ({"months": 0, "amount": 5000}, "amount_invalid"),
        ({"months": 36, "amount": 180_000}, "receipt_beyond_coverage"),
    ],
)
def test_bad_receipts_are_refused_with_the_reason(policy, change, code):
    pay(policy, "K-1")
    values = {
        "number": "K-2",
        "policy": policy,
        "months": 1,
        "amount": 5000,
        "received_on": START,
        **change,
    }

    with pytest.raises(DomainError) as refused:  # LedgerError, or MoneyError for amounts
        premium_receipt_record(**values)

    assert refused.value.code == code
    assert PremiumReceipt.objects.count() == 1


def test_no_receipt_for_a_lapsed_policy(policy):
    pay(policy, "K-1")
    policy_transition(policy=policy, to_status="lapsed")

    with pytest.raises(LedgerError) as refused:
        pay(policy, "K-2")

    assert refused.value.code == "receipt_policy_closed"
    assert "gugur" in refused.value.message


def test_the_meeting_batch_keeps_good_rows_when_one_is_bad(in_lpa_a):
    policies = [
        participant_register(data=person(serial=n, name=f"Peserta {n}"), start_date=START)
        for n in range(1, 4)
    ]
    rows = [ReceiptRow(f"R-{n}", p.number, 1, 5000) for n, p in enumerate(policies)]
    rows.insert(1, ReceiptRow("R-X", "AKS-TIDAK-ADA", 1, 5000))
    rows.append(ReceiptRow("R-0", policies[0].number, 1, 5000))  # duplicate number

    result = premium_receipts_batch(rows=rows, received_on=START)

    assert len(result.recorded) == 3
    assert [index for index, _message in result.errors] == [1, 4]
    assert "AKS-TIDAK-ADA" in result.errors[0][1]


def test_participant_errors_are_still_participant_errors(policy):
    with pytest.raises(ParticipantError):
        policy_transition(policy=policy, to_status="withdrawn")

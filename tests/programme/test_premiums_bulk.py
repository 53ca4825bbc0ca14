import datetime

import pytest

from programme.ledger import accounts as acc
from programme.ledger.bulk import BulkReceipt, premiums_bulk_post
from programme.ledger.errors import LedgerError
from programme.ledger.models import PremiumReceipt
from programme.ledger.premiums import participant_savings
from programme.ledger.services import account_balance
from programme.participants.lifecycle import policy_transition
from programme.participants.models import PolicyEvent, PolicyStatus
from programme.participants.services import participant_register
from tests.programme.conftest import person

DAY = datetime.date(2026, 2, 10)


@pytest.fixture
def policies(in_lpa_a):
    return [
        participant_register(
            data=person(serial=n, name=f"P {n}"), start_date=datetime.date(2026, 1, 1)
        )
        for n in range(1, 6)
    ]


def test_a_month_of_premiums_in_one_batch(policies):
    entry = premiums_bulk_post(
        receipts=[BulkReceipt(f"B-{p.pk}", p.pk, months=2) for p in policies],
        received_on=DAY,
        reference="2026-02",
    )

    assert entry.lines.count() == 6  # one cash line, one savings line per participant
    assert account_balance(acc.CASH_OFFICERS) == 5 * 10_000
    assert all(participant_savings(p.participant_id) == 10_000 for p in policies)
    assert PremiumReceipt.objects.filter(entry=entry).count() == 5
    for policy in policies:
        policy.refresh_from_db()
        assert policy.status == PolicyStatus.ACTIVE
    assert PolicyEvent.objects.filter(to_status="active").count() == 5


def test_one_closed_policy_refuses_the_whole_batch(policies):
    policy_transition(policy=policies[2], to_status="withdrawn", reason="surat")

    with pytest.raises(LedgerError) as refused:
        premiums_bulk_post(
            receipts=[BulkReceipt(f"B-{p.pk}", p.pk) for p in policies],
            received_on=DAY,
            reference="2026-02",
        )

    assert refused.value.code == "receipt_policy_closed"
    assert PremiumReceipt.objects.count() == 0
    assert account_balance(acc.CASH_OFFICERS) == 0


def test_the_same_batch_twice_is_refused_by_receipt_number(policies):
    receipts = [BulkReceipt(f"B-{p.pk}", p.pk) for p in policies]
    premiums_bulk_post(receipts=receipts, received_on=DAY, reference="2026-02")

    with pytest.raises(LedgerError) as refused:
        premiums_bulk_post(receipts=receipts, received_on=DAY, reference="2026-02-again")

    assert refused.value.code == "receipt_number_taken"

import datetime

import pytest

from programme.ledger import accounts as acc
from programme.ledger.errors import LedgerError
from programme.ledger.funds import (
    grant_receive,
    grant_spend,
    loan_disburse,
    loan_repay,
    loans_in_arrears,
    revolving_capital_add,
)
from programme.ledger.services import account_balance
from programme.participants.services import participant_register
from tests.programme.conftest import person

DAY = datetime.date(2026, 2, 1)


@pytest.fixture
def participant(in_lpa_a):
    return participant_register(data=person(), start_date=DAY).participant


def test_a_bridging_loan_is_repaid_with_its_fee_going_to_operations(participant):
    revolving_capital_add(amount=1_000_000, date=DAY, reference="modal-awal")

    loan = loan_disburse(
        participant=participant,
        principal=250_000,
        fee=10_000,
        installments=3,
        purpose="ban motor ojek",
        date=DAY,
    )

    schedule = list(loan.schedule.all())
    assert [i.principal for i in schedule] == [83_334, 83_333, 83_333]
    assert [i.fee for i in schedule] == [3_334, 3_333, 3_333]
    assert [i.due_on for i in schedule] == [
        datetime.date(2026, 3, 1),
        datetime.date(2026, 4, 1),
        datetime.date(2026, 5, 1),
    ]
    for installment in schedule:
        loan_repay(installment=installment, date=installment.due_on)
    assert account_balance(acc.LOANS_RECEIVABLE) == 0
    assert account_balance(acc.LOAN_INCOME) == -10_000
    assert account_balance(acc.BANK_REVOLVING) == 1_010_000


def test_overdue_installments_are_listed(participant):
    revolving_capital_add(amount=500_000, date=DAY, reference="modal")
    loan_disburse(
        participant=participant,
        principal=100_000,
        fee=0,
        installments=2,
        purpose="modal dagang",
        date=DAY,
    )

    overdue = loans_in_arrears(on=datetime.date(2026, 4, 15))

    assert [i.number for i in overdue] == [1, 2]


def test_no_loan_beyond_the_revolving_fund(participant):
    revolving_capital_add(amount=100_000, date=DAY, reference="modal")

    with pytest.raises(LedgerError) as refused:
        loan_disburse(
            participant=participant, principal=100_001, fee=0, installments=1, purpose="x", date=DAY
        )

    assert refused.value.code == "insufficient_funds"


def test_grants_are_received_and_spent_within_their_amount(in_lpa_a):
    grant = grant_receive(
        donor="Yayasan Donor",
        purpose="pelatihan kader",
        amount=2_000_000,
        date=DAY,
        reference="H-1",
    )
    grant_spend(grant=grant, amount=1_500_000, description="pelatihan", date=DAY, reference="H-1-a")

    with pytest.raises(LedgerError):
        grant_spend(grant=grant, amount=600_000, description="lagi", date=DAY, reference="H-1-b")
    assert account_balance(acc.BANK_GRANTS) == 500_000


def test_subsidy_and_premium_aid_are_sources_of_their_own(in_lpa_a):
    from programme.ledger.funds import subsidy_receive
    from programme.ledger.premiums import premium_aid_record

    subsidy_receive(amount=25_000_000, date=DAY, reference="SP2D-001")
    subsidy_receive(amount=25_000_000, date=DAY, reference="SP2D-001")  # retried: once
    premium_aid_record(amount=10_400 * 12 * 3, date=DAY, reference="BI-2026-01")

    assert account_balance(acc.BANK_RESERVE) == 25_000_000
    assert account_balance(acc.RESERVE_FUND) == -25_000_000
    assert account_balance(acc.PREMIUM_AID) == -374_400


def test_a_grant_needs_its_donor_purpose_and_reference(in_lpa_a):

    for missing in ("donor", "purpose", "reference"):
        values = {"donor": "Yayasan Donor", "purpose": "alat kantor", "reference": "H-7"}
        values[missing] = "  "
        with pytest.raises(LedgerError) as refused:
            grant_receive(amount=100_000, date=datetime.date(2026, 3, 2), **values)
        assert (refused.value.code, refused.value.field) == ("field_required", missing)


def test_a_reference_typed_twice_for_other_money_is_refused_not_dropped(in_lpa_a):

    day = datetime.date(2026, 3, 2)
    first = grant_receive(donor="A", purpose="x", amount=100_000, date=day, reference="H-8")
    again = grant_receive(donor="A", purpose="x", amount=100_000, date=day, reference="H-8")
    assert again.pk == first.pk  # the same form sent twice: recorded once

    with pytest.raises(LedgerError) as refused:
        grant_receive(donor="B", purpose="y", amount=250_000, date=day, reference="H-8")
    assert (refused.value.code, refused.value.field) == ("source_taken", "reference")
    assert account_balance(acc.BANK_GRANTS) == 100_000


def test_the_funds_page_asks_for_figures_and_keeps_what_was_typed(lpa_a, make_staff):
    from tests.conftest import client_on, host_of

    client = client_on(host_of(lpa_a), make_staff(lpa_a, "bendahara"))
    response = client.post(
        "/dana/",
        {
            "action": "grant",
            "donor": "Yayasan Donor",
            "purpose": "alat kantor",
            "amount": "lima ratus ribu",
            "reference": "H-9",
            "date": "2026-03-02",
        },
    )

    page = response.content.decode()
    assert response.status_code == 400 and 'id="amount-error"' in page
    assert "angka" in page and 'value="Yayasan Donor"' in page

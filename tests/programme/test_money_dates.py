"""Money is never dated after today (Asia/Jakarta) nor before the programme, and each
step of a flow is dated on or after the step before it: refused by the services at the
field, and for ledger entries by PostgreSQL too."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from askesos.dates import DateError, today
from programme.claims import payments, services
from programme.claims.models import ClaimStatus, PaymentRequest
from programme.ledger import accounts as acc
from programme.ledger.errors import LedgerError
from programme.ledger.funds import (
    grant_receive,
    grant_spend,
    loan_disburse,
    loan_repay,
    subsidy_receive,
)
from programme.ledger.models import JournalEntry, PremiumReceipt
from programme.ledger.premiums import (
    bank_deposit,
    cash_handover,
    premium_receipt_record,
    savings_payout,
)
from programme.ledger.services import (
    Line,
    account_balance,
    entry_post,
    entry_reverse,
    period_prepare,
)
from programme.participants.errors import ParticipantError
from programme.participants.models import PolicyStatus
from programme.participants.services import participant_register
from tests.programme.claims_helpers import approved_on, fund_reserve, paying_policy, submit
from tests.programme.conftest import person

START = datetime.date(2026, 1, 5)


def tomorrow() -> datetime.date:
    return today() + datetime.timedelta(days=1)


@pytest.fixture
def policy(in_lpa_a):
    return participant_register(data=person(), start_date=START)


def test_today_is_todays_date_in_jakarta():
    assert today() == timezone.localtime(timezone.now()).date()
    assert str(timezone.get_current_timezone()) == "Asia/Jakarta"


# --- PostgreSQL -------------------------------------------------------------------------


def _raw_entry(day: datetime.date) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_journalentry (date, kind, source_key, description, created_at) "
            "VALUES (%s, 'expense', %s, 'x', now())",
            [day, f"raw:{day}"],
        )


def test_postgresql_refuses_a_ledger_entry_dated_tomorrow_in_jakarta(in_lpa_a):
    with pytest.raises(IntegrityError, match="after today"):
        _raw_entry(tomorrow())
    _raw_entry(today())  # today itself is fine


def test_postgresql_refuses_a_ledger_entry_dated_before_the_programme(in_lpa_a):
    with pytest.raises(IntegrityError, match="before the programme"):
        _raw_entry(datetime.date(2002, 12, 31))
    with pytest.raises(IntegrityError, match="before the programme"):
        _raw_entry(datetime.date(1, 1, 1))


def test_the_posting_service_refuses_the_future_before_postgresql_does(in_lpa_a):
    with pytest.raises(DateError) as refused:
        entry_post(
            date=tomorrow(),
            kind="expense",
            source_key="future",
            description="x",
            lines=[Line(acc.OPERATING_EXPENSE, 100), Line(acc.CASH, -100)],
        )
    assert refused.value.code == "date_future" and refused.value.field == "date"
    assert "tidak boleh sesudah hari ini" in refused.value.message
    assert not JournalEntry.objects.filter(source_key="future").exists()


# --- premiums ---------------------------------------------------------------------------


def test_a_receipt_dated_next_year_is_refused_and_does_not_activate_the_policy(policy):
    with pytest.raises(DateError) as refused:
        premium_receipt_record(
            number="KW-2027",
            policy=policy,
            months=1,
            amount=5000,
            received_on=datetime.date(2027, 1, 15),
        )

    assert refused.value.field == "received_on"
    assert refused.value.message.startswith("Tanggal diterima tidak boleh sesudah hari ini")
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.REGISTERED
    assert not PremiumReceipt.objects.exists() and not JournalEntry.objects.exists()


def test_a_receipt_before_the_policy_started_is_refused(policy):
    with pytest.raises(DateError) as refused:
        premium_receipt_record(
            number="KW-1", policy=policy, months=1, amount=5000, received_on=START.replace(day=1)
        )
    assert refused.value.code == "date_before_step" and refused.value.field == "received_on"
    assert policy.number in refused.value.message


def _collected(policy, number="KW-1", on=START):
    return premium_receipt_record(
        number=number, policy=policy, months=1, amount=5000, received_on=on
    )


def test_a_hand_over_before_the_receipt_and_a_deposit_before_the_hand_over_are_refused(policy):
    receipt = _collected(policy, on=datetime.date(2026, 2, 10))
    with pytest.raises(DateError) as early:
        cash_handover(
            receipts=[receipt], handed_by=None, actor=None, date=datetime.date(2026, 2, 9)
        )
    assert early.value.code == "date_before_step" and receipt.number in early.value.message

    handover = cash_handover(
        receipts=[receipt], handed_by=None, actor=None, date=datetime.date(2026, 2, 11)
    )
    with pytest.raises(DateError) as before:
        bank_deposit(
            handover=handover, date=datetime.date(2026, 2, 10), bank_reference="S-1", actor=None
        )
    assert before.value.code == "date_before_step"


def test_a_bank_deposit_dated_next_february_is_refused(policy):
    handover = cash_handover(receipts=[_collected(policy)], handed_by=None, actor=None, date=START)
    with pytest.raises(DateError) as refused:
        bank_deposit(
            handover=handover, date=datetime.date(2027, 2, 1), bank_reference="S-1", actor=None
        )
    assert refused.value.code == "date_future" and refused.value.field == "date"
    handover.refresh_from_db()
    assert handover.deposit_entry_id is None
    assert account_balance(acc.BANK_SAVINGS) == 0


def test_a_deposit_needs_the_banks_reference(policy):
    handover = cash_handover(receipts=[_collected(policy)], handed_by=None, actor=None, date=START)
    with pytest.raises(LedgerError) as refused:
        bank_deposit(handover=handover, date=START, bank_reference="  ", actor=None)
    assert refused.value.code == "reference_required" and refused.value.field == "bank_reference"


def test_a_savings_payout_in_the_future_is_refused(policy):
    _collected(policy)
    with pytest.raises(DateError) as refused:
        savings_payout(policy=policy, reason="withdrawal", paid_on=tomorrow())
    assert refused.value.field == "paid_on"
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.ACTIVE


def test_a_payout_needs_a_known_reason(policy):
    with pytest.raises(LedgerError) as refused:
        savings_payout(policy=policy, reason="", paid_on=today())
    assert refused.value.field == "reason"


# --- other funds ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "record",
    [
        lambda day: subsidy_receive(amount=100_000, date=day, reference="APBN-X"),
        lambda day: grant_receive(
            donor="Donor", purpose="x", amount=100_000, date=day, reference="H-X"
        ),
    ],
    ids=["subsidy", "grant"],
)
def test_money_from_outside_is_not_dated_in_the_future(in_lpa_a, record):
    with pytest.raises(DateError) as refused:
        record(tomorrow())
    assert refused.value.code == "date_future" and refused.value.field == "date"
    assert not JournalEntry.objects.exists()


def test_steps_of_loans_and_grants_follow_each_other(policy):
    grant = grant_receive(
        donor="Donor", purpose="x", amount=500_000, date=datetime.date(2026, 3, 2), reference="H1"
    )
    with pytest.raises(DateError) as spent_early:
        grant_spend(
            grant=grant,
            amount=1000,
            description="alat tulis",
            date=datetime.date(2026, 3, 1),
            reference="G1",
        )
    assert spent_early.value.code == "date_before_step"

    from programme.ledger.funds import revolving_capital_add

    revolving_capital_add(amount=500_000, date=datetime.date(2026, 3, 2), reference="M1")
    loan = loan_disburse(
        participant=policy.participant,
        principal=300_000,
        fee=0,
        installments=3,
        purpose="ban",
        date=datetime.date(2026, 3, 10),
    )
    with pytest.raises(DateError) as repaid_early:
        loan_repay(installment=loan.schedule.first(), date=datetime.date(2026, 3, 9))
    assert repaid_early.value.code == "date_before_step"
    with pytest.raises(DateError):
        loan_repay(installment=loan.schedule.first(), date=tomorrow())


def test_a_correction_is_not_dated_before_the_entry_it_corrects(policy):
    receipt = _collected(policy, on=datetime.date(2026, 2, 10))
    with pytest.raises(DateError) as refused:
        entry_reverse(entry=receipt.entry, date=datetime.date(2026, 2, 9), reason="salah ketik")
    assert refused.value.code == "date_before_step"


def test_a_month_is_closed_only_once_it_is_over(in_lpa_a, make_staff):
    bendahara = make_staff(in_lpa_a, "bendahara")
    with pytest.raises(DateError) as this_month:
        period_prepare(month=today(), actor=bendahara)
    assert this_month.value.code == "month_not_over"
    with pytest.raises(DateError) as future:
        period_prepare(month=today().replace(day=1) + datetime.timedelta(days=40), actor=bendahara)
    assert future.value.code == "month_future"
    with pytest.raises(DateError) as ancient:
        period_prepare(month=datetime.date(436, 10, 1), actor=bendahara)
    assert ancient.value.code == "date_before_programme"


# --- claims and payment requests ---------------------------------------------------------


@pytest.fixture
def approved(team):
    policy = paying_policy()
    fund_reserve()
    claim = submit(policy, team.officer)
    services.claim_verify(claim=claim, actor=team.klaim)
    request = payments.payment_request_create(claims=[claim], actor=team.klaim)
    return payments.payment_request_approve(request=request, actor=team.ketua)


def test_a_request_approved_today_cannot_be_paid_on_an_earlier_day(approved, team):
    with pytest.raises(DateError) as refused:
        payments.payment_request_pay(
            request=approved,
            paid_on=datetime.date(2023, 2, 1),
            actor=team.bendahara,
            reference="TRF-1",
        )
    assert refused.value.code == "date_before_step" and refused.value.field == "paid_on"
    assert "persetujuan Ketua" in refused.value.message
    approved.refresh_from_db()
    assert approved.status == PaymentRequest.Status.APPROVED
    assert account_balance(acc.CLAIMS_EXPENSE) == 0


def test_payment_is_not_dated_in_the_future_and_needs_the_banks_reference(approved, team):
    with pytest.raises(DateError):
        payments.payment_request_pay(
            request=approved, paid_on=tomorrow(), actor=team.bendahara, reference="TRF-1"
        )
    from programme.claims.errors import ClaimError

    with pytest.raises(ClaimError) as no_reference:
        payments.payment_request_pay(
            request=approved, paid_on=today(), actor=team.bendahara, reference=" "
        )
    assert no_reference.value.field == "reference"

    paid = payments.payment_request_pay(
        request=approved, paid_on=today(), actor=team.bendahara, reference="TRF-1"
    )
    assert paid.status == PaymentRequest.Status.PAID and paid.approved_on == today()


def test_the_database_refuses_a_payment_dated_before_its_approval(approved, team):
    approved_on(approved, datetime.date(2026, 3, 8))
    with pytest.raises(IntegrityError, match="payment_paid_after_approval"), transaction.atomic():
        PaymentRequest.objects.filter(pk=approved.pk).update(
            paid_by=team.bendahara, paid_on=datetime.date(2026, 3, 7), status="paid"
        )


def test_the_ketua_refuses_a_request_and_its_claims_go_back_to_urusan_klaim(team):
    policy = paying_policy()
    claim = submit(policy, team.officer)
    services.claim_verify(claim=claim, actor=team.klaim)
    request = payments.payment_request_create(claims=[claim], actor=team.klaim)

    from programme.claims.errors import ClaimError

    with pytest.raises(ClaimError) as no_reason:
        payments.payment_request_refuse(request=request, reason=" ", actor=team.ketua)
    assert no_reason.value.field == "reason"
    refused = payments.payment_request_refuse(
        request=request, reason="Surat dokter tidak terbaca", actor=team.ketua
    )

    assert refused.status == PaymentRequest.Status.REFUSED
    assert refused.refused_claims == [claim.pk]
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.VERIFIED and claim.payment_request is None
    last = claim.events.last()
    assert last.action == "refuse" and "Surat dokter tidak terbaca" in last.note
    with pytest.raises(ClaimError) as again:
        payments.payment_request_approve(request=refused, actor=team.ketua)
    assert again.value.code == "request_state"
    # Urusan Klaim can put the claim into a new request.
    second = payments.payment_request_create(claims=[claim], actor=team.klaim)
    assert second.status == PaymentRequest.Status.OPEN


def test_only_the_ketua_refuses(team):
    from askesos.permissions import AccessDenied

    policy = paying_policy()
    claim = submit(policy, team.officer)
    services.claim_verify(claim=claim, actor=team.klaim)
    request = payments.payment_request_create(claims=[claim], actor=team.klaim)
    with pytest.raises(AccessDenied):
        payments.payment_request_refuse(request=request, reason="x", actor=team.bendahara)


# --- registration -----------------------------------------------------------------------


def test_a_birth_date_in_the_future_is_named_at_the_field(in_lpa_a):
    with pytest.raises(ParticipantError) as refused:
        participant_register(data=person(birth_date=tomorrow()))
    assert refused.value.code == "birth_date_future" and refused.value.field == "birth_date"
    assert "Usia" not in refused.value.message
    assert "masa depan" in refused.value.message


# --- the pages: refused at the field, what was typed kept --------------------------------


def test_the_pay_form_shows_an_early_date_at_its_field_and_keeps_the_reference(
    approved, team, lpa_a
):
    from tests.conftest import client_on, host_of

    client = client_on(host_of(lpa_a), team.bendahara)
    url = f"/klaim/pembayaran/{approved.pk}/"

    response = client.post(url, {"step": "pay", "paid_on": "2023-02-01", "reference": "TRF-77"})

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="paid_on-error"' in page and "persetujuan Ketua" in page
    assert 'value="TRF-77"' in page
    approved.refresh_from_db()
    assert approved.status == PaymentRequest.Status.APPROVED

    no_reference = client.post(url, {"step": "pay", "paid_on": today().isoformat()})
    assert no_reference.status_code == 400
    assert 'id="reference-error"' in no_reference.content.decode()


def test_paying_and_signing_ask_for_confirmation(approved, team, lpa_a):
    from tests.conftest import client_on, host_of

    page = client_on(host_of(lpa_a), team.bendahara).get(f"/klaim/pembayaran/{approved.pk}/")
    assert page.content.decode().count("data-confirm=") == 1


def test_an_empty_claim_form_creates_no_claim(team, lpa_a):
    """With the browser's checks bypassed: nothing is defaulted, nothing is created."""
    from programme.claims.models import Claim
    from tests.conftest import client_on, host_of

    policy = paying_policy()
    client = client_on(host_of(lpa_a), team.officer)

    response = client.post("/klaim/ajukan/", {"polis": policy.number})

    assert response.status_code == 400
    assert 'id="benefit-error"' in response.content.decode()
    assert not Claim.objects.exists()
    dated = client.post("/klaim/ajukan/", {"polis": policy.number, "benefit": "death"})
    assert 'id="event_date-error"' in dated.content.decode()
    paid_how = client.post(
        "/klaim/ajukan/",
        {"polis": policy.number, "benefit": "death", "event_date": "2024-03-04"},
    )
    assert 'id="payout_method-error"' in paid_how.content.decode()
    assert not Claim.objects.exists()

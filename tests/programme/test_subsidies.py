"""Budgets, allocations and transfer batches: the services refuse in words, and
PostgreSQL refuses the same things underneath when the services are bypassed."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from askesos.dates import today
from askesos.money import MoneyError
from programme.participants.services import participant_register
from programme.subsidies.batches import batch_approve, batch_build
from programme.subsidies.errors import SubsidyError
from programme.subsidies.models import (
    BatchState,
    Budget,
    FiscalYearRates,
    LpaAllocation,
    ProvinceAllocation,
    Transfer,
    TransferBatch,
    TransferState,
)
from programme.subsidies.services import (
    budget_record,
    honorarium_for,
    lpa_allocate_manual,
    lpa_allocations_by_rule,
    province_allocate,
    rates_for,
    rates_load_shipped,
)
from tests.programme.conftest import KONAWE_VILLAGE, person
from tests.programme.subsidy_helpers import SULTRA, allocated, officers, share_for


@pytest.fixture
def gov(make_government_user):
    return officers(make_government_user)


def test_rates_are_data_per_fiscal_year(db):
    rates_load_shipped()
    assert rates_for(2005).reserve_aid_per_participant == 365_000
    assert rates_for(2012).premium_aid_per_month == 10_400
    assert rates_for(2012).premium_aid_months == 12
    assert rates_for(2012).honorarium_bp == 1250
    assert rates_for(2014).honorarium_bp == 750
    FiscalYearRates.objects.filter(year=2026).update(reserve_aid_per_participant=400_000)
    assert rates_load_shipped() == 0  # the ministry's edit stays
    assert rates_for(2026).reserve_aid_per_participant == 400_000


def test_budget_needs_a_dipa_reference_and_a_sane_amount(gov):
    ministry, *_ = gov
    rates_load_shipped()
    year = today().year
    with pytest.raises(SubsidyError) as refused:
        budget_record(
            year=year,
            channel="apbn",
            purpose="claim_reserve",
            dipa_reference=" ",
            amount=1_000,
            actor=ministry,
        )
    assert refused.value.field == "dipa_reference"
    for amount in (0, -5, 10**30, "lima juta", True):
        with pytest.raises(MoneyError) as refused:
            budget_record(
                year=year,
                channel="apbn",
                purpose="claim_reserve",
                dipa_reference="DIPA-1",
                amount=amount,
                actor=ministry,
            )
        assert refused.value.field == "amount"
    with pytest.raises(SubsidyError) as refused:
        budget_record(
            year=1999,
            channel="apbn",
            purpose="claim_reserve",
            dipa_reference="DIPA-1",
            amount=1_000,
            actor=ministry,
        )
    assert refused.value.code == "year_invalid"
    budget = budget_record(
        year=year,
        channel="dekonsentrasi",
        purpose="claim_reserve",
        dipa_reference="DIPA-1",
        amount="Rp 2.500.000.000",
        actor=ministry,
    )
    assert budget.amount == 2_500_000_000
    with pytest.raises(SubsidyError) as refused:
        budget_record(
            year=year,
            channel="dekonsentrasi",
            purpose="claim_reserve",
            dipa_reference="DIPA-2",
            amount=5,
            actor=ministry,
        )
    assert refused.value.code == "budget_exists"


def test_provinces_cannot_be_allocated_more_than_the_budget(gov):
    ministry, *_ = gov
    share = share_for(ministry, amount=1_000_000, share=600_000)
    with pytest.raises(SubsidyError) as refused:
        province_allocate(budget=share.budget, province_code="73", amount=400_001, actor=ministry)
    assert refused.value.code == "over_budget"
    assert "Rp 400.000" in refused.value.message  # what is left
    province_allocate(budget=share.budget, province_code="73", amount=400_000, actor=ministry)
    with pytest.raises(SubsidyError) as refused:
        province_allocate(budget=share.budget, province_code="73", amount=1, actor=ministry)
    assert refused.value.code == "province_allocated"


def test_postgresql_refuses_over_allocation_when_the_service_is_bypassed(gov, lpa_a):
    ministry, officer, _checker = gov
    share = share_for(ministry, amount=1_000_000, share=600_000)
    with pytest.raises(IntegrityError, match="budget"), transaction.atomic():
        ProvinceAllocation.objects.create(
            budget=share.budget, province_id="73", amount=400_001, recorded_by=ministry
        )
    with pytest.raises(IntegrityError, match="budget"), transaction.atomic():
        Budget.objects.filter(pk=share.budget.pk).update(amount=599_999)
    with pytest.raises(IntegrityError, match="share"), transaction.atomic():
        LpaAllocation.objects.create(
            province_allocation=share,
            lpa=lpa_a,
            amount=600_001,
            rule="manual",
            reason="x",
            recorded_by=officer,
        )
    allocated(share, lpa_a, officer, 500_000)
    with pytest.raises(IntegrityError, match="share"), transaction.atomic():
        ProvinceAllocation.objects.filter(pk=share.pk).update(amount=499_999)


def test_an_lpa_of_another_province_gets_nothing_from_this_share(gov, lpa_c):
    ministry, officer, _ = gov
    share = share_for(ministry)
    with pytest.raises(SubsidyError) as refused:
        lpa_allocate_manual(share=share, lpa=lpa_c, amount=1_000, reason="x", actor=officer)
    assert refused.value.code == "lpa_outside_province"
    with pytest.raises(IntegrityError, match="province"), transaction.atomic():
        LpaAllocation.objects.create(
            province_allocation=share,
            lpa=lpa_c,
            amount=1_000,
            rule="manual",
            reason="x",
            recorded_by=officer,
        )


def test_a_manual_allocation_needs_a_reason(gov, lpa_a):
    ministry, officer, _ = gov
    share = share_for(ministry)
    with pytest.raises(SubsidyError) as refused:
        lpa_allocate_manual(share=share, lpa=lpa_a, amount=1_000, reason="  ", actor=officer)
    assert refused.value.field == "reason"


def test_allocation_by_rule_is_active_participants_times_the_years_rate(gov, lpa_a, lpa_b):
    ministry, officer, _ = gov
    start = today() - datetime.timedelta(days=40)
    connection.set_tenant(lpa_a)
    participant_register(data=person(serial=1), start_date=start)
    participant_register(data=person(serial=2, name="Ani"), start_date=start)
    connection.set_tenant(lpa_b)
    participant_register(
        data=person(serial=3, name="Rudi", village_code=KONAWE_VILLAGE), start_date=start
    )
    connection.set_schema_to_public()
    share = share_for(ministry, share=1_000_000)  # 3 x 365.000 = 1.095.000 > share
    with pytest.raises(SubsidyError) as refused:
        lpa_allocations_by_rule(share=share, actor=officer)
    assert refused.value.code == "rule_over_share"
    assert "Rp 1.095.000" in refused.value.message
    ProvinceAllocation.objects.filter(pk=share.pk).update(amount=2_000_000)
    made = {a.lpa_id: a for a in lpa_allocations_by_rule(share=share, actor=officer)}
    assert made[lpa_a.pk].amount == 730_000 and made[lpa_a.pk].participants == 2
    assert made[lpa_b.pk].amount == 365_000 and made[lpa_b.pk].rate == 365_000
    assert honorarium_for(made[lpa_a.pk]) == 0  # claim-reserve aid carries no honorarium


def batch_of(gov, lpa_a, lpa_b, *, amounts=((None, None))):
    ministry, maker, _checker = gov
    share = share_for(ministry)
    first = allocated(share, lpa_a, maker, 3_000_000)
    second = allocated(share, lpa_b, maker, 2_000_000)
    batch = batch_build(
        province=share.province,
        tranches=[(first, 1_000_000), (first, 1_000_000), (second, None)],
        execution_date=today(),
        actor=maker,
    )
    return batch, first, second


def test_a_batch_pays_tranches_never_above_the_allocation(gov, lpa_a, lpa_b):
    batch, first, second = batch_of(gov, lpa_a, lpa_b)
    transfers = list(batch.transfers.order_by("pk"))
    assert [t.amount for t in transfers] == [1_000_000, 1_000_000, 2_000_000]
    assert transfers[0].reference == f"ASKTRF{transfers[0].pk:09d}"
    assert transfers[0].account_number == "9000011201"  # A's reserve account
    assert batch.reference == f"ASKB{batch.pk:08d}" and batch.state == BatchState.PLANNED
    with pytest.raises(SubsidyError) as refused:
        batch_build(
            province=batch.province,
            tranches=[(first, 1_000_001)],
            execution_date=today(),
            actor=gov[1],
        )
    assert refused.value.code == "over_allocation"
    with pytest.raises(SubsidyError) as refused:
        batch_build(
            province=batch.province, tranches=[(second, None)], execution_date=today(), actor=gov[1]
        )
    assert refused.value.code == "allocation_fully_paid"
    with pytest.raises(IntegrityError, match="allocation"), transaction.atomic():
        Transfer.objects.create(
            batch=batch,
            allocation=second,
            lpa_id=second.lpa_id,
            reference="X1",
            amount=1,
            account_purpose="1201",
            account_number="9000021201",
            bank_name="b",
            holder="h",
        )


def test_the_maker_cannot_approve_and_nobody_approves_twice(gov, lpa_a, lpa_b):
    batch, *_ = batch_of(gov, lpa_a, lpa_b)
    _ministry, maker, checker = gov
    with pytest.raises(SubsidyError) as refused:
        batch_approve(batch=batch, actor=maker)
    assert refused.value.code == "maker_cannot_approve"
    with pytest.raises(IntegrityError, match="checker_is_not_maker"), transaction.atomic():
        TransferBatch.objects.filter(pk=batch.pk).update(state="approved", approved_by=maker)
    batch_approve(batch=batch, actor=checker)
    assert set(batch.transfers.values_list("state", flat=True)) == {TransferState.APPROVED}
    assert batch.transfers.first().events.count() == 2  # planned, approved
    with pytest.raises(SubsidyError) as refused:
        batch_approve(batch=batch, actor=checker)
    assert refused.value.code == "batch_state"


def test_the_execution_date_is_today_or_soon(gov, lpa_a):
    ministry, maker, _ = gov
    share = share_for(ministry)
    allocation = allocated(share, lpa_a, maker, 1_000)
    for day in (today() - datetime.timedelta(days=1), today() + datetime.timedelta(days=31)):
        with pytest.raises(SubsidyError) as refused:
            batch_build(
                province=share.province,
                tranches=[(allocation, None)],
                execution_date=day,
                actor=maker,
            )
        assert refused.value.code == "execution_date_invalid"


def test_a_final_transfer_cannot_be_changed_in_the_database(gov, lpa_a, lpa_b):
    batch, *_ = batch_of(gov, lpa_a, lpa_b)
    transfer = batch.transfers.first()
    with pytest.raises(IntegrityError, match="amount"), transaction.atomic():
        Transfer.objects.filter(pk=transfer.pk).update(amount=5)
    Transfer.objects.filter(pk=transfer.pk).update(state="failed", reason="Rekening ditutup")
    with pytest.raises(IntegrityError, match="final"), transaction.atomic():
        Transfer.objects.filter(pk=transfer.pk).update(state="sent")
    with pytest.raises(IntegrityError, match="entry"), transaction.atomic():
        Transfer.objects.filter(pk=batch.transfers.last().pk).update(state="posted")
    assert SULTRA == batch.province_id

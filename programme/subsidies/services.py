"""Budgets and allocations: the ministry records a fiscal year's budget per channel
and purpose under its DIPA and shares it among provinces; a province shares its part
among its LPAs, by the rule (active participants x the year's rate) or by hand with a
reason. The services refuse in words; PostgreSQL refuses underneath (migrations/0002),
so two officers allocating at once cannot together exceed a budget."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum

from askesos.dates import today
from askesos.geo.models import Province
from askesos.money import format_rupiah, rupiah_input
from programme.registry.selectors import participants_by_lpa
from programme.subsidies.errors import CONSTRAINT_CODES, SubsidyConflict, SubsidyError
from programme.subsidies.models import (
    AllocationRule,
    Budget,
    Channel,
    FiscalYearRates,
    LpaAllocation,
    ProvinceAllocation,
    Purpose,
)
from tenants.dispatch import lpas_for_jobs
from tenants.models import Lpa, LpaStatus

RATES_FILE = Path(__file__).parent / "data" / "rates.json"
FIRST_YEAR = 2003


def amount_valid(value: Any, *, field: str = "amount") -> int:
    """A budget line's, an allocation's or a transfer's amount, typed or sent: the
    one money rule (askesos.money), whose ceiling is far above the programme's whole
    yearly budget."""
    return rupiah_input(value, field=field)


def year_valid(value: Any) -> int:
    last = today().year + 1
    try:
        year = int(value)
    except (TypeError, ValueError):
        year = 0
    if not FIRST_YEAR <= year <= last:
        raise SubsidyError("year_invalid", field="year", last=last)
    return year


def rates_load_shipped() -> int:
    """Years from data/rates.json not yet in the database; returns how many were added.
    A year the ministry already edited is left alone."""
    data = json.loads(RATES_FILE.read_text(encoding="utf-8"))
    added = 0
    for row in data["years"]:
        _rates, created = FiscalYearRates.objects.get_or_create(year=row["year"], defaults=row)
        added += created
    return added


def rates_for(year: int) -> FiscalYearRates:
    rates = FiscalYearRates.objects.filter(year=year).first()
    if rates is None:
        raise SubsidyError("rates_missing", field="year", year=year)
    return rates


def rate_per_participant(*, purpose: str, year: int) -> int:
    """What one active participant brings an LPA under the year's rates: the
    claim-reserve aid, or the premium aid for all its months."""
    rates = rates_for(year)
    if purpose == Purpose.CLAIM_RESERVE:
        return rates.reserve_aid_per_participant
    return rates.premium_aid_per_month * rates.premium_aid_months


def _constraint(exc: IntegrityError) -> str | None:
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


def budget_record(
    *, year: Any, channel: str, purpose: str, dipa_reference: str, amount: Any, actor: Any
) -> Budget:
    year = year_valid(year)
    if channel not in Channel.values:
        raise SubsidyError("channel_invalid", field="channel", value=channel)
    if purpose not in Purpose.values:
        raise SubsidyError("purpose_invalid", field="purpose", value=purpose)
    dipa_reference = " ".join((dipa_reference or "").split())[:60]
    if not dipa_reference:
        raise SubsidyError("dipa_required", field="dipa_reference")
    amount = amount_valid(amount)
    rates_for(year)
    try:
        with transaction.atomic():
            return Budget.objects.create(
                year=year,
                channel=channel,
                purpose=purpose,
                dipa_reference=dipa_reference,
                amount=amount,
                recorded_by=actor,
            )
    except IntegrityError:
        raise SubsidyConflict(
            "budget_exists",
            field="purpose",
            year=year,
            channel=Channel(channel).label,
            purpose=Purpose(purpose).label.lower(),
        ) from None


def budget_allocated(budget: Budget) -> int:
    return budget.allocations.aggregate(total=Sum("amount"))["total"] or 0


def province_allocate(
    *, budget: Budget, province_code: str, amount: Any, actor: Any
) -> ProvinceAllocation:
    amount = amount_valid(amount)
    province = Province.objects.filter(code=(province_code or "").strip()).first()
    if province is None:
        raise SubsidyError(
            "lpa_outside_province", field="province", lpa="-", province=province_code
        )
    with transaction.atomic():
        budget = Budget.objects.select_for_update().get(pk=budget.pk)
        if budget.allocations.filter(province=province).exists():
            raise SubsidyConflict("province_allocated", field="province", province=province.name)
        allocated = budget_allocated(budget)
        if allocated + amount > budget.amount:
            raise _over_budget(budget, allocated + amount, allocated)
        try:
            with transaction.atomic():
                return ProvinceAllocation.objects.create(
                    budget=budget, province=province, amount=amount, recorded_by=actor
                )
        except IntegrityError as exc:
            if _constraint(exc) in CONSTRAINT_CODES:
                raise _over_budget(budget, allocated + amount, budget_allocated(budget)) from None
            raise


def _over_budget(budget: Budget, would_be: int, allocated: int) -> SubsidyError:
    return SubsidyError(
        "over_budget",
        field="amount",
        allocated=format_rupiah(would_be),
        budget=format_rupiah(budget.amount),
        left=format_rupiah(budget.amount - allocated),
    )


def share_allocated(share: ProvinceAllocation) -> int:
    return share.lpa_allocations.aggregate(total=Sum("amount"))["total"] or 0


def _share_locked(share: ProvinceAllocation) -> ProvinceAllocation:
    return (
        ProvinceAllocation.objects.select_for_update()
        .select_related("budget", "province")
        .get(pk=share.pk)
    )


def _lpa_allowed(share: ProvinceAllocation, lpa: Lpa) -> None:
    if lpa.regency.province_id != share.province_id:
        raise SubsidyError(
            "lpa_outside_province", field="lpa", lpa=lpa.name, province=share.province.name
        )
    if lpa.status != LpaStatus.ACTIVE or not lpa.is_ready:
        raise SubsidyError(
            "lpa_not_active", field="lpa", lpa=lpa.name, status=lpa.get_status_display().lower()
        )
    if share.lpa_allocations.filter(lpa=lpa).exists():
        raise SubsidyConflict("lpa_allocated", field="lpa", lpa=lpa.name)


def lpa_allocate_manual(
    *, share: ProvinceAllocation, lpa: Lpa, amount: Any, reason: str, actor: Any
) -> LpaAllocation:
    """An amount chosen by hand, with the reason the auditor will read."""
    amount = amount_valid(amount)
    reason = " ".join((reason or "").split())[:300]
    if not reason:
        raise SubsidyError("reason_required", field="reason")
    with transaction.atomic():
        share = _share_locked(share)
        _lpa_allowed(share, lpa)
        allocated = share_allocated(share)
        if allocated + amount > share.amount:
            raise _over_share(share, allocated + amount, allocated)
        return _lpa_allocation_create(
            share,
            LpaAllocation(
                province_allocation=share,
                lpa=lpa,
                amount=amount,
                rule=AllocationRule.MANUAL,
                reason=reason,
                recorded_by=actor,
            ),
        )


def _over_share(share: ProvinceAllocation, would_be: int, allocated: int) -> SubsidyError:
    return SubsidyError(
        "over_share",
        field="amount",
        allocated=format_rupiah(would_be),
        province=share.province.name,
        share=format_rupiah(share.amount),
        left=format_rupiah(share.amount - allocated),
    )


def _lpa_allocation_create(share: ProvinceAllocation, allocation: LpaAllocation) -> LpaAllocation:
    try:
        with transaction.atomic():
            allocation.save()
            return allocation
    except IntegrityError as exc:
        if _constraint(exc) in CONSTRAINT_CODES:
            allocated = share_allocated(share)
            raise _over_share(share, allocated + allocation.amount, allocated) from None
        raise


def lpa_allocations_by_rule_preview(*, share: ProvinceAllocation) -> list[dict[str, Any]]:
    """What the rule would give each active LPA of the province not yet allocated:
    its active participants x the year's rate for the budget's purpose."""
    rate = rate_per_participant(purpose=share.budget.purpose, year=share.budget.year)
    lpas = (
        lpas_for_jobs()
        .filter(regency__province_id=share.province_id)
        .exclude(allocations__province_allocation=share)
        .select_related("regency")
        .order_by("name")
    )
    counts = participants_by_lpa(lpas=lpas)
    return [
        {"lpa": lpa, "participants": counts[lpa.pk], "rate": rate, "amount": counts[lpa.pk] * rate}
        for lpa in lpas
        if counts.get(lpa.pk)
    ]


def lpa_allocations_by_rule(*, share: ProvinceAllocation, actor: Any) -> list[LpaAllocation]:
    """Allocate by the rule to every active LPA of the province that has participants
    and no allocation from this share yet: all of them or, when the share cannot cover
    them all, none (the message says by how much)."""
    with transaction.atomic():
        share = _share_locked(share)
        rows = lpa_allocations_by_rule_preview(share=share)
        if not rows:
            raise SubsidyError("rule_nothing", field="rule", province=share.province.name)
        needed = sum(row["amount"] for row in rows)
        left = share.amount - share_allocated(share)
        if needed > left:
            raise SubsidyError(
                "rule_over_share",
                field="rule",
                needed=format_rupiah(needed),
                left=format_rupiah(left),
            )
        return [
            _lpa_allocation_create(
                share,
                LpaAllocation(
                    province_allocation=share,
                    lpa=row["lpa"],
                    amount=row["amount"],
                    rule=AllocationRule.PARTICIPANTS,
                    participants=row["participants"],
                    rate=row["rate"],
                    recorded_by=actor,
                ),
            )
            for row in rows
        ]


def honorarium_for(allocation: LpaAllocation) -> int:
    """The LPA's honorarium on premium aid channelled, at the year's rate (whole rupiah,
    rounded down); none on claim-reserve aid."""
    budget = allocation.province_allocation.budget
    if budget.purpose != Purpose.PREMIUM_AID:
        return 0
    return allocation.amount * rates_for(budget.year).honorarium_bp // 10000

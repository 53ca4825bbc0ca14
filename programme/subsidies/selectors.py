"""Reads of the subsidy tables for a government user's area, and for one LPA."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from askesos.roles import GovernmentLevel
from programme.subsidies.models import (
    Budget,
    LpaAllocation,
    ProvinceAllocation,
    Transfer,
    TransferBatch,
    TransferState,
)


def shares_for_scope(*, scope: Any) -> QuerySet[ProvinceAllocation]:
    shares = ProvinceAllocation.objects.select_related("budget", "province").annotate(
        allocated=Sum("lpa_allocations__amount")
    )
    if scope.level == GovernmentLevel.PROVINCE:
        shares = shares.filter(province_id=scope.province_id)
    elif scope.level == GovernmentLevel.REGENCY:
        shares = shares.filter(province_id=scope.regency.province_id)
    return shares.order_by("-budget__year", "budget__channel", "province_id")


def budgets_with_allocated() -> QuerySet[Budget]:
    return Budget.objects.annotate(allocated=Sum("allocations__amount")).order_by(
        "-year", "channel", "purpose"
    )


def lpa_allocations_for_scope(*, scope: Any) -> QuerySet[LpaAllocation]:
    allocations = LpaAllocation.objects.select_related(
        "lpa__regency", "province_allocation__budget", "province_allocation__province"
    ).annotate(
        paid=Sum(
            "transfers__amount",
            filter=~Q(transfers__state__in=[TransferState.FAILED, TransferState.RETURNED]),
        )
    )
    if scope.level == GovernmentLevel.PROVINCE:
        allocations = allocations.filter(province_allocation__province_id=scope.province_id)
    elif scope.level == GovernmentLevel.REGENCY:
        allocations = allocations.filter(lpa__regency_id=scope.regency_id)
    return allocations.order_by("-province_allocation__budget__year", "lpa__name")


def batches_for_scope(*, scope: Any) -> QuerySet[TransferBatch]:
    batches = TransferBatch.objects.select_related("province", "created_by", "approved_by")
    if scope.level == GovernmentLevel.PROVINCE:
        batches = batches.filter(province_id=scope.province_id)
    elif scope.level == GovernmentLevel.REGENCY:
        batches = batches.filter(transfers__lpa__regency_id=scope.regency_id).distinct()
    return batches.annotate(
        count=Count("transfers"),
        total=Sum("transfers__amount"),
        posted=Count("transfers", filter=Q(transfers__state=TransferState.POSTED)),
    ).order_by("-created_at")


def batch_progress(batch: TransferBatch) -> dict[str, Any]:
    """How far a batch got: transfers per state, what is done, what went wrong."""
    by_state = dict(batch.transfers.values_list("state").annotate(n=Count("pk")).order_by("state"))
    total = sum(by_state.values())
    posted = by_state.get(TransferState.POSTED, 0)
    failed = by_state.get(TransferState.FAILED, 0) + by_state.get(TransferState.RETURNED, 0)
    return {
        "total": total,
        "posted": posted,
        "failed": failed,
        "waiting": total - posted - failed,
        "percent": round(100 * (posted + failed) / total) if total else 0,
        "by_state": [(TransferState(s).label, n) for s, n in sorted(by_state.items())],
        "errors": list(
            batch.transfers.exclude(post_error="").select_related("lpa").order_by("pk")[:50]
        ),
    }


def transfers_for_lpa(*, lpa: Any) -> QuerySet[Transfer]:
    return (
        Transfer.objects.filter(lpa=lpa)
        .select_related("batch", "allocation__province_allocation__budget")
        .order_by("-batch__created_at", "-pk")
    )

"""What government users see of the national index: conflicts between LPAs, no NIKs."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from askesos.roles import GovernmentLevel
from programme.registry.models import NationalParticipant, NikConflict


def nik_conflicts_for_scope(*, scope: Any) -> QuerySet[NikConflict]:
    """Attempts to register a person already active elsewhere, where either LPA lies in
    the scope (a district sees its LPAs' conflicts with LPAs anywhere)."""
    conflicts = NikConflict.objects.select_related(
        "active_lpa__regency", "attempted_lpa__regency"
    ).filter(resolved_at__isnull=True)
    if scope.level == GovernmentLevel.PROVINCE:
        conflicts = conflicts.filter(
            Q(active_lpa__regency__province_id=scope.province_id)
            | Q(attempted_lpa__regency__province_id=scope.province_id)
        )
    elif scope.level == GovernmentLevel.REGENCY:
        conflicts = conflicts.filter(
            Q(active_lpa__regency_id=scope.regency_id)
            | Q(attempted_lpa__regency_id=scope.regency_id)
        )
    return conflicts.order_by("-attempted_at")


def participants_by_lpa(*, lpas: QuerySet) -> dict[int, int]:
    """Participants with an open policy (registered or active), per LPA id, from the
    national index: the count every government dashboard shows without entering an LPA."""
    return dict(
        NationalParticipant.objects.filter(is_active=True, lpa__in=lpas)
        .values_list("lpa_id")
        .annotate(n=Count("pk"))
    )

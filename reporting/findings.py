"""Raising and resolving findings. Called inside an LPA's schema; the rows live in
public (the search path reaches it), keyed by the LPA, so the district sees them."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from reporting.models import Finding
from tenants.selectors import lpa_list_for_scope


def finding_raise(
    *,
    lpa: Any,
    kind: str,
    subject: str,
    summary: str,
    amount: int | None = None,
    days: int | None = None,
) -> Finding:
    """Open the finding, or bring the open one up to date: safe to run twice."""
    with transaction.atomic():
        finding = (
            Finding.objects.select_for_update()
            .filter(lpa_id=lpa.pk, kind=kind, subject=subject, resolved_at__isnull=True)
            .first()
        )
        if finding is None:
            return Finding.objects.create(
                lpa_id=lpa.pk, kind=kind, subject=subject, summary=summary, amount=amount, days=days
            )
        finding.summary, finding.amount, finding.days = summary, amount, days
        finding.save(update_fields=["summary", "amount", "days", "updated_at"])
        return finding


def finding_resolve(*, lpa: Any, kind: str, subject: str) -> int:
    return Finding.objects.filter(
        lpa_id=lpa.pk, kind=kind, subject=subject, resolved_at__isnull=True
    ).update(resolved_at=timezone.now())


def findings_open_for_lpa(*, lpa: Any) -> QuerySet[Finding]:
    return Finding.objects.filter(lpa_id=lpa.pk, resolved_at__isnull=True)


def findings_open_for_scope(*, scope: Any) -> QuerySet[Finding]:
    """Open findings of the LPAs in a government user's area."""
    return (
        Finding.objects.filter(resolved_at__isnull=True, lpa__in=lpa_list_for_scope(scope=scope))
        .select_related("lpa", "lpa__regency")
        .order_by("kind", "-days", "-opened_at")
    )

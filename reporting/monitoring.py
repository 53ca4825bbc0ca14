"""Today's state of a government user's own area, on its own page (`/dasbor/sekarang/`,
reached from the dashboard's "needs attention" strip): the LPAs of the area by status
with their participants (from the national participant index), open findings, the bank
reconciliation per LPA, and the NIK conflicts between LPAs. These are about now,
whatever period the dashboard shows. The dashboard itself reads only the rollup facts
and the strip's counts (`attention_counts`): counting the national index for the whole
country took 70 ms a page."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from programme.claims.sla import sla_limit
from programme.registry.selectors import nik_conflicts_for_scope, participants_by_lpa
from reporting.findings import findings_open_for_scope
from reporting.reconciliation import reconciliation_status_for_scope
from tenants.models import LpaStatus
from tenants.selectors import lpa_list_for_scope

# Above this many LPAs (a province, the nation) the lists per LPA are left to the
# ranking of the facts above them: rendering 2.000 rows cost the ministry's page 0,5 s.
LISTED_LPAS = 50


def _lpa_counts(lpas: Any) -> dict[str, int]:
    return lpas.aggregate(
        total=Count("pk"),
        active=Count("pk", filter=Q(status=LpaStatus.ACTIVE)),
        suspended=Count("pk", filter=Q(status=LpaStatus.SUSPENDED)),
    )


def attention_counts(*, scope: Any) -> dict[str, int]:
    """What the dashboard's strip says of the area today: LPAs by status, open
    findings, unsettled NIK conflicts."""
    counts = _lpa_counts(lpa_list_for_scope(scope=scope))
    counts["findings"] = findings_open_for_scope(scope=scope).count()
    counts["conflicts"] = nik_conflicts_for_scope(scope=scope).count()
    return counts


def monitoring_context(*, scope: Any) -> dict[str, Any]:
    lpas = lpa_list_for_scope(scope=scope)
    counts = _lpa_counts(lpas)
    # From the national participant index: no query enters an LPA's schema.
    participants = participants_by_lpa(lpas=lpas)
    counts["participants"] = sum(participants.values())
    listed = counts["total"] <= LISTED_LPAS
    return {
        "counts": counts,
        "participants": participants,
        "listed": listed,
        "lpas": lpas.order_by("regency_id", "name") if listed else [],
        "conflicts": nik_conflicts_for_scope(scope=scope)[:50],
        "findings": findings_open_for_scope(scope=scope)[:LISTED_LPAS],
        "reconciliation": reconciliation_status_for_scope(scope=scope) if listed else [],
        "sla_limit": sla_limit(),
    }

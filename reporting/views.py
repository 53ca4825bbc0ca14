from django.db.models import Count, Q
from django.shortcuts import render

from askesos.permissions import Action, require, scope_of
from programme.claims.sla import sla_limit
from programme.registry.selectors import nik_conflicts_for_scope, participants_by_lpa
from reporting.findings import findings_open_for_scope
from reporting.reconciliation import reconciliation_status_for_scope
from tenants.models import LpaStatus
from tenants.selectors import lpa_list_for_scope


@require(Action.GOV_DASHBOARD_VIEW)
def government_dashboard(request):
    scope = scope_of(request.user)
    lpas = lpa_list_for_scope(scope=scope)
    counts = lpas.aggregate(
        total=Count("pk"),
        active=Count("pk", filter=Q(status=LpaStatus.ACTIVE)),
        suspended=Count("pk", filter=Q(status=LpaStatus.SUSPENDED)),
    )
    # From the national participant index: no query enters an LPA's schema.
    participants = participants_by_lpa(lpas=lpas)
    counts["participants"] = sum(participants.values())
    return render(
        request,
        "reporting/dashboard.html",
        {
            "scope": scope,
            "counts": counts,
            "participants": participants,
            "lpas": lpas.order_by("regency_id", "name")[:200],
            "conflicts": nik_conflicts_for_scope(scope=scope)[:50],
            "findings": findings_open_for_scope(scope=scope)[:200],
            "reconciliation": reconciliation_status_for_scope(scope=scope),
            "sla_limit": sla_limit(),
        },
    )

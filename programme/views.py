from django.db import connection
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone

from askesos.permissions import Action, membership_of, require
from askesos.staff.models import Membership
from programme.claims.sla import claims_waiting, sla_limit
from programme.ledger.models import PremiumReceipt, ReceiptStatus
from programme.participants.models import Participant, Policy, PolicyStatus
from programme.todo import todo_for
from reporting.findings import findings_open_for_lpa


@require(Action.LPA_DASHBOARD_VIEW)
def lpa_dashboard(request):
    membership = membership_of(request.user)
    today = timezone.localdate()
    waiting = claims_waiting(on=today)
    premiums = (
        PremiumReceipt.objects.filter(received_on__gte=today.replace(day=1), received_on__lte=today)
        .exclude(status=ReceiptStatus.REVERSED)
        .aggregate(t=Sum("amount"))["t"]
        or 0
    )
    figures = [
        ("participants", Participant.objects.count()),
        ("active_policies", Policy.objects.filter(status=PolicyStatus.ACTIVE).count()),
        ("premiums_this_month", premiums),
        ("claims_waiting", len(waiting)),
    ]
    return render(
        request,
        "programme/dashboard.html",
        {
            "lpa": request.tenant,
            "membership": membership,
            "todo": todo_for(user=request.user, role=membership.role),
            "figures": figures,
            "overdue": [w for w in waiting if w.overdue],
            "sla_limit": sla_limit(),
            "findings": findings_open_for_lpa(lpa=request.tenant),
            "staff_count": Membership.objects.filter(is_active=True).count(),
            "schema": connection.schema_name,
        },
    )


@require(Action.STAFF_VIEW)
def staff_list(request):
    return render(
        request,
        "programme/staff.html",
        {"lpa": request.tenant, "members": Membership.objects.select_related("user")},
    )

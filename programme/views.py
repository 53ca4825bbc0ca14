from django.db import connection
from django.shortcuts import render

from askesos.permissions import Action, membership_of, require
from askesos.staff.models import Membership


@require(Action.LPA_DASHBOARD_VIEW)
def lpa_dashboard(request):
    membership = membership_of(request.user)
    figures = [
        # Filled by the participants, premiums and claims modules as they land.
        ("participants", 0),
        ("active_policies", 0),
        ("premiums_this_month", 0),
        ("claims_waiting", 0),
    ]
    return render(
        request,
        "programme/dashboard.html",
        {
            "lpa": request.tenant,
            "membership": membership,
            "figures": figures,
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

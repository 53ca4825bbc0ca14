"""The audit trail's page and CSV export (askesos.audit_trail): on an LPA's address for
its Ketua and Sekretaris (the LPA's own rows), on the portal for the ministry's
officers and auditors (the public schema's rows: roles, LPAs, subsidies, reports)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from askesos.audit_trail import (
    ACTIONS,
    AuditTrailError,
    entry_changes,
    trail_csv,
    trail_entries,
    trail_filters_parse,
    trail_kinds,
)
from askesos.permissions import Action, require

PAGE_SIZE = 50


@never_cache
@require(Action.AUDIT_VIEW)
def lpa_audit_trail_page(request: HttpRequest) -> HttpResponse:
    return _trail(request)


@never_cache
@require(Action.GOV_AUDIT_TRAIL_VIEW)
def gov_audit_trail_page(request: HttpRequest) -> HttpResponse:
    return _trail(request)


def _trail(request: HttpRequest) -> HttpResponse:
    context = {"kinds": trail_kinds(), "query": request.GET}
    try:
        filters = trail_filters_parse(request.GET)
    except AuditTrailError as error:
        context["error"] = error.message
        return render(request, "accounts/audit_trail.html", context, status=400)
    if request.GET.get("format") == "csv":
        response = StreamingHttpResponse(trail_csv(filters), content_type="text/csv")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="jejak-audit-{stamp}.csv"'
        return response
    page = Paginator(trail_entries(filters), PAGE_SIZE).get_page(request.GET.get("halaman"))
    for entry in page.object_list:
        entry.changes_shown = entry_changes(entry)
        entry.action_label = ACTIONS.get(entry.action, entry.action)
    without_page = request.GET.copy()
    without_page.pop("halaman", None)
    context.update(page=page, filters=filters, query_string=without_page.urlencode())
    return render(request, "accounts/audit_trail.html", context)

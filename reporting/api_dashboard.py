"""The dashboards' figures as an API for other government systems, on the portal under
/api/dashboard/, and the public transparency figures at /api/public/transparency/.

Every dashboard endpoint takes `?area=` (nation, province:74, regency:74.71, lpa:<slug>;
left out: the caller's whole scope), `?period=` (left out: the current month),
`?scheme=` and `?channel=`. An area outside the caller's scope answers 404
`area_not_found`, as one that does not exist; an unknown parameter, a malformed value or
a period that has not begun is a 400 naming the parameter, never a silent default. The
figures are the selectors' of reporting.dashboards, as the pages show them, and each
read is logged as a drill-down view (who, what, when).

Caching (reporting/api_freshness.py): an answer's ETag is computed before its figures
are read, from their freshness, the caller's scope, the query and the language, so a
client's If-None-Match is answered 304 after one indexed query;
`Cache-Control: private, max-age=60`. The public endpoint reads the cached public
figures (reporting.transparency) and may be kept by anyone for as long as the server
keeps them.
"""

from __future__ import annotations

import datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from django.utils.http import urlencode
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from askesos.api import query_input
from askesos.permissions import Action, ActionPermission, scope_of
from reporting.api_dashboard_output import (
    AREA_HELP,
    BreakdownsOutput,
    ChildrenOutput,
    LpaTableOutput,
    PublicTransparencyOutput,
    SummaryOutput,
    TrendOutput,
)
from reporting.api_freshness import conditional, etag_of, facts_freshness, reports_freshness
from reporting.api_output import PERIOD_HELP
from reporting.dashboards import (
    LEVELS,
    LPA_SORTS,
    NATION,
    PAGE_SIZE,
    TREND_MONTHS,
    Area,
    Filters,
    area_breakdowns,
    area_children,
    area_parse,
    area_summary,
    area_trend,
    filters_parse,
    lpa_table,
    period_before,
    scope_area,
)
from reporting.drill import drill_view_record
from reporting.errors import ReportError
from reporting.models import FactLevel
from reporting.rollup import CHANNEL_BITS, HISTORY_MONTHS
from reporting.transparency import (
    transparency_etag,
    transparency_figures,
    transparency_period,
)

CHILD_LEVEL = {
    NATION: FactLevel.PROVINCE.value,
    FactLevel.PROVINCE: FactLevel.REGENCY.value,
    FactLevel.REGENCY: FactLevel.LPA.value,
}


def _not_modified(description: str) -> OpenApiResponse:
    return OpenApiResponse(description=description)


def _responses(output: Any) -> dict:
    """The answers of a dashboard read (the other errors are added to every operation
    by askesos.openapi)."""
    return {
        200: output,
        304: _not_modified("Not modified: the If-None-Match sent is the answer's ETag."),
        404: OpenApiResponse(
            description="An area outside your scope, or none such (`area_not_found`): "
            "the same answer for both, so that nothing is learnt by asking."
        ),
    }


# --- input ---------------------------------------------------------------------------


class DashboardQuery(serializers.Serializer):
    area = serializers.CharField(required=False, max_length=60, help_text=AREA_HELP)
    period = serializers.CharField(
        required=False,
        max_length=20,
        help_text=f"{PERIOD_HELP} Left out: the current month. One not begun yet is refused.",
    )
    scheme = serializers.CharField(
        required=False, allow_blank=True, max_length=40, help_text="a scheme version's code"
    )
    channel = serializers.ChoiceField(
        choices=list(CHANNEL_BITS),
        required=False,
        allow_blank=True,
        help_text="LPAs funded through this subsidy channel in the period's fiscal year",
    )


class TrendQuery(DashboardQuery):
    months = serializers.IntegerField(
        required=False,
        min_value=12,
        max_value=HISTORY_MONTHS,
        default=TREND_MONTHS,
        help_text="how many months, up to the period's last",
    )


class LpaTableQuery(DashboardQuery):
    sort = serializers.ChoiceField(choices=list(LPA_SORTS), required=False, default="collection")
    desc = serializers.BooleanField(required=False, default=False, help_text="largest first")
    page = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=10_000,
        default=1,
        help_text=f"{PAGE_SIZE} LPAs a page",
    )


def area_of(scope: Any, text: str) -> Area:
    """The area `?area=` names, within the scope (404 otherwise); the scope's own when
    left out."""
    if not text:
        return scope_area(scope)
    level, _sep, code = text.partition(":")
    if level not in LEVELS or (level == NATION) == bool(code):
        raise ReportError("area_invalid", field="area", value=text[:60])
    return area_parse(scope, level, code)


# --- the dashboard endpoints ---------------------------------------------------------


class DashboardApi(APIView):
    """What every dashboard read does: check the query, find the area in the caller's
    scope, compute the ETag, log the look, then answer 304 or the figures."""

    permission_classes = [ActionPermission]
    required_action = Action.GOV_DASHBOARD_VIEW
    query_serializer = DashboardQuery

    def months_read(
        self, area: Area, filters: Filters, query: dict
    ) -> tuple[datetime.date, datetime.date]:
        return filters.period.start, filters.period.end

    def freshness(self, area: Area, filters: Filters, query: dict) -> tuple:
        return facts_freshness(area, *self.months_read(area, filters, query))

    def figures(self, area: Area, filters: Filters, query: dict) -> Any:
        raise NotImplementedError

    def answer(self, request: Any) -> Response:
        query = query_input(self)
        filters = filters_parse(query)
        scope = scope_of(request.user)
        area = area_of(scope, query.get("area", ""))
        shown = {**query, **filters.query(), "period": filters.period.code}
        tag = etag_of(
            type(self).__name__,
            (scope.level, scope.province_id, scope.regency_id),
            area.key,
            sorted(shown.items()),
            get_language(),
            self.freshness(area, filters, query),
        )
        drill_view_record(
            user=request.user,
            area=area,
            query=urlencode({k: v for k, v in shown.items() if k != "area"}),
        )
        return conditional(
            request,
            tag,
            lambda: self.output_class(self.figures(area, filters, query)).data,
            public=False,
        )

    def get(self, request):
        return self.answer(request)


class DashboardSummaryApi(DashboardApi):
    """The headline figures of an area in a period, each with its value in the period
    before (of the same length) and the change."""

    output_class = SummaryOutput

    def months_read(self, area, filters, query):
        return period_before(filters.period).start, filters.period.end

    def figures(self, area, filters, query):
        summary = area_summary(area, filters)
        return {
            "area": area,
            "filters": filters,
            "previous_period": period_before(filters.period).code,
            "headlines": summary.headlines,
            "values": summary.values,
            "previous": summary.previous,
        }

    @extend_schema(responses=_responses(SummaryOutput))
    def get(self, request):
        return self.answer(request)


class DashboardTrendApi(DashboardApi):
    """The area's figures month by month, `months` of them up to the period's last."""

    output_class = TrendOutput
    query_serializer = TrendQuery

    def months_read(self, area, filters, query):
        last = filters.period.month_starts()[-1]
        return last - relativedelta(months=query["months"] - 1), last

    def figures(self, area, filters, query):
        points = area_trend(area, filters, months=query["months"])
        return {"area": area, "filters": filters, "months": len(points), "points": points}

    @extend_schema(responses=_responses(TrendOutput))
    def get(self, request):
        return self.answer(request)


class DashboardChildrenApi(DashboardApi):
    """The areas one level below (provinces of the nation, kabupaten/kota of a province,
    LPAs of a kabupaten/kota) with their figures in the period; none below an LPA."""

    output_class = ChildrenOutput

    def figures(self, area, filters, query):
        return {
            "area": area,
            "filters": filters,
            "level": CHILD_LEVEL.get(area.level),
            "rows": area_children(area, filters),
        }

    @extend_schema(responses=_responses(ChildrenOutput))
    def get(self, request):
        return self.answer(request)


class DashboardLpasApi(DashboardApi):
    """The area's LPAs ranked (collection rate, payment time, overdue claims, reserve,
    participants, name), a page at a time, with their reconciliation and the period's
    report state."""

    output_class = LpaTableOutput
    query_serializer = LpaTableQuery

    def freshness(self, area, filters, query):
        return (super().freshness(area, filters, query), reports_freshness(area, filters))

    def figures(self, area, filters, query):
        rows, count = lpa_table(
            area, filters, sort=query["sort"], descending=query["desc"], page=query["page"]
        )
        return {
            "area": area,
            "filters": filters,
            "sort": query["sort"],
            "desc": query["desc"],
            "page": query["page"],
            "page_size": PAGE_SIZE,
            "count": count,
            "rows": rows,
        }

    @extend_schema(responses=_responses(LpaTableOutput))
    def get(self, request):
        return self.answer(request)


class DashboardBreakdownsApi(DashboardApi):
    """Open policies by sex and age band on the period's last day; claims paid by type
    (count and rupiah) in the period."""

    output_class = BreakdownsOutput

    def figures(self, area, filters, query):
        found = area_breakdowns(area, filters)
        return {
            "area": area,
            "filters": filters,
            "sex": found.get("sex", {}),
            "age": found.get("age", {}),
            "claims_paid": found.get("paid", {}),
            "claims_paid_amount": found.get("paid_amount", {}),
        }

    @extend_schema(responses=_responses(BreakdownsOutput))
    def get(self, request):
        return self.answer(request)


# --- public --------------------------------------------------------------------------


class PublicTransparencyQuery(serializers.Serializer):
    period = serializers.CharField(
        required=False,
        max_length=20,
        help_text=f"{PERIOD_HELP} Left out: the last month that has ended (final figures).",
    )
    province = serializers.CharField(
        required=False, max_length=10, help_text="a province code (74): its kabupaten/kota"
    )
    regency = serializers.CharField(
        required=False, max_length=10, help_text="a kabupaten/kota code (74.71): its LPAs"
    )


class PublicTransparencyApi(APIView):
    """The public transparency page's figures, without sign-in: per province of the
    nation, per kabupaten/kota of `province`, or per LPA of `regency`, in a period: LPAs
    taking part, participants, premiums collected, claims paid (count and rupiah).
    Aggregates only, no personal data."""

    permission_classes = [AllowAny]
    query_serializer = PublicTransparencyQuery

    @extend_schema(
        responses={
            200: PublicTransparencyOutput,
            304: _not_modified("Not modified: the If-None-Match sent is the answer's ETag."),
            404: OpenApiResponse(description="No such province or kabupaten/kota."),
        },
    )
    def get(self, request):
        query = query_input(self)
        period = transparency_period(query.get("period"))
        figures = transparency_figures(
            period=period, province=query.get("province", ""), regency=query.get("regency", "")
        )
        return conditional(
            request,
            transparency_etag(figures, language=get_language()),
            lambda: PublicTransparencyOutput(figures).data,
            public=True,
        )

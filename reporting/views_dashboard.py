"""The government dashboards on the portal: `/dasbor/` shows the user's own area (the
ministry the nation, a province user the province, a kabupaten/kota user theirs);
`/dasbor/<level>/<code>/` drills down to a province, a kabupaten/kota or one LPA's
summary (aggregates only: no person, no link into the LPA's own address). Every figure
comes from the selectors of reporting/dashboards.py, which read the rollup facts.

The query string holds the filters (period, scheme, channel) and what the page draws
(months of the trends, the metric of the tiles and bars, the ranking's order and page);
anything else, or a value that is not one, is refused with a 400 page that says why.
An area outside the user's scope answers 404 like one that does not exist. Each page
shown is written to the drill-down log (reporting.drill), which the ministry's officers
and auditors read at `/dasbor/log/`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import NoReverseMatch, resolve, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from askesos.dates import today
from askesos.permissions import AccessDenied, Action, may_open, require, scope_of
from askesos.roles import GovernmentLevel, GovernmentRole
from reporting import dashboard_shown as ds
from reporting.dashboards import (
    LPA_SORTS,
    NATION,
    PAGE_SIZE,
    TREND_MONTHS,
    Area,
    Filters,
    area_breakdowns,
    area_children,
    area_indicators,
    area_parse,
    area_summary,
    area_trend,
    area_within,
    current_month,
    filters_parse,
    lpa_table,
    period_before,
    scope_area,
)
from reporting.drill import drill_view_record, drill_views_page
from reporting.errors import ReportError
from reporting.models import FactLevel
from reporting.monitoring import attention_counts, monitoring_context
from reporting.periods import Period, PeriodType, period_of
from reporting.rollup import CHANNEL_BITS
from reporting.tiles import COLUMNS, ROWS, legend_of, tiles_of

TEMPLATE = "reporting/dashboard/page.html"
# Every parameter the page understands; `lang` is the language switch's.
PARAMETERS = frozenset(
    {"period", "scheme", "channel", "months", "metric", "sort", "order", "page", "lang"}
)
MONTH_CHOICES = (12, 24, 36)
# What the drill-down log records of a look at the "now" page.
NOW_QUERY = "sekarang"
# A column's first order when its heading is clicked: the worst first where there is
# a worst (lowest collection, longest payment, most overdue), else the largest first.
FIRST_ORDER = {
    "name": "asc",
    "participants": "desc",
    "collection": "asc",
    "days": "desc",
    "overdue": "desc",
    "reserve": "desc",
}
CHILD_TITLES = {
    NATION: gettext_lazy("Provinces"),
    FactLevel.PROVINCE: gettext_lazy("Regencies and cities"),
    FactLevel.REGENCY: gettext_lazy("LPAs"),
}


@dataclass(frozen=True)
class Asked:
    """What the query string asks for, checked."""

    filters: Filters
    months: int
    metric: str
    sort: str
    order: str
    page: int

    def query(self, **changes: Any) -> str:
        """The page's query string with `changes` (a value of None drops the key);
        defaults are left out so that addresses stay short."""
        values = {
            **self.filters.query(),
            "months": self.months if self.months != TREND_MONTHS else None,
            "metric": self.metric if self.metric != ds.DEFAULT_METRIC else None,
            **changes,
        }
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})


def _whole(value: str | None, *, default: int, code: str, field: str) -> int:
    if value in (None, ""):
        return default
    if not value.isdigit() or len(value) > 6:
        raise ReportError(code, field=field, value=value[:10])
    return int(value)


def asked_parse(query: Any) -> Asked:
    unknown = sorted(set(query) - PARAMETERS)
    if unknown:
        raise ReportError("filter_unknown", field=unknown[0][:40], value=unknown[0][:40])
    filters = filters_parse(query)
    months = _whole(
        query.get("months"), default=TREND_MONTHS, code="months_invalid", field="months"
    )
    if not MONTH_CHOICES[0] <= months <= MONTH_CHOICES[-1]:
        raise ReportError("months_invalid", field="months", value=str(months))
    metric = query.get("metric") or ds.DEFAULT_METRIC
    if metric not in ds.METRICS:
        raise ReportError("metric_unknown", field="metric", value=metric[:20])
    sort = query.get("sort") or "collection"
    if sort not in LPA_SORTS:
        raise ReportError("sort_unknown", field="sort", value=sort[:20])
    order = query.get("order") or FIRST_ORDER[sort]
    if order not in ("asc", "desc"):
        raise ReportError("sort_unknown", field="order", value=order[:20])
    page = _whole(query.get("page"), default=1, code="page_invalid", field="page")
    if page < 1:
        raise ReportError("page_invalid", field="page", value=str(page))
    return Asked(filters, months, metric, sort, order, page)


def area_url(area: Area) -> str:
    if area.level == NATION:
        return reverse("dashboard")
    return reverse("dashboard-area", args=[area.level, area.code])


def _crumbs(area: Area, home: Area) -> list[tuple[str, str]]:
    """The way down from the user's own area to this one: (name, address) each."""
    from askesos.geo.models import Province, Regency

    chain = [Area(NATION, name=_("Indonesia"))]
    if area.province:
        province = Province.objects.get(pk=area.province)
        chain.append(Area(FactLevel.PROVINCE, province.pk, province.name, province.pk))
    if area.regency:
        regency = Regency.objects.get(pk=area.regency)
        chain.append(
            Area(FactLevel.REGENCY, regency.pk, regency.name, regency.province_id, regency.pk)
        )
    if area.level == FactLevel.LPA:
        chain.append(area)
    return [(a.name, area_url(a)) for a in chain if area_within(a, home)]


def period_options(chosen: Period) -> list[tuple[str, list[Period]]]:
    """The period select's groups: the months, quarters, semesters and years up to the
    current one, and the chosen period wherever it lies."""
    day = today()
    counts = {
        PeriodType.MONTH: 13,
        PeriodType.QUARTER: 6,
        PeriodType.SEMESTER: 4,
        PeriodType.YEAR: 4,
    }
    groups = []
    for period_type, label in PeriodType.choices:
        periods = [period_of(period_type, day)]
        while len(periods) < counts[PeriodType(period_type)]:
            periods.append(period_of(period_type, periods[-1].start - datetime.timedelta(1)))
        if chosen.type == period_type and chosen not in periods:
            periods.append(chosen)
            periods.sort(reverse=True)
        groups.append((str(label), periods))
    return groups


def _schemes() -> list[tuple[str, str]]:
    from programme.schemes.models import SchemeVersion

    latest: dict[str, str] = {}
    for code, name in SchemeVersion.objects.order_by("code", "-version").values_list(
        "code", "name"
    ):
        latest.setdefault(code, name)
    return sorted(latest.items(), key=lambda item: item[1])


def _channels() -> list[tuple[str, str]]:
    from programme.subsidies.models import Channel

    return [(value, str(label)) for value, label in Channel.choices if value in CHANNEL_BITS]


def _export_url(request) -> str:
    """The audit exports' page, once it exists and only for who may open it."""
    try:
        url = reverse("audit-exports")
    except NoReverseMatch:
        return ""
    return url if may_open(request.user, resolve(url).func) else ""


def _may_read_log(scope: Any) -> bool:
    return scope.level == GovernmentLevel.MINISTRY and scope.role in (
        GovernmentRole.OFFICER,
        GovernmentRole.AUDITOR,
    )


@require(Action.GOV_DASHBOARD_VIEW)
def dashboard_page(request):
    scope = scope_of(request.user)
    return _dashboard(request, scope, scope_area(scope))


@require(Action.GOV_DASHBOARD_VIEW)
def dashboard_area_page(request, level: str, code: str):
    scope = scope_of(request.user)
    return _dashboard(request, scope, area_parse(scope, level, code))


def _dashboard(request, scope: Any, area: Area):
    home = scope_area(scope)
    context: dict[str, Any] = {
        "scope": scope,
        "area": area,
        "crumbs": _crumbs(area, home),
        "schemes": _schemes(),
        "channels": _channels(),
        "metrics": [(key, str(m.label)) for key, m in ds.METRICS.items()],
        "month_choices": MONTH_CHOICES,
        "log_url": reverse("dashboard-log") if _may_read_log(scope) else "",
        "export_url": _export_url(request),
    }
    try:
        asked = asked_parse(request.GET)
    except ReportError as error:
        # The form offers the defaults again (the refused values are in the message).
        default = Asked(Filters(current_month()), TREND_MONTHS, ds.DEFAULT_METRIC, "", "", 1)
        context.update(error=error, asked=default, periods=period_options(default.filters.period))
        return render(request, TEMPLATE, context, status=error.http_status)
    context.update(_figures(area, asked))
    if area.key == home.key:
        context["attention"] = attention_counts(scope=scope)
    drill_view_record(user=request.user, area=area, query=request.META.get("QUERY_STRING", ""))
    return render(request, TEMPLATE, context)


def _figures(area: Area, asked: Asked) -> dict[str, Any]:
    filters = asked.filters
    summary = area_summary(area, filters)
    before = period_before(filters.period)
    charts = ds.trend_charts(area_trend(area, filters, months=asked.months))
    metric = ds.METRICS[asked.metric]

    def url_of(child: Area) -> str:
        query = asked.query()
        return area_url(child) + (f"?{query}" if query else "")

    children = ds.children_shown(area_children(area, filters), url_of, asked.metric)
    figures: dict[str, Any] = {
        "asked": asked,
        "period": filters.period,
        "before": before,
        "periods": period_options(filters.period),
        "cards": ds.cards_shown(summary.headlines, before),
        "summary": summary,
        "children": children,
        "children_active": [c for c in children if ds.child_active(c)],
        "children_idle": [c for c in children if not ds.child_active(c)],
        "metric_label": str(metric.label),
        "indicators": area_indicators(area, filters, summary),
        "query": asked.query(),
    }
    if children:
        figures["children_title"] = str(CHILD_TITLES[area.level])
        charts.append(ds.children_chart(children, asked.metric, str(metric.label)))
    if area.level == NATION:

        def text(value: Any) -> str:
            return ds.shown(value, metric.kind)

        figures["tiles"] = tiles_of(children, shown=text)
        figures["legend"] = legend_of(figures["tiles"], shown=text)
        figures["grid"] = {"columns": range(1, COLUMNS + 1), "rows": range(1, ROWS + 1)}
    rows, total = lpa_table(
        area, filters, sort=asked.sort, descending=asked.order == "desc", page=asked.page
    )
    suffix = f"?{figures['query']}" if figures["query"] else ""
    figures["lpa_rows"] = ds.lpa_rows_shown(
        rows, lambda slug: reverse("dashboard-area", args=[FactLevel.LPA, slug]) + suffix
    )
    figures["lpa_total"] = total
    figures["pages"] = max(1, -(-total // PAGE_SIZE))
    figures["sorts"] = _sort_links(asked)
    order = {"sort": asked.sort, "order": asked.order}
    if asked.page > 1:
        figures["page_prev"] = asked.query(**order, page=asked.page - 1)
    if asked.page < figures["pages"]:
        figures["page_next"] = asked.query(**order, page=asked.page + 1)
    figures["first_page_query"] = asked.query(**order)
    breakdowns = ds.breakdown_charts(area_breakdowns(area, filters))
    charts += breakdowns
    figures["charts"] = {chart.key: chart for chart in charts}
    figures["chart_data"] = {chart.key: chart.data() for chart in charts}
    return figures


def _sort_links(asked: Asked) -> dict[str, dict[str, str]]:
    """Per sortable column: its address (the other order when it is the current one)
    and aria-sort's value."""
    links = {}
    for key in LPA_SORTS:
        current = key == asked.sort
        order = ("desc" if asked.order == "asc" else "asc") if current else FIRST_ORDER[key]
        links[key] = {
            "url": "?" + asked.query(sort=key, order=order),
            "aria": ("ascending" if asked.order == "asc" else "descending") if current else "",
        }
    return links


@require(Action.GOV_DASHBOARD_VIEW)
def dashboard_now_page(request):
    """Today's state of the user's own area (reporting.monitoring), logged as a look at
    that area."""
    scope = scope_of(request.user)
    area = scope_area(scope)
    drill_view_record(user=request.user, area=area, query=NOW_QUERY)
    context = {"scope": scope, "area": area, **monitoring_context(scope=scope)}
    return render(request, "reporting/dashboard/now.html", context)


@require(Action.GOV_AUDIT_EXPORT)
def drill_log_page(request):
    """The drill-down log, for the ministry's officers and auditors."""
    scope = scope_of(request.user)
    if not _may_read_log(scope):
        raise AccessDenied("level_forbidden", role=scope.get_role_display())
    page = drill_views_page(page=request.GET.get("page"))
    return render(request, "reporting/dashboard/log.html", {"page": page})

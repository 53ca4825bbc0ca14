"""What the government's dashboards show, read from the rollup facts (reporting.rollup)
and nothing else: no query here enters an LPA's schema.

An area is the nation, a province, a kabupaten/kota or one LPA (its aggregates only).
Filters: a period (a month, quarter, semester or year: reporting.periods), a scheme,
a subsidy channel. A figure over several months follows the reports' rules (flows add,
stocks take the last month: reporting.figures.figures_combine); a median is computed
from the counts per number of working days, which add across LPAs and months; a rate
from its numerator and denominator. Pages, the API, the exports and the public page
all read these selectors, so a figure is the same wherever it is shown.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.utils.translation import gettext_lazy as _

from askesos.dates import today
from askesos.roles import GovernmentLevel
from reporting.errors import AreaNotFound, ReportError
from reporting.figures import median_from_counts
from reporting.models import FACT_COLUMNS, FactLevel
from reporting.periods import Period, PeriodType, period_of, period_parse
from reporting.rollup import CHANNEL_BITS, HISTORY_MONTHS

NATION = "nation"
LEVELS = (NATION, FactLevel.PROVINCE.value, FactLevel.REGENCY.value, FactLevel.LPA.value)
# Columns that are stocks (the period's last month counts) rather than flows (its
# months add up).
STOCKS = frozenset(
    {"lpas", "participants_active", "participants_open", "claims_overdue"}
    | {"reserve_closing", "savings_owed"}
)
COLUMNS = ("lpas", *FACT_COLUMNS)
TREND_MONTHS = 24
LPA_SORTS = {
    "name": "name",
    "participants": "participants_active",
    "collection": "collection_rate",
    "days": "claims_days_median",
    "overdue": "claims_overdue",
    "reserve": "reserve_closing",
}
PAGE_SIZE = 50


@dataclass(frozen=True)
class Area:
    """Where a dashboard looks: `level` is nation, province, regency or lpa; `code` a
    province or regency code, an LPA's slug, or empty for the nation."""

    level: str
    code: str = ""
    name: str = ""
    province: str = ""  # the province code (for a regency or an LPA)
    regency: str = ""  # the regency code (for an LPA)
    lpa_id: int | None = None

    @property
    def key(self) -> str:
        return f"{self.level}:{self.code}" if self.code else self.level


@dataclass(frozen=True)
class Filters:
    period: Period
    scheme: str = ""
    channel: str = ""

    def query(self) -> dict[str, str]:
        """The filters as a query string's parameters (empty ones left out)."""
        values = {"period": self.period.code, "scheme": self.scheme, "channel": self.channel}
        return {k: v for k, v in values.items() if v}


def current_month() -> Period:
    return period_of(PeriodType.MONTH, today())


def filters_parse(params: Mapping[str, Any]) -> Filters:
    """Filters from a query string. Unknown parameters' values are the caller's affair;
    a malformed or unknown value here is refused (ReportError, a 400), never ignored,
    and a period that has not begun is refused."""
    from programme.schemes.models import SchemeVersion

    code = (params.get("period") or "").strip()
    period = period_parse(code) if code else current_month()
    if period.start > today():
        raise ReportError("period_future", field="period", value=code[:20])
    scheme = (params.get("scheme") or "").strip()
    if scheme and not SchemeVersion.objects.filter(code=scheme).exists():
        raise ReportError("scheme_unknown", field="scheme", value=scheme[:40])
    channel = (params.get("channel") or "").strip()
    if channel and channel not in CHANNEL_BITS:
        raise ReportError("channel_unknown", field="channel", value=channel[:20])
    return Filters(period=period, scheme=scheme, channel=channel)


def scope_area(scope: Any) -> Area:
    """The area a government user's scope covers."""
    if scope.level == GovernmentLevel.PROVINCE:
        return Area(FactLevel.PROVINCE, scope.province_id, scope.province.name, scope.province_id)
    if scope.level == GovernmentLevel.REGENCY:
        regency = scope.regency
        return Area(FactLevel.REGENCY, regency.pk, regency.name, regency.province_id, regency.pk)
    return Area(NATION, name=str(_("Indonesia")))


def area_parse(scope: Any, level: str, code: str) -> Area:
    """The area `level`/`code` if the scope covers it; ReportError `area_not_found`
    (404) otherwise, the same answer for an area that does not exist and one outside
    the scope, so that nothing is learnt by asking."""
    from askesos.geo.models import Province, Regency
    from tenants.models import Lpa

    home = scope_area(scope)
    area: Area | None = None
    if level == NATION and not code:
        area = Area(NATION, name=str(_("Indonesia")))
    elif level == FactLevel.PROVINCE:
        province = Province.objects.filter(pk=code).first()
        if province:
            area = Area(level, province.pk, province.name, province.pk)
    elif level == FactLevel.REGENCY:
        regency = Regency.objects.filter(pk=code).first()
        if regency:
            area = Area(level, regency.pk, regency.name, regency.province_id, regency.pk)
    elif level == FactLevel.LPA:
        lpa = Lpa.objects.select_related("regency").filter(slug=code, is_ready=True).first()
        if lpa:
            area = Area(level, lpa.slug, lpa.name, lpa.regency.province_id, lpa.regency_id, lpa.pk)
    if area is None or not area_within(area, home):
        raise AreaNotFound("area_not_found")
    return area


def area_within(area: Area, home: Area) -> bool:
    if home.level == NATION:
        return True
    if home.level == FactLevel.PROVINCE:
        return area.level != NATION and area.province == home.code
    return area.level in (FactLevel.REGENCY, FactLevel.LPA) and area.regency == home.regency


def facts_where(area: Area, filters: Filters, *, level: str | None = None) -> tuple[str, list]:
    """The WHERE clause (and its parameters) of the fact rows of `area` under `filters`:
    by default the rows the area's own figures are read from (the nation's and a
    province's from the province rows, a kabupaten/kota's from its rows, an LPA's from
    its own), or those of `level` inside the area (the LPAs of a province, the
    kabupaten/kota of the nation ...)."""
    level = FactLevel(level or _own_level(area))  # a member, so safe to write out
    sql, params = f"level = '{level.value}'", []
    if area.level == FactLevel.PROVINCE:
        sql += " AND province_id = %s"
        params.append(area.code)
    elif area.level == FactLevel.REGENCY:
        sql += " AND regency_id = %s"
        params.append(area.code)
    elif area.level == FactLevel.LPA:
        sql += " AND lpa_id = %s"
        params.append(area.lpa_id)
    if filters.scheme:
        sql += " AND scheme = %s"
        params.append(filters.scheme)
    if filters.channel:
        sql += " AND channels & %s <> 0"
        params.append(CHANNEL_BITS[filters.channel])
    return sql, params


def _fetch(sql: str, params: list[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def period_before(period: Period) -> Period:
    return Period(period.type, period.start - relativedelta(months=period.months))


def last_month(period: Period) -> datetime.date:
    """The month whose stocks stand for the period: its last, or the current month
    while the period runs (a quarter not yet over holds this month's participants, not
    those of a month still to come)."""
    return min(period.month_starts()[-1], today().replace(day=1))


def _columns_of(period: Period, by_month: dict[datetime.date, dict[str, int]]) -> dict[str, int]:
    """A period's column values from its months' (stocks: the last month's)."""
    months = period.month_starts()
    last = by_month.get(last_month(period), {})
    return {
        column: last.get(column, 0)
        if column in STOCKS
        else sum(by_month.get(m, {}).get(column, 0) for m in months)
        for column in COLUMNS
    }


def _month_columns(
    area: Area, filters: Filters, first: datetime.date, last: datetime.date
) -> dict[datetime.date, dict[str, int]]:
    where, params = facts_where(area, filters)
    sums = ", ".join(f"sum({c})::bigint" for c in COLUMNS)
    rows = _fetch(
        f"SELECT month, {sums} FROM reporting_fact WHERE {where} AND month BETWEEN %s AND %s "
        "GROUP BY month",
        [*params, first, last],
    )
    return {row[0]: dict(zip(COLUMNS, row[1:], strict=True)) for row in rows}


def _days(area: Area, filters: Filters, period: Period, before: Period) -> tuple[Counter, Counter]:
    """Claims paid per number of working days (all types), in the period and in the
    period before it."""
    where, params = facts_where(area, filters)
    rows = _fetch(
        f"""SELECT month >= %s, split_part(d.key, ':', 2)::int, sum(d.value::bigint)
            FROM reporting_fact f, jsonb_each_text(f.claims_days) d
            WHERE {where} AND month BETWEEN %s AND %s GROUP BY 1, 2""",
        [period.start, *params, before.start, period.end],
    )
    now, earlier = Counter(), Counter()
    for current, days, count in rows:
        (now if current else earlier)[days] = int(count)
    return now, earlier


@dataclass
class Headline:
    key: str
    label: str
    value: float | int | None
    previous: float | int | None
    kind: str  # count, money, percent, days

    @property
    def change(self) -> float | int | None:
        if self.value is None or self.previous is None:
            return None
        return (
            round(self.value - self.previous, 1)
            if self.kind in ("percent", "days")
            else (self.value - self.previous)
        )


@dataclass
class Summary:
    area: Area
    filters: Filters
    values: dict[str, int]
    previous: dict[str, int]
    collection_rate: float | None
    collection_rate_previous: float | None
    median_days: float | None
    median_days_previous: float | None
    headlines: list[Headline] = field(default_factory=list)


def _rate(values: Mapping[str, int]) -> float | None:
    due = values.get("premiums_due", 0)
    return round(values.get("premiums_collected", 0) * 100 / due, 1) if due else None


def area_summary(area: Area, filters: Filters) -> Summary:
    """The headline figures of the area in the period, and in the period before it."""
    period, before = filters.period, period_before(filters.period)
    by_month = _month_columns(area, filters, before.start, period.end)
    values, previous = _columns_of(period, by_month), _columns_of(before, by_month)
    days, days_before = _days(area, filters, period, before)
    median, median_before = median_from_counts(days), median_from_counts(days_before)
    summary = Summary(
        area,
        filters,
        values,
        previous,
        _rate(values),
        _rate(previous),
        median,
        median_before,
    )
    summary.headlines = [
        Headline("lpas", str(_("LPAs taking part")), values["lpas"], previous["lpas"], "count"),
        Headline(
            "participants_active",
            str(_("Active participants")),
            values["participants_active"],
            previous["participants_active"],
            "count",
        ),
        Headline(
            "premiums_collected",
            str(_("Premiums collected")),
            values["premiums_collected"],
            previous["premiums_collected"],
            "money",
        ),
        Headline(
            "collection_rate",
            str(_("Collection rate")),
            summary.collection_rate,
            summary.collection_rate_previous,
            "percent",
        ),
        Headline(
            "claims_paid",
            str(_("Claims paid")),
            values["claims_paid"],
            previous["claims_paid"],
            "count",
        ),
        Headline(
            "claims_paid_amount",
            str(_("Claims paid (amount)")),
            values["claims_paid_amount"],
            previous["claims_paid_amount"],
            "money",
        ),
        Headline(
            "median_days",
            str(_("Median working days to payment")),
            median,
            median_before,
            "days",
        ),
        Headline(
            "reserve_closing",
            str(_("Claim reserve held")),
            values["reserve_closing"],
            previous["reserve_closing"],
            "money",
        ),
        Headline(
            "savings_owed",
            str(_("Savings owed to participants")),
            values["savings_owed"],
            previous["savings_owed"],
            "money",
        ),
    ]
    return summary


@dataclass
class TrendPoint:
    month: Period
    values: dict[str, int]

    @property
    def collection_rate(self) -> float | None:
        return _rate(self.values)


def area_trend(area: Area, filters: Filters, *, months: int = TREND_MONTHS) -> list[TrendPoint]:
    """Month by month up to the period's last month (the current one while it runs),
    `months` of them (12 to 36)."""
    months = max(12, min(months, HISTORY_MONTHS))
    last = last_month(filters.period)
    first = last - relativedelta(months=months - 1)
    by_month = _month_columns(area, filters, first, last)
    return [
        TrendPoint(
            Period(PeriodType.MONTH, first + relativedelta(months=n)),
            by_month.get(first + relativedelta(months=n), dict.fromkeys(COLUMNS, 0)),
        )
        for n in range(months)
    ]


@dataclass
class ChildRow:
    """One area below (a province of the nation, a kabupaten/kota of a province, an LPA
    of a kabupaten/kota) with its figures in the period."""

    area: Area
    values: dict[str, int]

    @property
    def collection_rate(self) -> float | None:
        return _rate(self.values)


def area_children(area: Area, filters: Filters) -> list[ChildRow]:
    """The areas one level below, with their figures in the period (the bars and the
    drill-down's list); areas without facts are listed with zeros."""
    from askesos.geo.models import Province, Regency
    from tenants.models import Lpa

    period = filters.period
    if area.level == NATION:
        level, key = FactLevel.PROVINCE, "province_id"
        children = [Area(level, p.pk, p.name, p.pk) for p in Province.objects.order_by("name")]
    elif area.level == FactLevel.PROVINCE:
        level, key = FactLevel.REGENCY, "regency_id"
        children = [
            Area(level, r.pk, r.name, r.province_id, r.pk)
            for r in Regency.objects.filter(province_id=area.code).order_by("name")
        ]
    elif area.level == FactLevel.REGENCY:
        level, key = FactLevel.LPA, "lpa_id"
        lpas = Lpa.objects.filter(regency_id=area.code, is_ready=True).order_by("name")
        children = [Area(level, x.slug, x.name, area.province, area.code, x.pk) for x in lpas]
    else:
        return []
    where, params = facts_where(area, filters, level=level)  # the rows one level below
    sums = ", ".join(f"sum({c})::bigint" for c in COLUMNS)
    rows = _fetch(
        f"SELECT {key}, month, {sums} FROM reporting_fact WHERE {where} "
        "AND month BETWEEN %s AND %s GROUP BY 1, 2",
        [*params, period.start, period.end],
    )
    per_child: dict[Any, dict[datetime.date, dict[str, int]]] = defaultdict(dict)
    for row in rows:
        per_child[row[0]][row[1]] = dict(zip(COLUMNS, row[2:], strict=True))
    return [
        ChildRow(child, _columns_of(period, per_child.get(_child_key(child), {})))
        for child in children
    ]


def _child_key(child: Area) -> Any:
    return child.lpa_id if child.level == FactLevel.LPA else child.code


def _own_level(area: Area) -> str:
    return FactLevel.PROVINCE if area.level == NATION else area.level


@dataclass
class LpaRow:
    lpa_id: int
    slug: str
    name: str
    regency: str
    regency_name: str
    participants_active: int
    premiums_due: int
    premiums_collected: int
    collection_rate: float | None
    claims_paid: int
    claims_days_median: float | None
    claims_overdue: int
    reserve_closing: int
    reconciliation: str
    report_state: str  # the month's report: "" none, draft, submitted, returned, accepted
    report_on_time: bool | None


def lpa_table(
    area: Area,
    filters: Filters,
    *,
    sort: str = "collection",
    descending: bool = False,
    page: int = 1,
) -> tuple[list[LpaRow], int]:
    """The area's LPAs ranked by `sort` (LPA_SORTS), PAGE_SIZE a page; returns the
    page's rows and how many LPAs in all. Flows add over the period's months; stocks,
    the median and the reconciliation are the last month's; the report is the
    period's own (its kind: a month's, a quarter's ...)."""
    if sort not in LPA_SORTS:
        raise ReportError("sort_unknown", field="sort", value=sort[:20])
    if page < 1:
        raise ReportError("page_invalid", field="page", value=str(page)[:10])
    period = filters.period
    last = last_month(period)
    where, params = facts_where(area, filters, level=FactLevel.LPA)
    order = LPA_SORTS[sort]
    direction = "DESC" if descending else "ASC"
    sql = f"""
        WITH lpa AS (
            SELECT lpa_id,
                   sum(premiums_due)::bigint AS premiums_due,
                   sum(premiums_collected)::bigint AS premiums_collected,
                   sum(claims_paid)::bigint AS claims_paid,
                   max(participants_active) FILTER (WHERE month = %s) AS participants_active,
                   max(claims_overdue) FILTER (WHERE month = %s) AS claims_overdue,
                   max(reserve_closing) FILTER (WHERE month = %s) AS reserve_closing,
                   max(claims_days_median) FILTER (WHERE month = %s) AS claims_days_median,
                   max(reconciliation) FILTER (WHERE month = %s) AS reconciliation
            FROM reporting_fact WHERE {where} AND month BETWEEN %s AND %s
            GROUP BY lpa_id
        )
        SELECT f.lpa_id, l.slug, l.name, r.code, r.name,
               coalesce(f.participants_active, 0), f.premiums_due, f.premiums_collected,
               CASE WHEN f.premiums_due > 0
                    THEN round(f.premiums_collected * 100.0 / f.premiums_due, 1) END
                    AS collection_rate,
               f.claims_paid, f.claims_days_median, coalesce(f.claims_overdue, 0),
               coalesce(f.reserve_closing, 0), coalesce(f.reconciliation, ''),
               coalesce(rep.state, ''),
               CASE WHEN rep.first_submitted_at IS NULL THEN NULL
                    ELSE (rep.first_submitted_at AT TIME ZONE 'Asia/Jakarta')::date <= rep.due_on
               END,
               count(*) OVER () AS total
        FROM lpa f
        JOIN tenants_lpa l ON l.id = f.lpa_id
        JOIN geo_regency r ON r.code = l.regency_id
        LEFT JOIN reporting_report rep ON rep.level = 'lpa' AND rep.lpa_id = f.lpa_id
             AND rep.period_type = %s AND rep.period_start = %s
        ORDER BY {"l.name" if order == "name" else order} {direction} NULLS LAST, l.name
        LIMIT %s OFFSET %s
    """
    rows = _fetch(
        sql,
        [last] * 5
        + [
            *params,
            period.start,
            period.end,
            period.type,
            period.start,
            PAGE_SIZE,
            (page - 1) * PAGE_SIZE,
        ],
    )
    total = rows[0][-1] if rows else 0
    return [
        LpaRow(*[float(v) if i == 8 and v is not None else v for i, v in enumerate(row[:-1])])
        for row in rows
    ], total


def area_breakdowns(area: Area, filters: Filters) -> dict[str, dict[str, int]]:
    """Participants (open policies) by sex and by age band on the period's last day, and
    claims paid by type in the period."""
    where, params = facts_where(area, filters)
    period = filters.period
    last = last_month(period)
    rows = _fetch(
        f"""SELECT d.key, sum(d.value::bigint)
            FROM reporting_fact f, jsonb_each_text(f.figures) d
            WHERE {where} AND (
                (month = %s AND (d.key LIKE 'participants.sex:%%'
                                 OR d.key LIKE 'participants.age:%%'))
                OR (month BETWEEN %s AND %s AND (d.key LIKE 'claims.paid:%%'
                                                 OR d.key LIKE 'claims.paid_amount:%%')))
            GROUP BY 1""",
        [*params, last, period.start, period.end],
    )
    result: dict[str, dict[str, int]] = defaultdict(dict)
    for key, value in rows:
        base, part = key.split(":", 1)
        result[base.split(".", 1)[1]][part] = int(value)
    return dict(result)


@dataclass
class Indicators:
    """The pocket book's performance indicators: LPAs taking part, participants, and
    local-government involvement (kabupaten/kota with LPAs whose Dinas Sosial has an
    officer on the platform, and whose consolidated report of the last ended month was
    sent up)."""

    lpas: int
    participants: int
    regencies_with_lpas: int
    regencies_with_officer: int
    regencies_reporting: int
    reporting_period: Period


def area_indicators(area: Area, filters: Filters, summary: Summary) -> Indicators:
    from django.db.models import Count, Exists, OuterRef

    from askesos.accounts.models import GovernmentScope
    from askesos.geo.models import Regency
    from reporting.models import Report
    from reporting.periods import period_last_ended
    from tenants.models import Lpa, LpaStatus

    lpas = Lpa.objects.filter(is_ready=True, status=LpaStatus.ACTIVE).exclude(schema_name="public")
    if area.level == FactLevel.PROVINCE:
        lpas = lpas.filter(regency__province_id=area.code)
    elif area.level in (FactLevel.REGENCY, FactLevel.LPA):
        lpas = lpas.filter(regency_id=area.regency)
    month = period_last_ended(PeriodType.MONTH, min(today(), filters.period.end))
    officer = GovernmentScope.objects.filter(
        level=GovernmentLevel.REGENCY, regency_id=OuterRef("pk")
    )
    sent = Report.objects.filter(
        level="regency",
        period_type=month.type,
        period_start=month.start,
        regency_id=OuterRef("pk"),
        first_submitted_at__isnull=False,
    )
    # One statement over the kabupaten/kota that have LPAs (514 at most).
    counts = Regency.objects.filter(pk__in=lpas.values("regency_id")).aggregate(
        with_lpas=Count("pk"),
        with_officer=Count("pk", filter=Exists(officer)),
        reporting=Count("pk", filter=Exists(sent)),
    )
    return Indicators(
        lpas=summary.values["lpas"],
        participants=summary.values["participants_open"],
        regencies_with_lpas=counts["with_lpas"],
        regencies_with_officer=counts["with_officer"],
        regencies_reporting=counts["reporting"],
        reporting_period=month,
    )

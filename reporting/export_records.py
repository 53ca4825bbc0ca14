"""The tables of an audit export read from their own public rows rather than the
facts: the subsidy transfers, the findings, the report submissions (see
reporting.export_tables for the columns' conventions)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from programme.subsidies.models import Transfer
from reporting.dashboards import NATION, Area, Filters
from reporting.export_tables import LpaInfo, Row
from reporting.models import FactLevel, Finding, Report, ReportLevel
from reporting.periods import Period
from reporting.reports import on_time


def _local(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).isoformat() if moment else ""


def transfer_rows(lpas: list[LpaInfo], filters: Filters) -> Iterator[Row]:
    """The subsidy transfers to the LPAs valued in the period (or, not yet valued, whose
    batch was to be executed in it); of the channel, when one is chosen."""
    period, ids = filters.period, [x.id for x in lpas]
    slugs = {x.id: (x.slug, x.name) for x in lpas}
    transfers = (
        Transfer.objects.filter(lpa_id__in=ids)
        .annotate(day=Coalesce("value_date", F("batch__execution_date")))
        .filter(day__gte=period.start, day__lte=period.end)
        .order_by("lpa__slug", "day", "reference")
        .values_list(
            "lpa_id",
            "reference",
            "batch__reference",
            "allocation__province_allocation__budget__channel",
            "amount",
            "state",
            "batch__execution_date",
            "value_date",
            "posted_at",
        )
    )
    if filters.channel:
        transfers = transfers.filter(
            allocation__province_allocation__budget__channel=filters.channel
        )
    for lpa_id, *rest in transfers.iterator(chunk_size=2000):
        posted_at = rest.pop()
        yield (*slugs[lpa_id], *rest, _local(posted_at))


def finding_rows(lpas: list[LpaInfo], filters: Filters) -> Iterator[Row]:
    """The LPAs' findings open at some time in the period."""
    period, ids = filters.period, [x.id for x in lpas]
    start = timezone.make_aware(datetime.datetime.combine(period.start, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time.min)
    )
    slugs = {x.id: (x.slug, x.name) for x in lpas}
    findings = (
        Finding.objects.filter(lpa_id__in=ids, opened_at__lt=end)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=start))
        .order_by("lpa__slug", "opened_at", "pk")
    )
    for f in findings.iterator(chunk_size=2000):
        yield (
            *slugs[f.lpa_id],
            f.kind,
            f.subject,
            f.summary,
            f.amount,
            f.days,
            _local(f.opened_at),
            _local(f.resolved_at),
        )


def report_rows(area: Area, filters: Filters, lpas: list[LpaInfo]) -> Iterator[Row]:
    """Every report of the area whose period lies within the chosen one (a quarter's
    export lists its months' reports and the quarter's own): LPAs' of the LPAs
    exported, and the area's tiers'."""
    period = filters.period
    reports = Report.objects.filter(
        period_start__gte=period.start, period_end__lte=period.end
    ).select_related("lpa", "regency", "province")
    mine = Q(level=ReportLevel.LPA, lpa_id__in=[x.id for x in lpas])
    if area.level == NATION:
        tiers = ~Q(level=ReportLevel.LPA)
    elif area.level == FactLevel.PROVINCE:
        tiers = ~Q(level=ReportLevel.LPA) & Q(province_id=area.code)
    else:
        tiers = Q(level=ReportLevel.REGENCY, regency_id=area.regency)
    reports = reports.filter(mine | tiers).order_by(
        "period_start", "period_type", "level", "province_id", "regency_id", "lpa__slug"
    )
    for r in reports.iterator(chunk_size=2000):
        if r.level == ReportLevel.LPA:
            code, name = r.regency_id, r.lpa.name
        elif r.level == ReportLevel.REGENCY:
            code, name = r.regency_id, r.regency.name
        else:
            code, name = r.province_id, r.province.name
        yield (
            r.level,
            r.lpa.slug if r.lpa_id else "",
            code,
            name,
            Period(r.period_type, r.period_start).code,
            r.period_type,
            r.state,
            r.due_on,
            _local(r.first_submitted_at),
            "" if r.first_submitted_at is None else ("ya" if on_time(r) else "tidak"),
        )

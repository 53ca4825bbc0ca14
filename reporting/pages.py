"""What the report pages of both sides share (reporting/views_lpa.py on an LPA's host,
reporting/views_gov.py on the portal): the figures as rows to show, the version a
page asks for (?versi=N), the period chooser, and the PDF and XLSX answers."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from askesos.files import form_int
from askesos.money import format_number, format_rupiah
from reporting.errors import ReportError
from reporting.models import Report, ReportVersion
from reporting.periods import Period, PeriodType, period_last_ended, period_parse
from reporting.report_output import figure_sections

RECENT = 6  # ended periods offered as links by the period chooser


@dataclass
class ShownSection:
    title: str
    rows: list[tuple[str, str, str]]  # label, number, rupiah (already written out)


def figures_shown(figures: dict) -> list[ShownSection]:
    """The report's sections (report_output.figure_sections) with every number written
    the Indonesian way: 1.250 and Rp 5.000; a rate or a median as computed."""
    shown = []
    for section in figure_sections(figures):
        rows = []
        for row in section.rows:
            if isinstance(row.count, int):
                count = format_number(row.count)
            else:
                count = row.count or ""
            amount = format_rupiah(row.amount) if row.amount is not None else ""
            rows.append((row.label, count, amount))
        shown.append(ShownSection(section.title, rows))
    return shown


def version_or_404(report: Report, number: int | None) -> ReportVersion:
    """The report's version `number`, or 404 (pages and API alike)."""
    version = (
        ReportVersion.objects.filter(report=report, number=number)
        .select_related("submitted_by", "report")
        .first()
    )
    if version is None:
        raise Http404
    return version


def version_asked(report: Report, value: str | None) -> ReportVersion | None:
    """The version ?versi=N names (404 when the report has none such), or None."""
    if value in (None, ""):
        return None
    return version_or_404(report, form_int(value))


def period_or_404(code: str) -> Period:
    try:
        return period_parse(code)
    except ReportError:
        raise Http404 from None


def recent_periods(period_type: str, count: int = RECENT) -> list[Period]:
    periods = [period_last_ended(period_type)]
    while len(periods) < count:
        periods.append(period_last_ended(period_type, periods[-1].start))
    return periods


@dataclass
class PeriodChoice:
    """The period a government page shows, from ?periode=<code> or ?jenis=<type> (the
    last ended period of that type; the last ended month by default)."""

    period: Period
    error: ReportError | None
    typed: str
    tabs: list[tuple[str, str]]
    recent: list[Period]


def period_chosen(query) -> PeriodChoice:
    typed = (query.get("periode") or "").strip()[:20]
    kind = query.get("jenis") if query.get("jenis") in PeriodType.values else PeriodType.MONTH
    error = None
    period = period_last_ended(kind)
    if typed:
        try:
            period = period_parse(typed, field="periode")
        except ReportError as exc:
            error = exc
    return PeriodChoice(
        period=period,
        error=error,
        typed=typed if error else period.code,
        tabs=[(value, str(label)) for value, label in PeriodType.choices],
        recent=recent_periods(period.type),
    )

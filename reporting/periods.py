"""Report periods: a month, a quarter (triwulan), a semester or a year, named by a
code people and URLs can carry (2026-10, 2026-T3, 2026-S2, 2026) and written the way
Indonesians write them (Oktober 2026, Triwulan III 2026, Semester II 2026, Tahun 2026).

A period is a value, never a row: the reports carry its type and first day."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from askesos.dates import PROGRAMME_START, today
from reporting.errors import ReportError


class PeriodType(models.TextChoices):
    MONTH = "month", gettext_lazy("Monthly")
    QUARTER = "quarter", gettext_lazy("Quarterly (triwulan)")
    SEMESTER = "semester", gettext_lazy("Per semester")
    YEAR = "year", gettext_lazy("Yearly")


MONTHS = {
    PeriodType.MONTH: 1,
    PeriodType.QUARTER: 3,
    PeriodType.SEMESTER: 6,
    PeriodType.YEAR: 12,
}
ROMAN = ("I", "II", "III", "IV")
_CODE = re.compile(r"^(\d{4})(?:-(\d{2})|-T([1-4])|-S([12]))?$")


@dataclass(frozen=True, order=True)
class Period:
    type: str
    start: datetime.date

    @property
    def months(self) -> int:
        return MONTHS[PeriodType(self.type)]

    @property
    def end(self) -> datetime.date:
        return self.start + relativedelta(months=self.months, days=-1)

    @property
    def number(self) -> int:
        """Which quarter or semester of its year (1-based); the month for a month."""
        return (self.start.month - 1) // self.months + 1

    @property
    def code(self) -> str:
        year = self.start.year
        if self.type == PeriodType.MONTH:
            return f"{year}-{self.start.month:02d}"
        if self.type == PeriodType.QUARTER:
            return f"{year}-T{self.number}"
        if self.type == PeriodType.SEMESTER:
            return f"{year}-S{self.number}"
        return str(year)

    @property
    def label(self) -> str:
        year = self.start.year
        if self.type == PeriodType.MONTH:
            return date_format(self.start, "F Y")
        if self.type == PeriodType.QUARTER:
            return _("Quarter %(n)s %(year)s") % {"n": ROMAN[self.number - 1], "year": year}
        if self.type == PeriodType.SEMESTER:
            return _("Semester %(n)s %(year)s") % {"n": ROMAN[self.number - 1], "year": year}
        return _("Year %(year)s") % {"year": year}

    def month_starts(self) -> list[datetime.date]:
        return [self.start + relativedelta(months=n) for n in range(self.months)]

    def has_ended(self, today: datetime.date) -> bool:
        return today > self.end

    def __str__(self) -> str:
        return self.code


def period_of(period_type: str, day: datetime.date) -> Period:
    """The period of `period_type` that contains `day`."""
    if period_type not in PeriodType.values:
        raise ReportError("period_type_unknown", field="period_type", value=period_type)
    size = MONTHS[PeriodType(period_type)]
    month = (day.month - 1) // size * size + 1
    return Period(period_type, datetime.date(day.year, month, 1))


def period_parse(code: str, *, field: str = "period") -> Period:
    """A period from its code, or ReportError naming `field`."""
    match = _CODE.match((code or "").strip())
    if not match:
        raise ReportError("period_invalid", field=field, value=(code or "")[:20])
    year, month, quarter, semester = match.groups()
    year = int(year)
    if month is not None:
        if not 1 <= int(month) <= 12:
            raise ReportError("period_invalid", field=field, value=code[:20])
        period = Period(PeriodType.MONTH, datetime.date(year, int(month), 1))
    elif quarter is not None:
        period = Period(PeriodType.QUARTER, datetime.date(year, (int(quarter) - 1) * 3 + 1, 1))
    elif semester is not None:
        period = Period(PeriodType.SEMESTER, datetime.date(year, (int(semester) - 1) * 6 + 1, 1))
    else:
        period = Period(PeriodType.YEAR, datetime.date(year, 1, 1))
    if period.end < PROGRAMME_START or year > 2100:
        raise ReportError("period_out_of_range", field=field, value=code[:20])
    return period


def periods_ending_on(day: datetime.date) -> list[Period]:
    """Every period whose last day is `day` (a month always; a quarter, semester and
    year at their ends), shortest first."""
    if (day + datetime.timedelta(days=1)).day != 1:
        return []
    return [
        period for period in (period_of(t, day) for t in PeriodType.values) if period.end == day
    ]


def period_last_ended(period_type: str, on: datetime.date | None = None) -> Period:
    """The latest period of `period_type` that is over on `on` (default today)."""
    current = period_of(period_type, on or today())
    return period_of(period_type, current.start - datetime.timedelta(days=1))


def period_months(period: Period) -> list[Period]:
    return [Period(PeriodType.MONTH, start) for start in period.month_starts()]

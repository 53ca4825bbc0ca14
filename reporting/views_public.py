"""The public transparency page on the portal, without sign-in: the nation per province
(/transparansi/), a province per kabupaten/kota (/transparansi/74/), a kabupaten/kota
per LPA (/transparansi/74/74.71/), for a period (?periode=, by default the last month
that has ended, whose figures are final), as headline numbers, a bar chart drawn here
as SVG (no script) and a table of the same numbers. The figures: reporting.transparency.

An unknown period or area is a 400 or 404 page saying so, never a 500. Anonymous
answers may be kept by shared caches for as long as the server keeps the figures; a
signed-in user's page carries their name and sign-out form, so it is private.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from askesos.dates import today
from askesos.money import format_number, format_rupiah
from reporting.dashboards import NATION
from reporting.errors import ReportError
from reporting.models import FactLevel
from reporting.periods import Period, PeriodType, period_of
from reporting.transparency import (
    CACHE_SECONDS,
    PUBLIC_LABELS,
    PublicRow,
    Transparency,
    transparency_figures,
    transparency_period,
)

# What the chart can show (?ukuran=), the first by default.
MEASURES = {
    "peserta": "participants",
    "lpa": "lpas",
    "premi": "premiums_collected",
    "klaim": "claims_paid_amount",
}
MONEY = {"premiums_collected", "claims_paid_amount"}
# Chart geometry in CSS pixels: a label line above each bar, so that a long
# kabupaten/kota name never squeezes the bar on a phone. Bars take up to BAR_SHARE of
# the width, leaving room at the right for the value.
ROW_HEIGHT, LABEL_Y, BAR_Y, BAR_HEIGHT, BAR_SHARE = 40, 14, 20, 14, 68.0
PERIOD_CHOICES = {"months": 24, "quarters": 8, "years": 5}
CHILD_HEADINGS = {
    FactLevel.PROVINCE.value: gettext_lazy("Province"),
    FactLevel.REGENCY.value: gettext_lazy("Kabupaten/kota"),
    FactLevel.LPA.value: gettext_lazy("LPA"),
}


@dataclass
class Bar:
    label: str
    value: str
    width: str  # percent of the chart's width, written with a dot
    label_y: int
    bar_y: int
    value_y: int
    href: str


@dataclass
class Chart:
    title: str
    bars: list[Bar]
    height: int
    left_out: int  # areas with nothing to draw (the table lists them)


def _written(name: str, value: int) -> str:
    return format_rupiah(value) if name in MONEY else format_number(value)


def _any(row: PublicRow) -> bool:
    return any(getattr(row, name) for name in PUBLIC_LABELS)


def _row_href(figures: Transparency, row: PublicRow, query: str) -> str:
    """Where a row leads: a province to its kabupaten/kota, a kabupaten/kota to its
    LPAs; an LPA nowhere (its people are not public)."""
    if row.level == FactLevel.PROVINCE:
        return reverse("transparency-province", args=[row.code]) + query
    if row.level == FactLevel.REGENCY:
        return reverse("transparency-regency", args=[figures.area.code, row.code]) + query
    return ""


def chart_of(figures: Transparency, measure: str, query: str = "") -> Chart:
    """Horizontal bars, largest first, of the areas with a value above zero."""
    drawn = sorted(
        (row for row in figures.rows if getattr(row, measure) > 0),
        key=lambda row: (-getattr(row, measure), row.name),
    )
    top = max((getattr(row, measure) for row in drawn), default=0)
    bars = [
        Bar(
            label=row.name,
            value=_written(measure, getattr(row, measure)),
            width=f"{getattr(row, measure) * BAR_SHARE / top:.2f}",
            label_y=n * ROW_HEIGHT + LABEL_Y,
            bar_y=n * ROW_HEIGHT + BAR_Y,
            value_y=n * ROW_HEIGHT + BAR_Y + BAR_HEIGHT - 2,
            href=_row_href(figures, row, query),
        )
        for n, row in enumerate(drawn)
    ]
    return Chart(
        title=str(PUBLIC_LABELS[measure]),
        bars=bars,
        height=max(len(bars), 1) * ROW_HEIGHT,
        left_out=len(figures.rows) - len(bars),
    )


def period_options(chosen: Period) -> list[tuple[str, list[Period]]]:
    """The periods offered: recent months, quarters and years that have begun (the
    current ones too, their figures provisional), and the one asked for."""
    day = today()
    groups = []
    for label, kind, count in (
        (_("Months"), PeriodType.MONTH, PERIOD_CHOICES["months"]),
        (_("Quarters"), PeriodType.QUARTER, PERIOD_CHOICES["quarters"]),
        (_("Years"), PeriodType.YEAR, PERIOD_CHOICES["years"]),
    ):
        periods = [period_of(kind, day)]
        while len(periods) < count:
            periods.append(period_of(kind, periods[-1].start - datetime.timedelta(days=1)))
        groups.append((label, periods))
    if not any(chosen in periods for _label, periods in groups):
        groups.insert(0, (_("Chosen"), [chosen]))
    return groups


def _crumbs(figures: Transparency, query: str) -> list[tuple[str, str]]:
    """The way back up: the nation, and the province above a kabupaten/kota."""
    area = figures.area
    if area.level == NATION:
        return []
    crumbs = [(_("Indonesia"), reverse("transparency") + query)]
    if area.level == FactLevel.REGENCY:
        crumbs.append(
            (figures.province_name, reverse("transparency-province", args=[area.province]) + query)
        )
    return crumbs


def _refused(request: HttpRequest, error: ReportError) -> HttpResponse:
    return render(
        request,
        "reporting/public/refused.html",
        {"error": error, "title": _("These figures cannot be shown")},
        status=error.http_status,
    )


def transparency_page(request: HttpRequest, province: str = "", regency: str = "") -> HttpResponse:
    try:
        period = transparency_period(request.GET.get("periode"), field="periode")
        figures = transparency_figures(period=period, province=province, regency=regency)
    except ReportError as error:
        return _refused(request, error)
    measure_key = request.GET.get("ukuran", "")
    if measure_key not in MEASURES:
        measure_key = next(iter(MEASURES))
    # Links down and up keep the period and the chart asked for.
    asked = {
        k: v for k, v in (("periode", period.code), ("ukuran", measure_key)) if k in request.GET
    }
    query = "?" + urlencode(asked) if asked else ""
    money = {name: _written(name, getattr(figures.total, name)) for name in MONEY}
    response = render(
        request,
        "reporting/public/transparency.html",
        {
            "figures": figures,
            "period": period,
            "crumbs": _crumbs(figures, query),
            "headlines": [
                (str(label), _written(name, getattr(figures.total, name)))
                for name, label in PUBLIC_LABELS.items()
            ],
            "rows": [
                (
                    row,
                    _row_href(figures, row, query),
                    {n: _written(n, getattr(row, n)) for n in MONEY},
                )
                for row in figures.rows
                if _any(row)
            ],
            # Listed by name only: a phone would scroll past a card of zeros for each.
            "empty": [
                (row.name, _row_href(figures, row, query)) for row in figures.rows if not _any(row)
            ],
            "total_money": money,
            "labels": {name: str(label) for name, label in PUBLIC_LABELS.items()},
            "child_heading": CHILD_HEADINGS[figures.child_level],
            "chart": chart_of(figures, MEASURES[measure_key], query),
            "measures": [(key, str(PUBLIC_LABELS[name])) for key, name in MEASURES.items()],
            "measure": measure_key,
            "period_groups": period_options(period),
        },
    )
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, max_age=0)
    else:
        patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    # The language is chosen by a cookie (askesos.middleware.LanguageMiddleware).
    patch_vary_headers(response, ["Cookie"])
    return response

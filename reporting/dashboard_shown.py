"""What the government dashboard shows, shaped from the selectors' answers
(reporting.dashboards): numbers written the Indonesian way (1.234, Rp 5.000, 85,3%),
the change against the period before in signs and in words, and every chart as data
that the page draws (reporting/static/reporting/dashboard.js) and also prints as a
table, so that the figures are the same with or without JavaScript."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from askesos.money import format_number, format_rupiah
from reporting.dashboards import ChildRow, Headline, TrendPoint
from reporting.periods import Period

COUNT, MONEY, PERCENT, DAYS = "count", "money", "percent", "days"


def format_decimal(value: float, places: int = 1) -> str:
    """85.3 -> 85,3 and 1234.5 -> 1.234,5 (a whole number without decimals)."""
    number = round(float(value), places)
    if number == int(number):
        return format_number(int(number))
    whole, fraction = f"{abs(number):.{places}f}".split(".")
    return f"{'-' if number < 0 else ''}{format_number(int(whole))},{fraction}"


def format_percent(value: float) -> str:
    """Always one decimal, as the reports print a rate: 85,3% and 100,0%."""
    whole, fraction = f"{abs(float(value)):.1f}".split(".")
    return f"{'-' if value < 0 else ''}{format_number(int(whole))},{fraction}%"


def shown(value: float | int | None, kind: str) -> str:
    if value is None:
        return "–"
    if kind == MONEY:
        return format_rupiah(int(value))
    if kind == PERCENT:
        return format_percent(value)
    if kind == DAYS:
        return format_decimal(value)
    return format_number(int(value))


def change_shown(change: float | int, kind: str) -> str:
    """A change with its sign: +1.234, −Rp 5.000, +2,1 points, −0,5 days."""
    sign = "+" if change > 0 else ("−" if change < 0 else "±")
    size = abs(change)
    if kind == PERCENT:
        return _("%(sign)s%(n)s points") % {"sign": sign, "n": format_decimal(size)}
    if kind == DAYS:
        return _("%(sign)s%(n)s days") % {"sign": sign, "n": format_decimal(size)}
    return sign + shown(size, kind)


# Whether a rise is good news (colour only: the words say up or down either way).
RISE_IS_GOOD = {
    "lpas": True,
    "participants_active": True,
    "premiums_collected": True,
    "collection_rate": True,
    "reserve_closing": True,
    "median_days": False,
}


@dataclass
class Shown:
    """One headline figure as the page writes it."""

    key: str
    label: str
    value: float | int | None
    text: str
    change: str  # "+1.234", or "" when there is nothing to compare
    direction: str  # up, down, same, none
    tone: str  # good, bad or "" (neither)
    words: str  # the change for a screen reader


@dataclass
class Card:
    main: Shown
    extras: list[Shown] = field(default_factory=list)


def headline_shown(headline: Headline, before: Period) -> Shown:
    change = headline.change
    when = before.label
    if change is None:
        direction, text = "none", ""
        words = _("no figure to compare for %(period)s") % {"period": when}
    elif change == 0:
        direction, text = "same", change_shown(0, headline.kind)
        words = _("unchanged from %(period)s") % {"period": when}
    else:
        direction = "up" if change > 0 else "down"
        text = change_shown(change, headline.kind)
        size = change_shown(abs(change), headline.kind).lstrip("+")
        template = (
            _("up %(change)s from %(period)s")
            if change > 0
            else _("down %(change)s from %(period)s")
        )
        words = template % {"change": size, "period": when}
    good = RISE_IS_GOOD.get(headline.key)
    tone = ""
    if good is not None and direction in ("up", "down"):
        tone = "good" if (direction == "up") == good else "bad"
    return Shown(
        headline.key,
        headline.label,
        headline.value,
        shown(headline.value, headline.kind),
        text,
        direction,
        tone,
        words,
    )


# The cards of the headline list: a figure and the ones read beside it.
CARD_GROUPS = {
    "lpas": (),
    "participants_active": (),
    "premiums_collected": ("collection_rate",),
    "claims_paid": ("claims_paid_amount", "median_days"),
    "reserve_closing": (),
    "savings_owed": (),
}


def cards_shown(headlines: Iterable[Headline], before: Period) -> list[Card]:
    by_key = {h.key: headline_shown(h, before) for h in headlines}
    return [
        Card(by_key[key], [by_key[extra] for extra in extras])
        for key, extras in CARD_GROUPS.items()
    ]


@dataclass
class Series:
    label: str
    values: list[float | int | None]
    kind: str = COUNT
    drawn: bool = True  # False: in the table only (another unit than the chart's axis)

    def texts(self) -> list[str]:
        return [shown(v, self.kind) for v in self.values]


@dataclass
class Chart:
    """A chart's numbers: drawn by the page's script and written out as a table."""

    key: str
    title: str
    kind: str  # line or bar
    labels: list[str]
    series: list[Series]
    horizontal: bool = False
    links: list[str] = field(default_factory=list)  # a bar's drill-down address

    def rows(self) -> list[tuple[str, list[str]]]:
        texts = [s.texts() for s in self.series]
        return [(label, [t[i] for t in texts]) for i, label in enumerate(self.labels)]

    def data(self) -> dict[str, Any]:
        return {
            "type": self.kind,
            "horizontal": self.horizontal,
            "labels": self.labels,
            "links": self.links,
            "series": [
                {"label": s.label, "values": s.values, "kind": s.kind}
                for s in self.series
                if s.drawn
            ],
        }


def month_label(period: Period) -> str:
    return date_format(period.start, "M Y")


def trend_charts(points: list[TrendPoint]) -> list[Chart]:
    labels = [month_label(p.month) for p in points]

    def column(name: str) -> list[int]:
        return [p.values[name] for p in points]

    return [
        Chart(
            "trend-participants",
            _("Active participants"),
            "line",
            labels,
            [
                Series(_("Active participants"), column("participants_active")),
                Series(_("Covered (registered or active)"), column("participants_open")),
            ],
        ),
        Chart(
            "trend-premiums",
            _("Premiums collected and due"),
            "line",
            labels,
            [
                Series(_("Premiums collected"), column("premiums_collected"), MONEY),
                Series(_("Premiums due"), column("premiums_due"), MONEY),
                Series(_("Collection rate"), [p.collection_rate for p in points], PERCENT, False),
            ],
        ),
        Chart(
            "trend-claims",
            _("Claims paid"),
            "line",
            labels,
            [
                Series(_("Claims paid"), column("claims_paid")),
                Series(_("Claims paid (amount)"), column("claims_paid_amount"), MONEY, False),
            ],
        ),
    ]


@dataclass(frozen=True)
class Metric:
    label: Any
    kind: str
    value: Callable[[ChildRow], float | int | None]


# What colours the province tiles and sizes the bars of the areas below (?metric=).
METRICS = {
    "participants": Metric(
        gettext_lazy("Active participants"), COUNT, lambda r: r.values["participants_active"]
    ),
    "lpas": Metric(gettext_lazy("LPAs taking part"), COUNT, lambda r: r.values["lpas"]),
    "premiums": Metric(
        gettext_lazy("Premiums collected"), MONEY, lambda r: r.values["premiums_collected"]
    ),
    "collection": Metric(gettext_lazy("Collection rate"), PERCENT, lambda r: r.collection_rate),
    "claims": Metric(gettext_lazy("Claims paid"), COUNT, lambda r: r.values["claims_paid"]),
    "reserve": Metric(
        gettext_lazy("Claim reserve held"), MONEY, lambda r: r.values["reserve_closing"]
    ),
}
DEFAULT_METRIC = "participants"


@dataclass
class ChildShown:
    """An area below with its drill-down address and the chosen metric's value."""

    row: ChildRow
    url: str
    metric: float | int | None


def children_shown(
    children: list[ChildRow], url_of: Callable[[Any], str], metric: str
) -> list[ChildShown]:
    value = METRICS[metric].value
    return [ChildShown(child, url_of(child.area), value(child)) for child in children]


def child_active(child: ChildShown) -> bool:
    """An area below with an LPA taking part or anything to show in the period."""
    values = child.row.values
    return bool(values["lpas"] or values["participants_open"] or child.metric)


def children_chart(children: list[ChildShown], metric: str, title: str) -> Chart:
    """The areas below as bars, largest first; areas with no LPA taking part and
    nothing to show are left to the table."""
    chosen = METRICS[metric]
    bars = [c for c in children if child_active(c)]
    bars.sort(key=lambda c: (c.metric is None, -(c.metric or 0), c.row.area.name))
    return Chart(
        "children",
        title,
        "bar",
        [c.row.area.name for c in bars],
        [Series(str(chosen.label), [c.metric for c in bars], chosen.kind)],
        horizontal=True,
        links=[c.url for c in bars],
    )


def breakdown_charts(breakdowns: dict[str, dict[str, int]]) -> list[Chart]:
    """Covered participants by sex and by age band on the period's last day, and the
    claims paid in the period by type (count drawn, amount in the table)."""
    from programme.claims.labels import BENEFIT_LABELS
    from programme.participants.models import Sex
    from reporting.figures import AGE_BANDS

    sex, age = breakdowns.get("sex", {}), breakdowns.get("age", {})
    paid, amounts = breakdowns.get("paid", {}), breakdowns.get("paid_amount", {})
    known = list(BENEFIT_LABELS)
    types = sorted(
        set(paid) | set(amounts),
        key=lambda b: (b not in known, known.index(b) if b in known else 0, b),
    )
    participants = _("Participants")
    return [
        Chart(
            "by-sex",
            _("Covered participants by sex"),
            "bar",
            [str(s.label) for s in Sex],
            [Series(participants, [sex.get(s.value, 0) for s in Sex])],
            horizontal=True,
        ),
        Chart(
            "by-age",
            _("Covered participants by age"),
            "bar",
            [band for _low, _high, band in AGE_BANDS],
            [Series(participants, [age.get(band, 0) for _low, _high, band in AGE_BANDS])],
        ),
        Chart(
            "claims-by-type",
            _("Claims paid by type"),
            "bar",
            [str(BENEFIT_LABELS.get(b, b)) for b in types],
            [
                Series(_("Claims paid"), [paid.get(b, 0) for b in types]),
                Series(_("Amount"), [amounts.get(b, 0) for b in types], MONEY, False),
            ],
            horizontal=True,
        ),
    ]


def lpa_rows_shown(rows: Iterable[Any], url_of: Callable[[str], str]) -> list[Any]:
    """The ranking's rows with their states in words and their addresses
    (`url_of(slug)`)."""
    from reporting.models import ReconciliationStatus, ReportState

    states = dict(ReconciliationStatus.State.choices)
    reports = dict(ReportState.choices)
    rows = list(rows)
    for row in rows:
        row.reconciliation_label = str(states.get(row.reconciliation, "")) or "–"
        row.report_label = str(reports.get(row.report_state, "")) or _("No report yet")
        row.url = url_of(row.slug)
    return rows

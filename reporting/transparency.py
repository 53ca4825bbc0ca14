"""The public transparency figures (the pocket book: accountability is open to the
public), shown without sign-in on the portal's page (reporting/views_public.py) and
its API: per province of the nation, per kabupaten/kota of a province, or per LPA of a
kabupaten/kota, in a period, the LPAs taking part, participants, premiums collected and
claims paid (count and amount).

They are read through the dashboards' selectors (reporting.dashboards.area_children),
so they equal the government's figures. Aggregates only: no participant, officer or
claimant appears; LPAs are named, as the public institutions they are, with their
totals. Kept in Django's cache (Redis) per area and period for CACHE_SECONDS, language
apart (names come from the wilayah; labels are written when the page is), so a reload
costs no query and a crowd reads a few cached rows.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from askesos.dates import today
from reporting.dashboards import NATION, Area, Filters, area_children
from reporting.errors import AreaNotFound, ReportError
from reporting.models import FactLevel
from reporting.periods import Period, PeriodType, period_last_ended, period_parse

CACHE_SECONDS = 300
_CACHE_VERSION = 1  # raised when the cached shape changes, so a deploy reads no old rows
# The public figures and the fact columns they come from. Participants are those with an
# open policy (registered or active) on the period's last day: the pocket book's
# "number of participants", as the dashboards' indicators count them.
PUBLIC_COLUMNS = {
    "lpas": "lpas",
    "participants": "participants_open",
    "premiums_collected": "premiums_collected",
    "claims_paid": "claims_paid",
    "claims_paid_amount": "claims_paid_amount",
}
PUBLIC_LABELS = {
    "lpas": _("LPAs taking part"),
    "participants": _("Participants"),
    "premiums_collected": _("Premiums collected"),
    "claims_paid": _("Claims paid"),
    "claims_paid_amount": _("Claims paid (amount)"),
}
_PROVINCE = re.compile(r"^\d{2}$")
_REGENCY = re.compile(r"^\d{2}\.\d{2}$")


@dataclass(frozen=True)
class PublicRow:
    """One area's public figures: a province, a kabupaten/kota or an LPA (`code` is
    its slug), or the total of the area shown."""

    level: str
    code: str
    name: str
    lpas: int
    participants: int
    premiums_collected: int
    claims_paid: int
    claims_paid_amount: int


@dataclass(frozen=True)
class Transparency:
    area: Area
    period: Period
    rows: tuple[PublicRow, ...]
    total: PublicRow
    province_name: str = ""  # of the province shown or above the kabupaten/kota shown

    @property
    def child_level(self) -> str:
        return {
            NATION: FactLevel.PROVINCE.value,
            FactLevel.PROVINCE: FactLevel.REGENCY.value,
        }.get(self.area.level, FactLevel.LPA.value)

    @property
    def final(self) -> bool:
        """The period has ended: its figures no longer change with new entries."""
        return self.period.has_ended(today())


def transparency_period(code: str | None, *, field: str = "period") -> Period:
    """The period asked for: by default the last month that has ended (final figures);
    a period not begun yet, malformed or outside the programme's years is a 400."""
    code = (code or "").strip()
    if not code:
        return period_last_ended(PeriodType.MONTH)
    period = period_parse(code, field=field)
    if period.start > today():
        raise ReportError("period_future", field=field, value=code[:20])
    return period


def transparency_area(*, province: str = "", regency: str = "") -> tuple[Area, str]:
    """The nation, a province, or a kabupaten/kota (of `province` when both are given),
    and the name of its province; an unknown one is a 404 naming the parameter."""
    from askesos.geo.models import Province, Regency

    if regency:
        regencies = Regency.objects.select_related("province").filter(pk=regency)
        found = regencies.first() if _REGENCY.match(regency) else None
        if found is None or (province and found.province_id != province):
            raise AreaNotFound("area_unknown", field="regency", value=regency[:10])
        return Area(
            FactLevel.REGENCY, found.pk, found.name, found.province_id, found.pk
        ), found.province.name
    if province:
        found = Province.objects.filter(pk=province).first() if _PROVINCE.match(province) else None
        if found is None:
            raise AreaNotFound("area_unknown", field="province", value=province[:10])
        return Area(FactLevel.PROVINCE, found.pk, found.name, found.pk), found.name
    return Area(NATION, name=str(_("Indonesia"))), ""


def transparency_cache_key(*, period: Period, province: str = "", regency: str = "") -> str:
    where = f"regency:{regency}" if regency else f"province:{province}" if province else NATION
    return f"transparency:{_CACHE_VERSION}:{where}:{period.code}"


def transparency_figures(*, period: Period, province: str = "", regency: str = "") -> Transparency:
    """The public figures of the area one level down, from the cache when they are
    there (the area is looked up only on a miss: a hit costs no query)."""
    key = transparency_cache_key(period=period, province=province, regency=regency)
    found = cache.get(key)
    if found is not None:
        return found
    area, province_name = transparency_area(province=province, regency=regency)
    rows = tuple(
        PublicRow(
            child.area.level,
            child.area.code,
            child.area.name,
            **{name: int(child.values[column]) for name, column in PUBLIC_COLUMNS.items()},
        )
        for child in area_children(area, Filters(period=period))
    )
    # The children add up to their area: flows over the months, stocks on the last
    # month, and every LPA's rows sit under one kabupaten/kota and one province.
    total = PublicRow(
        area.level,
        area.code,
        area.name,
        **{name: sum(getattr(row, name) for row in rows) for name in PUBLIC_COLUMNS},
    )
    figures = Transparency(area, period, rows, total, province_name)
    cache.set(key, figures, CACHE_SECONDS)
    return figures


def transparency_etag(figures: Transparency, *, language: str) -> str:
    """A strong validator of the public answer: its figures and the language of its
    labels (the cached figures change only when the cache entry does)."""
    content = repr((figures.area, figures.period.code, figures.rows, language))
    return '"' + hashlib.sha256(content.encode()).hexdigest()[:32] + '"'

"""The drill-down log: every look of a government user at an area's dashboard (the
nation, a province, a kabupaten/kota or one LPA's summary) is written down, who, what
and when, so that the ministry can audit who looked where. Aggregates only are ever
shown on those pages, but where a user looked is itself worth knowing."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator

from reporting.dashboards import NATION, Area
from reporting.models import DrillView, FactLevel

QUERY_LIMIT = DrillView._meta.get_field("query").max_length
LOG_PAGE_SIZE = 50


def drill_view_record(*, user: Any, area: Area, query: str) -> DrillView:
    """One row per dashboard shown; `query` is the page's query string as asked
    (filters, period, order), cut to the column's length."""
    return DrillView.objects.create(
        user=user, level=area.level, area=area.code, query=query[:QUERY_LIMIT]
    )


def drill_views_page(*, page: Any) -> Page:
    """A page of the log, newest first, with each row's area named (`area_name`)."""
    rows = DrillView.objects.select_related("user", "user__government_scope")
    paged = Paginator(rows, LOG_PAGE_SIZE).get_page(page)
    names = _area_names(paged.object_list)
    for row in paged.object_list:
        row.area_name = names.get((row.level, row.area), row.area)
    return paged


def _area_names(rows: Any) -> dict[tuple[str, str], str]:
    from askesos.geo.models import Province, Regency
    from tenants.models import Lpa

    wanted: dict[str, set[str]] = {}
    for row in rows:
        wanted.setdefault(row.level, set()).add(row.area)
    names: dict[tuple[str, str], str] = {(NATION, ""): "Indonesia"}
    for level, model, key in (
        (FactLevel.PROVINCE, Province, "code"),
        (FactLevel.REGENCY, Regency, "code"),
        (FactLevel.LPA, Lpa, "slug"),
    ):
        codes = wanted.get(level)
        if codes:
            found = model.objects.filter(**{f"{key}__in": codes}).values_list(key, "name")
            names.update({(level.value, code): name for code, name in found})
    return names

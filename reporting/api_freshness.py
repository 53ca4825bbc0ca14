"""Conditional answers of the dashboard API (reporting/api_dashboard.py): an ETag
computed from what an answer would read before reading it, and a 304 when the client
already holds that answer.

A dashboard answer's freshness is the newest computed_at and the count of the area's
own fact rows over the months it reads: a change below the area rewrites those rows in
the same transaction (reporting.rollup._area_refresh), so their newest computed_at dates
any change, and a vanished group of LPAs changes the count. One indexed aggregate; the
LPA table adds its reports' states. The tag also carries the caller's scope, the query
and the language (labels are translated), so two answers that could differ never share
a tag.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags
from rest_framework.response import Response

from reporting.dashboards import NATION, Area, Filters
from reporting.models import FactLevel
from reporting.transparency import CACHE_SECONDS

PRIVATE_SECONDS = 60

# Where the area's own fact rows and its LPAs' reports are, and the Area attribute
# that names it.
_OWN_ROWS = {
    NATION: ("level = 'province'", None),
    FactLevel.PROVINCE: ("level = 'province' AND province_id = %s", "code"),
    FactLevel.REGENCY: ("level = 'regency' AND regency_id = %s", "code"),
    FactLevel.LPA: ("level = 'lpa' AND lpa_id = %s", "lpa_id"),
}
_REPORTS_OF = {
    NATION: ("TRUE", None),
    FactLevel.PROVINCE: ("province_id = %s", "code"),
    FactLevel.REGENCY: ("regency_id = %s", "code"),
    FactLevel.LPA: ("lpa_id = %s", "lpa_id"),
}


def _fetch(sql: str, params: list[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def facts_freshness(area: Area, first: datetime.date, last: datetime.date) -> tuple:
    """The newest computed_at and the count of the area's fact rows from `first`'s month
    to `last`'s (an indexed aggregate over a few rows)."""
    where, attribute = _OWN_ROWS[area.level]
    params = [getattr(area, attribute)] if attribute else []
    return tuple(
        _fetch(
            f"SELECT max(computed_at), count(*) FROM reporting_fact WHERE {where} "
            "AND month BETWEEN %s AND %s",
            [*params, first, last],
        )[0]
    )


def reports_freshness(area: Area, filters: Filters) -> tuple:
    """The LPA reports of the area and period by state, with the latest submission and
    review: what the LPA table shows beside the facts."""
    where, attribute = _REPORTS_OF[area.level]
    params = [getattr(area, attribute)] if attribute else []
    period = filters.period
    return tuple(
        _fetch(
            f"""SELECT state, count(*), max(last_submitted_at), max(reviewed_at)
                FROM reporting_report WHERE level = 'lpa' AND {where}
                AND period_type = %s AND period_start = %s GROUP BY state ORDER BY state""",
            [*params, period.type, period.start],
        )
    )


def etag_of(*parts: Any) -> str:
    return '"' + hashlib.sha256(repr(parts).encode()).hexdigest()[:32] + '"'


def _matches(request: Any, tag: str) -> bool:
    """If-None-Match holds the tag (compared weakly: GZipMiddleware weakens the tags of
    the answers it compresses)."""
    sent = request.headers.get("If-None-Match")
    if not sent:
        return False
    tags = {t.removeprefix("W/") for t in parse_etags(sent)}
    return "*" in tags or tag in tags


def conditional(request: Any, tag: str, build: Callable[[], Any], *, public: bool) -> Response:
    """304 when the client holds the answer (`build` is not called), else the answer;
    both with the ETag and the cache headers."""
    response = Response(status=304) if _matches(request, tag) else Response(build())
    response["ETag"] = tag
    if public:
        patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    else:
        patch_cache_control(response, private=True, max_age=PRIVATE_SECONDS)
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response

"""The rollup facts behind the government's dashboards (docs/subsystems/dashboards.md).

Each LPA's month is computed once, inside its schema, by the same function as its
period reports (reporting.figures.month_figures), and kept in public as one Fact row
with the LPA's kabupaten/kota and province beside it. The kabupaten/kota and province
rows are the sums of the rows below them per group of LPAs that the filters tell
apart (scheme and subsidy channels), recomputed from those rows (never adjusted by a
difference) whenever one of them changes, so a dashboard reads a few rows.

Kept fresh two ways:
- near-real-time: a change in an LPA writes a mark in its own transaction (a trigger,
  reporting/migrations/0008); `rollup_sweep`, every 10 seconds, sends one refresh per
  LPA marked, of the months from the earliest marked to the current one;
- daily: the `reports` job refreshes every active LPA's current month (claims become
  overdue as days pass without any change), and at a month's end writes the ended
  month's final figures from the same computation as its report.

One LPA's refreshes never overlap (an advisory lock per LPA, held while computing and
writing), so an older computation never overwrites a newer one; an area's sum is
written under the area's lock, kabupaten/kota before province, so two LPAs of one area
never lose each other's rows and never deadlock.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping

from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.utils import timezone

from askesos.dates import today
from reporting.figures import derived, figures_add, month_figures, scheme_rules
from reporting.models import FACT_COLUMNS, Fact, FactLevel
from reporting.periods import Period, PeriodType
from tenants.models import Lpa, LpaStatus

CHANNEL_BITS = {"apbn": 1, "dekonsentrasi": 2}
HISTORY_MONTHS = 36  # how far back a mark or a rebuild reaches
_LOCK_CLASS = 7201  # pg_advisory_xact_lock(class, key): the rollup's own locks


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def months_between(first: datetime.date, last: datetime.date) -> list[Period]:
    """The months from `first`'s to `last`'s, both included (at most HISTORY_MONTHS,
    the latest ones)."""
    first, last = month_start(first), month_start(last)
    months = []
    while first <= last:
        months.append(Period(PeriodType.MONTH, first))
        first += relativedelta(months=1)
    return months[-HISTORY_MONTHS:]


def _lock(kind: str, key: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_LOCK_CLASS, f"{kind}:{key}"]
        )


def _column_values(figures: Mapping[str, int]) -> dict[str, int]:
    """The headline columns of one month's figures (a figure with a breakdown is summed
    over it: claims paid of every type)."""
    values = dict.fromkeys(FACT_COLUMNS, 0)
    for column, key in FACT_COLUMNS.items():
        if ":" in key:
            values[column] = figures.get(key, 0)
        else:
            values[column] = sum(
                value
                for name, value in figures.items()
                if name == key or name.startswith(key + ":")
            )
    return values


def _days(figures: Mapping[str, int]) -> dict[str, int]:
    prefix = "claims.days:"
    return {k[len(prefix) :]: v for k, v in figures.items() if k.startswith(prefix)}


def lpa_channels(*, lpa_id: int, year: int) -> int:
    """The subsidy channels (as CHANNEL_BITS) through which the LPA was allocated money
    in the fiscal year `year`."""
    from programme.subsidies.models import LpaAllocation

    channels = LpaAllocation.objects.filter(
        lpa_id=lpa_id, province_allocation__budget__year=year
    ).values_list("province_allocation__budget__channel", flat=True)
    bits = 0
    for channel in set(channels):
        bits |= CHANNEL_BITS.get(channel, 0)
    return bits


def lpa_facts_refresh(
    *,
    lpa: Lpa,
    months: Iterable[Period],
    computed: Mapping[datetime.date, Mapping[str, int]] | None = None,
    areas: bool = True,
) -> int:
    """Compute the LPA's figures for `months` (inside its schema: the connection must be
    in it) and write its Fact rows and its areas' sums. `computed` gives months already
    computed by the caller (the month-end report); `areas=False` leaves the areas to
    `areas_rebuild` (a rebuild of every LPA). Returns the months written."""
    months = list(months)
    if not months:
        return 0
    now, day = timezone.now(), today()
    schemes = None
    regency = lpa.regency
    scheme = lpa.scheme_version.code
    channels_of: dict[int, int] = {}
    with transaction.atomic():
        _lock("lpa", str(lpa.pk))
        rows = []
        for month in months:
            if computed is not None and month.start in computed:
                figures = dict(computed[month.start])
            else:
                schemes = scheme_rules() if schemes is None else schemes
                figures = month_figures(month, schemes=schemes)
            year = month.start.year
            if year not in channels_of:
                channels_of[year] = lpa_channels(lpa_id=lpa.pk, year=year)
            median = derived(figures)["median_days_all"]
            state = next(
                (k.split(":", 1)[1] for k in figures if k.startswith("reconciliation.state:")),
                "",
            )
            rows.append(
                Fact(
                    level=FactLevel.LPA,
                    month=month.start,
                    province_id=regency.province_id,
                    regency_id=regency.pk,
                    lpa_id=lpa.pk,
                    scheme=scheme,
                    channels=channels_of[year],
                    lpas=int(
                        lpa.status == LpaStatus.ACTIVE and figures.get("participants.open", 0) > 0
                    ),
                    claims_days_median=median,
                    reconciliation=state,
                    figures=figures,
                    claims_days=_days(figures),
                    final=month.has_ended(day),
                    computed_at=now,
                    **_column_values(figures),
                )
            )
        if areas:
            _lock("regency", regency.pk)
            _lock("province", regency.province_id)
        starts = [month.start for month in months]
        Fact.objects.filter(level=FactLevel.LPA, lpa_id=lpa.pk, month__in=starts).delete()
        Fact.objects.bulk_create(rows)
        for start in starts if areas else ():
            _area_refresh(FactLevel.REGENCY, start, regency.pk, now=now)
            _area_refresh(FactLevel.PROVINCE, start, regency.province_id, now=now)
    return len(rows)


_SUMMED = ("lpas", *FACT_COLUMNS)


def _area_refresh(level: str, month: datetime.date, code: str, *, now: datetime.datetime) -> None:
    """Recompute an area's rows for one month from the rows one level below (the
    caller holds the area's lock)."""
    if level == FactLevel.REGENCY:
        below = Fact.objects.filter(level=FactLevel.LPA, month=month, regency_id=code)
        area = {"regency_id": code}
    else:
        below = Fact.objects.filter(level=FactLevel.REGENCY, month=month, province_id=code)
        area = {"regency_id": None}
    groups: dict[tuple[str, int], list[Fact]] = defaultdict(list)
    fields = ("province_id", "scheme", "channels", "final", "figures", "claims_days", *_SUMMED)
    for fact in below.only(*fields):
        groups[(fact.scheme, fact.channels)].append(fact)
    rows = [
        Fact(
            level=level,
            month=month,
            province_id=facts[0].province_id,
            lpa_id=None,
            scheme=scheme,
            channels=channels,
            figures=figures_add(fact.figures for fact in facts),
            claims_days=figures_add(fact.claims_days for fact in facts),
            final=all(fact.final for fact in facts),
            computed_at=now,
            **area,
            **{column: sum(getattr(fact, column) for fact in facts) for column in _SUMMED},
        )
        for (scheme, channels), facts in groups.items()
    ]
    mine = {"regency_id": code} if level == FactLevel.REGENCY else {"province_id": code}
    Fact.objects.filter(level=level, month=month, **mine).delete()
    Fact.objects.bulk_create(rows)


def areas_refresh(*, regency, months: Iterable[datetime.date]) -> None:
    """Recompute a kabupaten/kota's and its province's sums for `months` from the rows
    below them: after an LPA's own rows were written from elsewhere (a restore,
    tenants.backup)."""
    now = timezone.now()
    with transaction.atomic():
        _lock("regency", regency.pk)
        _lock("province", regency.province_id)
        for month in months:
            _area_refresh(FactLevel.REGENCY, month, regency.pk, now=now)
            _area_refresh(FactLevel.PROVINCE, month, regency.province_id, now=now)


def lpa_facts_since(*, lpa: Lpa, since: datetime.date) -> int:
    """The near-real-time refresh: the LPA's months from `since`'s to the current."""
    return lpa_facts_refresh(lpa=lpa, months=months_between(min(since, today()), today()))


def marks_take(*, limit: int = 5000) -> tuple[dict[str, datetime.date], int]:
    """Take (delete) up to `limit` marks, oldest first, skipping those another sweep
    holds; returns the earliest month marked per schema, and how many marks. The
    caller's transaction keeps them until the refreshes are sent."""
    with connection.cursor() as cursor:
        cursor.execute(
            """DELETE FROM reporting_factmark WHERE id IN (
                   SELECT id FROM reporting_factmark ORDER BY id LIMIT %s
                   FOR UPDATE SKIP LOCKED)
               RETURNING schema_name, month""",
            [limit],
        )
        marks = cursor.fetchall()
    earliest: dict[str, datetime.date] = {}
    for schema, month in marks:
        if schema not in earliest or month < earliest[schema]:
            earliest[schema] = month
    return earliest, len(marks)


def facts_rebuild(
    *, lpa: Lpa, since: datetime.date, until: datetime.date | None = None, areas: bool = True
) -> int:
    """Every month of one LPA from `since` to `until` (default: the current month),
    inside its schema: for a new deployment, or after a change of the figures."""
    return lpa_facts_refresh(lpa=lpa, months=months_between(since, until or today()), areas=areas)


def _sum_json(column: str, below: str, match: str) -> str:
    return f"""(SELECT coalesce(jsonb_object_agg(key, total), '{{}}')
               FROM (SELECT e.key, sum(e.value::bigint) AS total
                     FROM reporting_fact b, jsonb_each_text(b.{column}) e
                     WHERE b.level = '{below}' AND b.month = f.month AND {match}
                       AND b.scheme = f.scheme AND b.channels = f.channels
                     GROUP BY e.key HAVING sum(e.value::bigint) <> 0) s)"""


def areas_rebuild(*, first: datetime.date, last: datetime.date) -> int:
    """Every kabupaten/kota's and province's rows of the months `first` to `last`,
    recomputed from the LPAs' rows in two statements (after `facts_rebuild` of every
    LPA with `areas=False`). The table is locked against refreshes meanwhile. Returns
    the rows written."""
    summed = ", ".join(f"sum({column})" for column in _SUMMED)
    columns = ", ".join(_SUMMED)
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE reporting_fact IN SHARE ROW EXCLUSIVE MODE")
        for level, below, area, match in (
            ("regency", "lpa", "regency_id", "b.regency_id = f.regency_id"),
            ("province", "regency", "NULL::varchar", "b.province_id = f.province_id"),
        ):
            cursor.execute(
                "DELETE FROM reporting_fact WHERE level = %s AND month BETWEEN %s AND %s",
                [level, first, last],
            )
            group = "f.regency_id" if level == "regency" else "f.province_id"
            cursor.execute(
                f"""INSERT INTO reporting_fact (level, month, province_id, regency_id, lpa_id,
                        scheme, channels, {columns}, claims_days_median, reconciliation,
                        figures, claims_days, final, computed_at)
                    SELECT %s, f.month, f.province_id, {area.replace("regency_id", "f.regency_id")},
                           NULL, f.scheme, f.channels, {summed}, NULL, '',
                           {_sum_json("figures", below, match)},
                           {_sum_json("claims_days", below, match)},
                           bool_and(f.final), now()
                    FROM reporting_fact f
                    WHERE f.level = %s AND f.month BETWEEN %s AND %s
                    GROUP BY f.month, f.province_id, {group}, f.scheme, f.channels""",
                [level, below, first, last],
            )
            written += cursor.rowcount
    return written

"""The rollup facts: every dashboard figure of a kabupaten/kota, a province and the
nation equals a direct recount over the LPAs' own tables (tests/reporting/
test_report_figures.direct, written with the ORM); a change in an LPA marks its month
in the same transaction, and the sweep's refresh moves the national figures."""

from __future__ import annotations

import datetime
from collections import Counter

from django.db import transaction
from django_tenants.utils import schema_context

from reporting.dashboards import (
    NATION,
    Area,
    Filters,
    area_breakdowns,
    area_children,
    area_summary,
    area_trend,
    lpa_table,
)
from reporting.models import FactLevel, FactMark
from reporting.periods import Period
from reporting.rollup import lpa_facts_refresh, marks_take
from tests.reporting.report_helpers import MONTHS, Q3
from tests.reporting.test_report_figures import direct, twenty_lpas  # noqa: F401, F811


def facts_build(lpas) -> None:
    for lpa in lpas:
        with schema_context(lpa.schema_name):
            lpa_facts_refresh(lpa=lpa, months=MONTHS)


HEADLINE = {
    "participants_active": "participants.status:active",
    "participants_open": "participants.open",
    "premiums_due": "premiums.due",
    "premiums_collected": "premiums.collected",
    "reserve_closing": "reserve.closing",
    "savings_owed": "savings.owed",
    "subsidy_in": "reserve.subsidy_in",
}


def recount(lpas, month: Period) -> Counter:
    total: Counter = Counter()
    for lpa in lpas:
        with schema_context(lpa.schema_name):
            figures = direct(month)
        for column, key in HEADLINE.items():
            total[column] += figures.get(key, 0)
        total["lpas"] += int(figures.get("participants.open", 0) > 0)
    return total


def test_every_dashboard_figure_equals_a_direct_recount_per_regency_province_and_nation(
    twenty_lpas,  # noqa: F811
):
    facts_build(twenty_lpas)
    regency = twenty_lpas[0].regency
    areas = [
        (Area(NATION), twenty_lpas),
        (
            Area(FactLevel.PROVINCE, "74", province="74"),
            [x for x in twenty_lpas if x.regency.province_id == "74"],
        ),
        (
            Area(FactLevel.REGENCY, regency.pk, province=regency.province_id, regency=regency.pk),
            [x for x in twenty_lpas if x.regency_id == regency.pk],
        ),
    ]
    for area, lpas in areas:
        for month in MONTHS:
            summary = area_summary(area, Filters(period=month))
            expected = recount(lpas, month)
            for column in (*HEADLINE, "lpas"):
                assert summary.values[column] == expected[column], (area, month, column)
        # A quarter: flows add, stocks are September's.
        quarter = area_summary(area, Filters(period=Q3)).values
        september = recount(lpas, MONTHS[-1])
        assert quarter["premiums_collected"] == sum(
            recount(lpas, m)["premiums_collected"] for m in MONTHS
        )
        assert quarter["participants_active"] == september["participants_active"]
        trend = area_trend(area, Filters(period=MONTHS[-1]), months=12)
        assert [p.values["premiums_collected"] for p in trend[-3:]] == [
            recount(lpas, m)["premiums_collected"] for m in MONTHS
        ]
    # The nation's provinces and the province's regencies add up to their parent.
    children = area_children(Area(NATION), Filters(period=MONTHS[-1]))
    assert (
        sum(c.values["participants_open"] for c in children)
        == recount(twenty_lpas, MONTHS[-1])["participants_open"]
    )
    rows, total = lpa_table(Area(NATION), Filters(period=MONTHS[-1]), sort="participants")
    assert total == 20 and len(rows) == 20
    assert sorted(r.participants_active for r in rows) == [r.participants_active for r in rows]
    # Each LPA's row of the ranking, and the sex breakdown of a province, recounted.
    by_pk = {lpa.pk: lpa for lpa in twenty_lpas}
    for row in rows:
        with schema_context(by_pk[row.lpa_id].schema_name):
            own = direct(MONTHS[-1])
        assert row.participants_active == own.get("participants.status:active", 0)
        assert row.premiums_collected == own.get("premiums.collected", 0)
        due = own.get("premiums.due", 0)
        rate = round(own.get("premiums.collected", 0) * 100 / due, 1) if due else None
        assert row.collection_rate == rate
    province = [x for x in twenty_lpas if x.regency.province_id == "75"]
    sexes: Counter = Counter()
    for lpa in province:
        with schema_context(lpa.schema_name):
            own = direct(MONTHS[-1])
        sexes.update(
            {k.split(":")[1]: v for k, v in own.items() if k.startswith("participants.sex:")}
        )
    breakdowns = area_breakdowns(
        Area(FactLevel.PROVINCE, "75", province="75"), Filters(period=MONTHS[-1])
    )
    assert breakdowns["sex"] == dict(sexes)


def test_a_change_marks_its_month_in_the_same_transaction(lpa_a):
    lpa = lpa_a
    marks_take(limit=100000)
    with schema_context(lpa.schema_name):
        from programme.ledger.funds import grant_receive

        with transaction.atomic():
            grant_receive(
                donor="Donor",
                purpose="Pelatihan",
                amount=100_000,
                date=datetime.date(2026, 8, 3),
                reference="G-mark",
            )
            assert FactMark.objects.filter(schema_name=lpa.schema_name).exists()
    earliest, taken = marks_take()
    assert earliest == {lpa.schema_name: datetime.date(2026, 8, 1)} and taken >= 1

"""Twenty generated LPAs in two provinces, built once for this module and committed
(they are removed after its last test): every figure of an LPA's report equals a
direct count over its own tables; a quarter adds its months; every dashboard figure
of a kabupaten/kota, a province and the nation equals a direct recount; the audit
export's tables hold the dashboards' figures. Each test runs in a transaction of its
own on top of them, rolled back."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from programme.generator import generate, lpas_generate
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
from reporting.exports import export_zip_path
from reporting.figures import FIRST, LAST, figures_combine, month_figures
from reporting.manifest import export_verify
from reporting.models import ExportState, FactLevel
from reporting.periods import Period
from tenants.models import Lpa
from tests.reporting.export_helpers import workbook_sheets, zip_entries, zip_tables
from tests.reporting.report_helpers import HISTORY_START, MONTHS, Q3, history_make
from tests.reporting.test_exports import TABLES, export_root, exported, total  # noqa: F401
from tests.reporting.test_report_figures import checked, direct
from tests.reporting.test_rollup import HEADLINE, facts_build, recount


@pytest.fixture(scope="module")
def twenty_lpas(module_committed, django_db_blocker):
    """20 generated LPAs in two provinces (Sulawesi Tenggara, Gorontalo), each with 12
    participants registered on HISTORY_START, a history through Q3 2026 and the rollup
    facts of its three months."""
    made = []
    with django_db_blocker.unblock():
        for province, seed in (("74", 301), ("75", 302)):
            lpas = list(lpas_generate(count=10, seed=seed, province=province))
            module_committed.lpa_slugs += [lpa.slug for lpa in lpas]
            generate(lpas=0, participants=12, seed=seed, existing=lpas, today=HISTORY_START)
            made += lpas
        for lpa in made:
            history_make(lpa, seed=7)
        facts_build(made)
        connection.set_schema_to_public()
    return made


def test_every_figure_equals_a_direct_count_in_twenty_lpas(db, twenty_lpas):
    provinces = {lpa.regency.province_id for lpa in twenty_lpas}
    assert len(twenty_lpas) == 20 and provinces == {"74", "75"}
    compared = 0
    for lpa in twenty_lpas:
        connection.set_tenant(lpa)
        for month in MONTHS:
            report = month_figures(month)
            # Whole numbers, as a report's JSON keeps them (a bigint's sum is numeric).
            assert {type(v) for v in report.values()} == {int}, (lpa.slug, report)
            assert checked(report) == direct(month), (lpa.slug, month.code)
            compared += len(checked(report))
        connection.set_schema_to_public()
    assert compared > 20 * 3 * 15  # many figures, not a few


def test_a_quarter_is_the_sum_of_its_months_for_every_additive_figure(db, twenty_lpas):
    for lpa in twenty_lpas[:5]:
        connection.set_tenant(lpa)
        months = [month_figures(m) for m in MONTHS]
        quarter = figures_combine(months)
        keys = {k for m in months for k in m}
        for key in keys:
            base = key.split(":", 1)[0]
            if base in LAST:
                assert quarter.get(key, 0) == months[-1].get(key, 0), key
            elif base in FIRST:
                assert quarter.get(key, 0) == months[0].get(key, 0), key
            else:
                assert quarter.get(key, 0) == sum(m.get(key, 0) for m in months), key
        # ... and the quarter computed directly over its three months agrees.
        direct_quarter = direct(Period("month", Q3.start))  # July's stocks are not Q3's
        assert quarter["premiums.collected"] == sum(direct(m)["premiums.collected"] for m in MONTHS)
        assert checked(quarter)["participants.open"] == direct(MONTHS[-1])["participants.open"]
        assert direct_quarter  # July alone is a different figure set
        connection.set_schema_to_public()


def test_every_dashboard_figure_equals_a_direct_recount_per_regency_province_and_nation(
    db,
    twenty_lpas,
):
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


def test_the_tables_hold_the_dashboards_figures_for_nation_province_and_kabupaten(
    twenty_lpas,
    make_government_user,
):
    ministry = make_government_user("ministry")
    regency = twenty_lpas[0].regency
    cases = [
        (ministry, Area(NATION), twenty_lpas, {}),
        (
            make_government_user("province", province="75"),
            Area(FactLevel.PROVINCE, "75", province="75"),
            [x for x in twenty_lpas if x.regency.province_id == "75"],
            {"level": "province", "area": "75"},
        ),
        (
            make_government_user("regency", regency=regency.pk),
            Area(FactLevel.REGENCY, regency.pk, province=regency.province_id, regency=regency.pk),
            [x for x in twenty_lpas if x.regency_id == regency.pk],
            {"level": "regency", "area": regency.pk},
        ),
    ]
    last = Q3.month_starts()[-1].strftime("%Y-%m")
    for user, area, lpas, where in cases:
        export = exported(user, period=Q3.code, **where)
        assert export.state == ExportState.DONE
        path = export_zip_path(export)
        tables = zip_tables(path)
        summary = area_summary(area, Filters(period=Q3)).values
        sexes = area_breakdowns(area, Filters(period=Q3))["sex"]
        assert sorted(tables) == sorted(TABLES)
        # Flows add over the quarter's months; stocks are September's.
        assert total(tables["premi"], "premi_terkumpul") == summary["premiums_collected"] > 0
        assert total(tables["premi"], "premi_jatuh_tempo") == summary["premiums_due"] > 0
        assert total(tables["peserta"], "status_active") == summary["participants_active"]
        assert total(tables["peserta"], "tertanggung") == summary["participants_open"] > 0
        assert total(tables["peserta"], "jenis_kelamin_L") == sexes.get("L", 0)
        assert total(tables["peserta"], "jenis_kelamin_P") == sexes.get("P", 0)
        assert total(tables["cadangan"], "saldo_akhir", bulan=last) == summary["reserve_closing"]
        assert total(tables["cadangan"], "subsidi_masuk") == summary["subsidy_in"] > 0
        assert total(tables["klaim"], "dibayar") == summary["claims_paid"]
        # Per LPA, as the dashboard's ranking shows it.
        ranking, count = lpa_table(area, Filters(period=Q3), sort="name")
        assert count == len(lpas)
        for row in ranking:
            mine = [r for r in tables["premi"] if r["lpa_slug"] == row.slug]
            assert sum(int(r["premi_terkumpul"]) for r in mine) == row.premiums_collected
        # Only the area's LPAs (the session's three have no facts), in every table.
        ready = Lpa.objects.filter(is_ready=True).exclude(schema_name="public")
        if area.level == FactLevel.PROVINCE:
            ready = ready.filter(regency__province_id=area.code)
        elif area.level == FactLevel.REGENCY:
            ready = ready.filter(regency_id=area.code)
        slugs = set(ready.values_list("slug", flat=True))
        assert {x.slug for x in lpas} <= slugs
        assert {r["lpa_slug"] for r in tables["lpa"]} == slugs
        for name, rows in tables.items():
            if name != "laporan":
                assert {r["lpa_slug"] for r in rows} <= slugs, name
        # The workbook holds the same rows as the CSV files, sheet by sheet.
        sheets = workbook_sheets(zip_entries(path)["tabel.xlsx"])
        for name, rows in tables.items():
            assert len(sheets[name]) == len(rows) + 1, name
            assert {r[0] for r in sheets[name][1:]} == {r[next(iter(r))] for r in rows}
        assert export_verify(path).ok

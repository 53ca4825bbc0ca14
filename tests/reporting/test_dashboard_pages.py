"""The government dashboard pages: every figure on the page is the selectors' and equals
a direct recount over the LPAs' own tables; each tier sees its own area and nothing
else (404 outside it, on every part of the page); a malformed query answers 400 with
the reason, never 500; every page shown is in the drill-down log."""

from __future__ import annotations

import hashlib
import json
import re
from html import unescape
from pathlib import Path

import pytest
from django.db import connection
from django.utils import translation
from django_tenants.utils import schema_context

from askesos.money import format_number, format_rupiah
from reporting.dashboard_shown import (
    change_shown,
    format_decimal,
    format_percent,
    headline_shown,
)
from reporting.dashboards import (
    NATION,
    Area,
    Filters,
    area_summary,
    area_trend,
    last_month,
    lpa_table,
)
from reporting.models import DrillView, FactLevel
from reporting.periods import Period, period_parse
from reporting.rollup import lpa_facts_refresh
from reporting.tiles import TILES
from tests.conftest import client_on
from tests.reporting.dashboard_helpers import lpas_with_history
from tests.reporting.report_helpers import MONTHS, Q3
from tests.reporting.test_report_pages import in_id
from tests.reporting.test_rollup import facts_build, recount

# Four LPAs: two in Kota Kendari, one in Kabupaten Konawe (Sulawesi Tenggara), one in
# Kota Gorontalo; the session's LPAs (uji-a, uji-b, uji-c) have no facts.
REGENCIES = ("74.71", "74.71", "74.02", "75.71")
SEPTEMBER = MONTHS[-1]
VENDORED = Path(__file__).resolve().parents[2] / "platform/askesos/static/vendor/chartjs"


@pytest.fixture(scope="module")
def dash_lpas(module_committed, django_db_blocker):
    """Built once for the module and committed (see module_committed)."""
    with django_db_blocker.unblock():
        made = lpas_with_history(
            module_committed,
            names=[f"Dasbor {n}" for n in range(1, len(REGENCIES) + 1)],
            regencies=REGENCIES,
            participants=6,
            seed=77,
        )
        facts_build(made)
        connection.set_schema_to_public()
    return made


def headlines(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-headline="(\w+)" data-value="([^"]*)"', page))


def headline_text(page: str, key: str) -> str:
    block = re.search(rf'data-headline="{key}".*?<span class="value">([^<]*)</span>', page, re.S)
    return unescape(block.group(1))


def chart_data(page: str) -> dict:
    found = re.search(r'<script id="dashboard-charts" type="application/json">(.*?)</script>', page)
    return json.loads(found.group(1))


def get(client, url: str):
    response = client.get(url)
    return response, response.content.decode()


def test_every_figure_on_the_page_is_the_selectors_and_a_direct_recount(
    dash_lpas, portal_host, make_government_user
):
    ministry = client_on(portal_host, make_government_user("ministry"))
    kendari = dash_lpas[0].regency
    areas = [
        ("/dasbor/", Area(NATION), dash_lpas),
        ("/dasbor/province/74/", Area(FactLevel.PROVINCE, "74", province="74"), dash_lpas[:3]),
        (
            "/dasbor/regency/74.71/",
            Area(FactLevel.REGENCY, kendari.pk, province="74", regency=kendari.pk),
            dash_lpas[:2],
        ),
    ]
    compared = 0
    for url, area, lpas in areas:
        for period in (SEPTEMBER, Q3):
            response, page = get(ministry, f"{url}?period={period.code}")
            assert response.status_code == 200, (url, page[:500])
            shown = headlines(page)
            summary = area_summary(area, Filters(period=period))
            expected = recount(lpas, SEPTEMBER)  # stocks: the period's last month
            if period == Q3:  # flows add over the quarter's months
                expected["premiums_collected"] = sum(
                    recount(lpas, m)["premiums_collected"] for m in MONTHS
                )
            for key in ("lpas", "participants_active", "premiums_collected", "reserve_closing"):
                assert int(shown[key]) == summary.values[key] == expected[key], (url, key)
                compared += 1
            assert int(shown["savings_owed"]) == expected["savings_owed"]
            assert headline_text(page, "participants_active") == format_number(
                expected["participants_active"]
            )
            assert headline_text(page, "premiums_collected") == format_rupiah(
                expected["premiums_collected"]
            )
            assert headline_text(page, "collection_rate") == format_percent(summary.collection_rate)
            assert float(shown["collection_rate"]) == summary.collection_rate
            if period == SEPTEMBER:  # the change against August, in signs and in words
                august = recount(lpas, MONTHS[1])["participants_active"]
                change = expected["participants_active"] - august
                card = page.split('data-headline="participants_active"', 1)[1][:900]
                assert change == 0 or change_shown(change, "count") in card
                active = next(h for h in summary.headlines if h.key == "participants_active")
                assert active.change == change
                with translation.override("id"):
                    words = headline_shown(active, MONTHS[1]).words
                assert unescape(words) in unescape(card) and MONTHS[1].label in words
        # The trend's last three months, as drawn and as the table prints them.
        charts = chart_data(get(ministry, f"{url}?period=2026-09&months=12")[1])
        premiums = charts["trend-premiums"]["series"][0]["values"]
        assert premiums[-3:] == [recount(lpas, m)["premiums_collected"] for m in MONTHS]
        trend = area_trend(area, Filters(period=SEPTEMBER), months=12)
        assert charts["trend-participants"]["series"][0]["values"] == [
            p.values["participants_active"] for p in trend
        ]
        assert len(charts["trend-participants"]["labels"]) == 12
    assert compared == 3 * 2 * 4


def test_the_areas_below_and_the_lpa_ranking_add_up(dash_lpas, portal_host, make_government_user):
    ministry = client_on(portal_host, make_government_user("ministry"))
    _, nation = get(ministry, "/dasbor/?period=2026-09")
    # The bars: provinces with LPAs, largest first, each a link down.
    bars = chart_data(nation)["children"]
    by_province = dict(zip(bars["labels"], bars["series"][0]["values"], strict=True))
    assert by_province == {
        "Sulawesi Tenggara": recount(dash_lpas[:3], SEPTEMBER)["participants_active"],
        "Gorontalo": recount(dash_lpas[3:], SEPTEMBER)["participants_active"],
    }
    assert bars["links"][bars["labels"].index("Gorontalo")] == (
        "/dasbor/province/75/?period=2026-09"
    )
    # The table lists the provinces with LPAs, a fold the others; the tiles all 38.
    active = re.findall(r'<tr data-child="(\d\d)"', nation)
    idle = re.findall(r'<li><a href="[^"]+" data-child="(\d\d)"', nation)
    assert sorted(active) == ["74", "75"] and len(idle) == 36
    tiles = re.findall(
        r'class="tile c\d+ r\d+ shade-(\d)"><a href="([^"]+)" data-province="(\d\d)"', nation
    )
    assert {code for _s, _u, code in tiles} == set(TILES)
    shades = {code: int(shade) for shade, _u, code in tiles}
    assert shades["74"] > 0 and shades["75"] > 0 and shades["11"] == 0
    assert ("1", "/dasbor/province/11/?period=2026-09", "11") not in tiles
    # The ranking: every LPA of the nation with the recount's figures, sortable.
    rows = re.findall(r'<tr data-lpa="([\w-]+)">.*?data-value="(\d+)"', nation, re.S)
    assert sorted(slug for slug, _v in rows) == [lpa.slug for lpa in dash_lpas]
    for slug, value in rows:
        lpa = next(x for x in dash_lpas if x.slug == slug)
        assert int(value) == recount([lpa], SEPTEMBER)["participants_active"]
    _, ordered = get(ministry, "/dasbor/?period=2026-09&sort=participants&order=desc")
    values = [
        int(v)
        for _s, v in re.findall(r'<tr data-lpa="([\w-]+)">.*?data-value="(\d+)"', ordered, re.S)
    ]
    assert values == sorted(values, reverse=True)
    assert 'aria-sort="descending"' in ordered
    expected_rows, total = lpa_table(
        Area(NATION), Filters(period=SEPTEMBER), sort="participants", descending=True
    )
    assert [r.participants_active for r in expected_rows] == values and total == 4
    # The breakdowns and the pocket book's indicators.
    charts = chart_data(nation)
    covered = recount(dash_lpas, SEPTEMBER)["participants_open"]
    assert sum(charts["by-sex"]["series"][0]["values"]) == covered
    assert sum(charts["by-age"]["series"][0]["values"]) == covered
    lpas_taking_part = recount(dash_lpas, SEPTEMBER)["lpas"]
    assert f'data-indicator="lpas">{lpas_taking_part}<' in nation
    assert f'data-indicator="participants">{format_number(covered)}<' in nation
    # A kabupaten's bars are its LPAs.
    _, kendari = get(ministry, "/dasbor/regency/74.71/?period=2026-09")
    assert sorted(chart_data(kendari)["children"]["labels"]) == ["LPA Dasbor 1", "LPA Dasbor 2"]


def test_a_kabupaten_user_sees_only_its_own_lpas_and_nothing_above(
    dash_lpas, portal_host, make_government_user
):
    kendari = client_on(portal_host, make_government_user("regency", regency="74.71"))
    response, page = get(kendari, "/dasbor/?period=2026-09")
    assert response.status_code == 200
    assert 'data-level="regency" data-area="74.71"' in page
    table = re.findall(r'<tr data-lpa="([\w-]+)"', page)
    assert sorted(table) == ["dasbor-1", "dasbor-2"]
    assert sorted(chart_data(page)["children"]["labels"]) == ["LPA Dasbor 1", "LPA Dasbor 2"]
    for other in ("LPA Dasbor 3", "LPA Dasbor 4", "dasbor-3", "dasbor-4", "Gorontalo"):
        assert other not in page, other
    assert 'class="tile' not in page  # the province tiles are the ministry's
    assert "Konawe" not in page
    # Its own figures only: the two Kendari LPAs' recount.
    assert (
        int(headlines(page)["participants_active"])
        == recount(dash_lpas[:2], SEPTEMBER)["participants_active"]
    )
    for url in (
        "/dasbor/regency/74.02/",
        "/dasbor/province/74/",
        "/dasbor/province/75/",
        "/dasbor/lpa/dasbor-3/",
        "/dasbor/lpa/dasbor-4/",
        "/dasbor/lpa/uji-b/",
        "/dasbor/regency/99.99/",
    ):
        assert kendari.get(url).status_code == 404, url
    response, lpa_page = get(kendari, "/dasbor/lpa/dasbor-1/?period=2026-09")
    assert response.status_code == 200
    assert (
        int(headlines(lpa_page)["participants_active"])
        == recount(dash_lpas[:1], SEPTEMBER)["participants_active"]
    )


def test_a_province_user_cannot_see_another_province(dash_lpas, portal_host, make_government_user):
    sultra = client_on(portal_host, make_government_user("province", province="74"))
    _, page = get(sultra, "/dasbor/?period=2026-09")
    assert sorted(re.findall(r'<tr data-lpa="([\w-]+)"', page)) == [
        "dasbor-1",
        "dasbor-2",
        "dasbor-3",
    ]
    assert "LPA Dasbor 4" not in page and "Gorontalo" not in page
    assert (
        int(headlines(page)["participants_active"])
        == recount(dash_lpas[:3], SEPTEMBER)["participants_active"]
    )
    for url in ("/dasbor/province/75/", "/dasbor/regency/75.71/", "/dasbor/lpa/dasbor-4/"):
        assert sultra.get(url).status_code == 404, url
    assert sultra.get("/dasbor/regency/74.02/").status_code == 200
    # A semester and a year are periods too; their stocks are their last month's, or
    # the current month's while they run (never a month still to come).
    for code in ("2026-S2", "2026"):
        month = Period("month", last_month(period_parse(code)))
        for lpa in dash_lpas[:3]:
            with schema_context(lpa.schema_name):
                lpa_facts_refresh(lpa=lpa, months=[month])
        response, page = get(sultra, f"/dasbor/?period={code}")
        assert response.status_code == 200, code
        expected = recount(dash_lpas[:3], month)["participants_active"]
        assert int(headlines(page)["participants_active"]) == expected > 0, code


def test_an_lpa_summary_holds_no_personal_data_and_no_way_into_the_lpa(
    dash_lpas, portal_host, make_government_user
):
    from programme.participants.models import Participant
    from tenants.services import domain_for

    lpa = dash_lpas[0]
    connection.set_tenant(lpa)
    people = list(Participant.objects.values_list("name", "nik"))
    connection.set_schema_to_public()
    ministry = client_on(portal_host, make_government_user("ministry"))
    response, page = get(ministry, f"/dasbor/lpa/{lpa.slug}/?period=2026-09")
    assert response.status_code == 200 and people
    for name, nik in people:
        assert name not in page and nik not in page
    assert domain_for(lpa.slug) not in page
    assert 'id="lpa-summary"' in page and 'id="lpa-table"' not in page


@pytest.mark.parametrize(
    "query, field",
    [
        ("period=2026-13", "period"),
        ("period=kemarin", "period"),
        ("period=2099-01", "period"),
        ("scheme=tidak-ada", "scheme"),
        ("channel=hibah", "channel"),
        ("months=5", "months"),
        ("months=dua", "months"),
        ("metric=cuaca", "metric"),
        ("sort=umur", "sort"),
        ("order=atas", "order"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=satu", "page"),
        ("periode=2026-09", "periode"),
        ("period=2026-09&%3Cscript%3E=1", "<script>"),
    ],
)
def test_a_bad_filter_answers_400_with_the_reason(
    portal_host, make_government_user, db, query, field
):
    user = make_government_user("ministry")
    response, page = get(client_on(portal_host, user), f"/dasbor/?{query}")
    assert response.status_code == 400
    assert 'id="filter-error"' in page and 'id="filters"' in page
    assert '<option value="24" selected>' in page  # the form offers the defaults again
    assert "<script>" not in page.split('id="filter-error"')[1][:300]
    assert not DrillView.objects.filter(user=user).exists()


def test_the_error_is_in_indonesian_and_an_unknown_level_is_404(
    portal_host, make_government_user, db
):
    client = client_on(portal_host, make_government_user("ministry"))
    with translation.override("id"):
        from reporting.errors import ReportError

        expected = ReportError("filter_unknown", value="warna").message
    assert expected in client.get("/dasbor/?warna=merah").content.decode()
    assert client.get("/dasbor/kecamatan/74.71.01/").status_code == 404
    assert client.get("/dasbor/nation/x/").status_code == 404


def test_every_page_shown_is_logged_and_the_ministry_reads_the_log(
    dash_lpas, portal_host, make_government_user
):
    officer = make_government_user("province", province="74")
    client = client_on(portal_host, officer)
    client.get("/dasbor/")
    client.get("/dasbor/regency/74.71/?period=2026-09&scheme=buku-saku-2010")
    client.get("/dasbor/lpa/dasbor-1/?period=2026-T3")
    client.get("/dasbor/province/75/")  # outside: refused, nothing shown
    logged = list(
        DrillView.objects.filter(user=officer)
        .order_by("at", "pk")
        .values_list("level", "area", "query")
    )
    assert logged == [
        ("province", "74", ""),
        ("regency", "74.71", "period=2026-09&scheme=buku-saku-2010"),
        ("lpa", "dasbor-1", "period=2026-T3"),
    ]
    auditor = client_on(portal_host, make_government_user("ministry", role="auditor"))
    response, page = get(auditor, "/dasbor/log/")
    assert response.status_code == 200
    assert page.index("dasbor-1") < page.index("period=2026-09")  # newest first
    assert "LPA Dasbor 1" in page and "Kota Kendari" in page and officer.username in page
    # The drill log is the ministry's officers' and auditors' only.
    for level, role, area in (
        ("province", "officer", {"province": "74"}),
        ("regency", "officer", {"regency": "74.71"}),
        ("ministry", "pengendali", {}),
    ):
        other = client_on(portal_host, make_government_user(level, role=role, **area))
        assert other.get("/dasbor/log/").status_code == 403, (level, role)
        assert 'href="/dasbor/log/"' not in other.get("/dasbor/").content.decode()
    assert 'href="/dasbor/log/"' in auditor.get("/dasbor/").content.decode()


def test_the_log_is_paginated(portal_host, make_government_user, db):
    ministry = make_government_user("ministry")
    DrillView.objects.bulk_create(
        DrillView(user=ministry, level="province", area="74", query=f"page={n}") for n in range(60)
    )
    client = client_on(portal_host, ministry)
    assert client.get("/dasbor/log/?page=2").status_code == 200
    assert 'rel="next"' in client.get("/dasbor/log/").content.decode()


def test_the_page_reads_in_english_and_writes_numbers_the_indonesian_way(
    dash_lpas, portal_host, make_government_user
):
    client = client_on(portal_host, make_government_user("ministry"))
    response, page = get(client, "/dasbor/?period=2026-09&lang=en")
    assert response.status_code == 200
    assert "Headline figures" in page and "September 2026" in page
    total = recount(dash_lpas, SEPTEMBER)
    assert headline_text(page, "premiums_collected") == format_rupiah(total["premiums_collected"])
    _, indonesian = get(client, "/dasbor/?period=2026-09&lang=id")
    assert "September 2026" in indonesian and in_id("Headline figures") in indonesian
    with translation.override("id"):
        assert "Agu 2026" in chart_data(indonesian)["trend-premiums"]["labels"]


def test_number_formats():
    assert format_percent(85.3) == "85,3%" and format_percent(100) == "100,0%"
    assert format_decimal(2.5) == "2,5" and format_decimal(3.0) == "3"
    assert format_decimal(1234.5) == "1.234,5"


def test_the_page_loads_the_vendored_chart_library_and_no_inline_script(
    portal_host, make_government_user, db
):
    digest = hashlib.sha256((VENDORED / "chart.umd.min.js").read_bytes()).hexdigest()
    assert digest == "87364cc2b2a76a6684929e7d6b80b18a897794db38400caff1fcf1791c6925d2"
    assert (VENDORED / "LICENSE.md").exists()
    page = client_on(portal_host, make_government_user("ministry")).get("/dasbor/").content.decode()
    scripts = re.findall(r"<script([^>]*)>", page)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts)
    assert "/static/vendor/chartjs/chart.umd.min.js" in page
    assert "/static/reporting/dashboard.js" in page


def test_the_lpa_ranking_is_paginated(dash_lpas, portal_host, make_government_user, monkeypatch):
    monkeypatch.setattr("reporting.dashboards.PAGE_SIZE", 3)
    monkeypatch.setattr("reporting.views_dashboard.PAGE_SIZE", 3)
    client = client_on(portal_host, make_government_user("ministry"))
    _, first = get(client, "/dasbor/?period=2026-09&sort=name")
    _, second = get(client, "/dasbor/?period=2026-09&sort=name&page=2")
    assert re.findall(r'<tr data-lpa="([\w-]+)"', first) == ["dasbor-1", "dasbor-2", "dasbor-3"]
    assert re.findall(r'<tr data-lpa="([\w-]+)"', second) == ["dasbor-4"]
    assert 'href="?period=2026-09&amp;sort=name&amp;order=asc&amp;page=2" rel="next"' in first
    assert 'rel="prev"' in second and 'rel="next"' not in second
    response, beyond = get(client, "/dasbor/?period=2026-09&page=9")
    assert response.status_code == 200 and 'id="lpa-table"' in beyond
    assert not re.findall(r'<tr data-lpa="', beyond)

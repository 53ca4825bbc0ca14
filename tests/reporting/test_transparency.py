"""The public transparency page and its API (reporting/views_public.py,
reporting/transparency.py): open without sign-in on the portal, the right numbers per
province, kabupaten/kota and LPA, no personal data, served from the cache on a reload,
and a clear 400 or 404 for a period or area that cannot be shown."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from askesos.money import format_number, format_rupiah
from reporting.dashboards import NATION, Area, Filters, area_children, area_summary
from reporting.models import FactLevel
from reporting.periods import period_last_ended
from tests.conftest import client_on
from tests.reporting import dashboard_helpers
from tests.reporting.dashboard_helpers import (
    SECRET_NAME,
    SEPTEMBER,
    public_recount,
    regency_slugs,
)
from tests.reporting.report_helpers import MONTHS, Q3

# The fixtures of dashboard_helpers, used here by name.
three_lpas = dashboard_helpers.three_lpas
fresh_public_cache = dashboard_helpers.fresh_public_cache
FIGURES = ("lpas", "participants", "premiums_collected", "claims_paid", "claims_paid_amount")
MONEY = {"premiums_collected", "claims_paid_amount"}


@pytest.fixture
def visitor(db, portal_host):
    """Somebody on the internet: no sign-in, no cookie."""
    return client_on(portal_host)


def written(name: str, value: int) -> str:
    return format_rupiah(value) if name in MONEY else format_number(value)


def table_row(page: str, name: str) -> list[str]:
    """The cells of the table row whose first cell is `name`, as text."""
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S):
        cells = [
            html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        if cells and cells[0] == name:
            return cells
    raise AssertionError(f"no row {name!r}")


def chart_labels(page: str) -> list[str]:
    """The bars' labels in the order drawn."""
    svg = re.search(r'<svg class="bar-chart".*?</svg>', page, re.S).group(0)
    return [html.unescape(label) for label in re.findall(r'<text x="0"[^>]*>(.*?)</text>', svg)]


def test_the_nation_page_shows_each_provinces_figures_without_sign_in(three_lpas, visitor):
    a, b, c = three_lpas.lpas
    response = visitor.get("/transparansi/", {"periode": SEPTEMBER.code})
    assert response.status_code == 200
    page = response.content.decode()
    sultra, sulsel = public_recount([a, b], SEPTEMBER), public_recount([c], SEPTEMBER)
    assert sultra["claims_paid"] == 1 and sultra["participants"] > 0
    for province, expected in ((a.regency.province, sultra), (c.regency.province, sulsel)):
        cells = table_row(page, province.name)
        assert cells[1:] == [written(name, expected[name]) for name in FIGURES], province.name
    total = public_recount([a, b, c], SEPTEMBER)
    assert table_row(page, "Total")[1:] == [written(n, total[n]) for n in FIGURES]
    # ... the selectors' figures, which the dashboards show.
    nation = area_summary(Area(NATION), Filters(period=SEPTEMBER)).values
    assert total["participants"] == nation["participants_open"]
    assert total["claims_paid_amount"] == nation["claims_paid_amount"]
    # A chart drawn on the server (no script), bars largest first, of participants.
    assert "<script" not in page.split("</main>")[0]
    assert chart_labels(page) == [
        name
        for _n, name in sorted(
            (-expected["participants"], province.name)
            for province, expected in ((a.regency.province, sultra), (c.regency.province, sulsel))
        )
    ]
    assert response["Cache-Control"] == "public, max-age=300"
    assert "Cookie" in response["Vary"]


def test_a_province_page_is_per_kabupaten_and_a_kabupaten_page_per_lpa(three_lpas, visitor):
    a, b, _c = three_lpas.lpas
    page = visitor.get("/transparansi/74/", {"periode": SEPTEMBER.code}).content.decode()
    for lpa in (a, b):
        expected = public_recount([lpa], SEPTEMBER)
        assert table_row(page, lpa.regency.name)[1:] == [written(n, expected[n]) for n in FIGURES]
    assert f'href="/transparansi/74/{a.regency_id}/?periode={SEPTEMBER.code}"' in page
    # Every kabupaten/kota of the province is listed, those without LPAs with zeros.
    regencies = area_children(Area(FactLevel.PROVINCE, "74", province="74"), Filters(SEPTEMBER))
    assert all(f">{child.area.name}<" in page for child in regencies)

    kendari = visitor.get(f"/transparansi/74/{a.regency_id}/", {"periode": SEPTEMBER.code})
    assert kendari.status_code == 200
    expected = public_recount([a], SEPTEMBER)
    cells = table_row(kendari.content.decode(), a.name)
    assert cells[1:] == [written(n, expected[n]) for n in FIGURES]
    assert expected["claims_paid_amount"] == 100_000


def test_no_page_or_answer_holds_personal_data(three_lpas, visitor):
    a = three_lpas.lpas[0]
    nik = three_lpas.secret_nik
    answers = [
        visitor.get("/transparansi/", {"periode": SEPTEMBER.code}),
        visitor.get("/transparansi/74/", {"periode": Q3.code}),
        visitor.get(f"/transparansi/74/{a.regency_id}/", {"periode": SEPTEMBER.code}),
        visitor.get(f"/transparansi/74/{a.regency_id}/", {"periode": "2026", "ukuran": "klaim"}),
        visitor.get("/api/public/transparency/", {"period": SEPTEMBER.code}),
        visitor.get("/api/public/transparency/", {"regency": a.regency_id, "period": "2026-09"}),
    ]
    for response in answers:
        assert response.status_code == 200
        content = response.content.decode()
        assert SECRET_NAME not in content and SECRET_NAME.split()[0] not in content
        assert nik not in content and nik[:12] not in content


def test_a_reload_is_served_from_the_cache(three_lpas, visitor):
    with CaptureQueriesContext(connection) as first:
        visitor.get("/transparansi/74/", {"periode": SEPTEMBER.code})
    with CaptureQueriesContext(connection) as second:
        again = visitor.get("/transparansi/74/", {"periode": SEPTEMBER.code, "ukuran": "premi"})
    assert len(first) >= 2 and len(second) == 0, [q["sql"][:80] for q in second.captured_queries]
    assert again.status_code == 200
    # The API reads the same cached figures.
    with CaptureQueriesContext(connection) as api:
        body = visitor.get("/api/public/transparency/", {"province": "74", "period": "2026-09"})
    assert len(api) == 0 and body.status_code == 200


def test_the_default_period_is_the_last_month_that_has_ended(visitor):
    page = visitor.get("/transparansi/").content.decode()
    ended = period_last_ended("month")
    assert f'<option value="{ended.code}" selected>' in page
    assert "final" in visitor.get("/transparansi/", {"lang": "en"}).content.decode()
    body = visitor.get("/api/public/transparency/").json()
    assert body["period"] == ended.code and body["final"] is True
    assert body["total"]["level"] == "nation" and len(body["rows"]) == 38


@pytest.mark.parametrize(
    "path, params, status, words",
    [
        ("/transparansi/", {"periode": "2026-13"}, 400, "2026-13"),
        ("/transparansi/", {"periode": "2099-01"}, 400, "2099-01"),
        ("/transparansi/", {"periode": "1990"}, 400, "1990"),
        ("/transparansi/99/", {}, 404, "99"),
        ("/transparansi/sultra/", {}, 404, "sultra"),
        ("/transparansi/74/73.71/", {}, 404, "73.71"),
        ("/transparansi/74/74.99/", {"periode": "2026-09"}, 404, "74.99"),
    ],
)
def test_a_period_or_area_that_cannot_be_shown_is_a_clear_page(
    visitor, path, params, status, words
):
    response = visitor.get(path, params)
    assert response.status_code == status
    page = response.content.decode()
    assert 'role="alert"' in page and words in page
    assert 'href="/transparansi/"' in page


def test_the_api_gives_the_pages_figures_with_an_etag(three_lpas, visitor):
    a, b, c = three_lpas.lpas
    response = visitor.get("/api/public/transparency/", {"period": SEPTEMBER.code})
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    body = response.json()
    assert body["period"] == SEPTEMBER.code and body["final"] is True
    rows = {row["code"]: row for row in body["rows"]}
    for province, lpas in (("74", [a, b]), ("73", [c])):
        expected = public_recount(lpas, SEPTEMBER)
        assert {n: rows[province][n] for n in FIGURES} == {n: expected[n] for n in FIGURES}
    total = public_recount([a, b, c], SEPTEMBER)
    assert {n: body["total"][n] for n in FIGURES} == {n: total[n] for n in FIGURES}

    tag = response["ETag"]
    again = visitor.get(
        "/api/public/transparency/", {"period": SEPTEMBER.code}, HTTP_IF_NONE_MATCH=tag
    )
    assert again.status_code == 304 and again.content == b""
    english = visitor.get(
        "/api/public/transparency/", {"period": SEPTEMBER.code}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english["ETag"] != tag  # the period's label is in another language

    regency = visitor.get(
        "/api/public/transparency/",
        {"province": "74", "regency": a.regency_id, "period": "2026-T3"},
    ).json()
    assert regency["total"]["code"] == a.regency_id
    assert [row["code"] for row in regency["rows"]] == regency_slugs(a.regency_id)
    assert regency["rows"][0]["code"] == a.slug
    assert regency["rows"][0]["premiums_collected"] == sum(
        public_recount([a], m)["premiums_collected"] for m in MONTHS
    )


@pytest.mark.parametrize(
    "params, status, code, field",
    [
        ({"province": "99"}, 404, "area_unknown", "province"),
        ({"regency": "73.71", "province": "74"}, 404, "area_unknown", "regency"),
        ({"period": "2099"}, 400, "period_future", "period"),
        ({"period": "bulan-lalu"}, 400, "period_invalid", "period"),
        ({"kabupaten": "74.71"}, 400, "unknown_parameter", "kabupaten"),
    ],
)
def test_the_api_refuses_in_the_error_shape(visitor, params, status, code, field):
    response = visitor.get("/api/public/transparency/", params)
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"code", "message", "field", "errors"}
    assert (body["code"], body["field"]) == (code, field)


def test_a_signed_in_users_page_is_private(make_government_user, portal_host):
    officer = client_on(portal_host, make_government_user("ministry"))
    response = officer.get("/transparansi/")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]


def test_the_sign_in_page_links_to_the_transparency_page(visitor):
    assert 'href="/transparansi/"' in visitor.get("/masuk/").content.decode()

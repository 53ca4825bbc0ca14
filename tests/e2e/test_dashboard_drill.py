"""The ministry's dashboard in a browser: choose September 2026, see the charts drawn
and the national figures, then drill down by clicking, from the nation to a province
(its tile), a kabupaten/kota (its row) and one LPA (its row in the ranking); on a
390-px phone every level fits the screen without sideways scrolling."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from askesos.accounts.services import government_scope_assign, user_create
from askesos.money import format_number
from programme.generator import generate, npwp_for
from reporting.models import DrillView
from tenants.services import lpa_provision
from tests.conftest import PASSWORD
from tests.e2e.test_phone import _fits
from tests.e2e.test_report_journey import signed_in
from tests.e2e.test_sign_in import artifact
from tests.reporting.report_helpers import HISTORY_START, MONTHS, history_make
from tests.reporting.test_report_pages import in_id
from tests.reporting.test_rollup import facts_build, recount

pytestmark = pytest.mark.e2e

LPAS = (("drill-e2e-1", "74.71"), ("drill-e2e-2", "74.71"), ("drill-e2e-3", "75.71"))
SEPTEMBER = MONTHS[-1]


def headline(page, key: str) -> str:
    return page.locator(f'[data-headline="{key}"] > .value').inner_text()


def charts_drawn(page) -> list[str]:
    """The charts Chart.js drew on the page (a canvas with a chart on it)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('canvas[data-chart]')]
                 .filter(c => window.Chart && Chart.getChart(c) && c.width > 0)
                 .map(c => c.dataset.chart)"""
    )


def test_the_ministry_drills_down_from_the_nation_to_one_lpa(browser, live_port, committed_db):
    lpas = []
    for n, (slug, regency) in enumerate(LPAS, start=1):
        committed_db.lpa_slugs.append(slug)
        lpas.append(
            lpa_provision(
                name=f"LPA Telusur {n}",
                slug=slug,
                legal_form="yayasan",
                regency_code=regency,
                npwp=npwp_for(88, n),
            )
        )
    generate(lpas=0, participants=5, seed=88, existing=lpas, today=HISTORY_START)
    for lpa in lpas:
        history_make(lpa, seed=7)
    facts_build(lpas)
    committed_db.usernames.append("dasbor-kemensos")
    user = user_create(username="dasbor-kemensos", password=PASSWORD)
    government_scope_assign(user=user, level="ministry", role="officer")
    with translation.override("id"):
        september = SEPTEMBER.label
    portal = f"http://localhost:{live_port}"

    page = signed_in(browser, portal, "dasbor-kemensos", width=1280)
    page.get_by_label(in_id("Period")).select_option(label=september)
    page.get_by_role("button", name=in_id("Show"), exact=True).click()
    page.wait_for_url(re.compile(r"period=2026-09"))
    assert page.locator("#period-label").inner_text() == september
    assert {"trend-participants", "trend-premiums", "trend-claims", "children"} <= set(
        charts_drawn(page)
    )
    nation = recount(lpas, SEPTEMBER)
    assert headline(page, "participants_active") == format_number(nation["participants_active"])
    page.screenshot(path=str(artifact("dashboard-nation.png")), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280

    # Down to Sulawesi Tenggara by its tile, Kota Kendari by its row, an LPA by its row.
    page.locator('.tile a[data-province="74"]').click()
    page.wait_for_url(re.compile(r"/dasbor/province/74/\?period=2026-09"))
    assert headline(page, "participants_active") == format_number(
        recount(lpas[:2], SEPTEMBER)["participants_active"]
    )
    assert "children" in charts_drawn(page)
    page.locator("#children").get_by_role("link", name="Kota Kendari").click()
    page.wait_for_url(re.compile(r"/dasbor/regency/74.71/\?period=2026-09"))
    assert page.locator("#lpa-table tbody tr").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.locator("#lpa-table").get_by_role("link", name="LPA Telusur 1").click()
    page.wait_for_url(re.compile(r"/dasbor/lpa/drill-e2e-1/\?period=2026-09"))
    assert page.get_by_role("heading", name="LPA Telusur 1").is_visible()
    assert headline(page, "participants_active") == format_number(
        recount(lpas[:1], SEPTEMBER)["participants_active"]
    )
    assert "trend-participants" in charts_drawn(page)
    # The way back up is the breadcrumb.
    page.locator("nav.crumbs").get_by_role("link", name="Kota Kendari").click()
    page.wait_for_url(re.compile(r"/dasbor/regency/74.71/"))
    page.context.close()
    levels = list(
        DrillView.objects.filter(user=user).order_by("at", "pk").values_list("level", "area")
    )
    assert levels[-5:] == [
        ("nation", ""),
        ("province", "74"),
        ("regency", "74.71"),
        ("lpa", "drill-e2e-1"),
        ("regency", "74.71"),
    ]

    # On a phone: every level fits, with its charts drawn, and the tables open too.
    phone = signed_in(browser, portal, "dasbor-kemensos", width=390)
    for path in (
        "/dasbor/?period=2026-09",
        "/dasbor/province/74/?period=2026-09",
        "/dasbor/regency/74.71/?period=2026-09",
        "/dasbor/lpa/drill-e2e-1/?period=2026-09",
    ):
        response = phone.goto(portal + path)
        assert response.status == 200, path
        assert "trend-premiums" in charts_drawn(phone)
        _fits(phone)
        phone.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        _fits(phone)
    phone.goto(portal + "/dasbor/?period=2026-09")
    phone.screenshot(path=str(artifact("dashboard-nation-phone.png")), full_page=True)
    phone.context.close()

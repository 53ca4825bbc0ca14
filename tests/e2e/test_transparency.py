"""The public transparency page in a real browser: somebody with no account opens it on
a phone, sees the chart and the table of the same numbers, goes down to a province, and
never scrolls sideways."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.utils import timezone

from reporting import transparency
from reporting.models import Fact, FactLevel
from tenants.models import Lpa
from tests.e2e.test_sign_in import artifact

pytestmark = pytest.mark.e2e
SEPTEMBER = datetime.date(2026, 9, 1)
FIGURES = dict(
    lpas=1,
    participants_open=1234,
    participants_active=1200,
    premiums_collected=6_170_000,
    claims_paid=3,
    claims_paid_amount=300_000,
)


@pytest.fixture
def september_facts(committed_db, monkeypatch):
    """LPA A's September 2026 facts and their sums (committed, for the live server),
    removed at teardown; the public cache with keys of this test's own."""
    monkeypatch.setattr(transparency, "_CACHE_VERSION", uuid.uuid4().hex[:12])
    lpa_a = Lpa.objects.select_related("regency__province").get(slug="uji-a")
    now = timezone.now()
    area = {"month": SEPTEMBER, "province_id": "74", "scheme": "e2e", "computed_at": now}
    made = [
        Fact.objects.create(
            level=FactLevel.LPA, regency_id="74.71", lpa_id=lpa_a.pk, **area, **FIGURES
        ),
        Fact.objects.create(level=FactLevel.REGENCY, regency_id="74.71", **area, **FIGURES),
        Fact.objects.create(level=FactLevel.PROVINCE, **area, **FIGURES),
    ]
    yield lpa_a
    Fact.objects.filter(pk__in=[fact.pk for fact in made]).delete()


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_public_page_opens_without_sign_in_on_a_phone(page, live_port, september_facts):
    lpa = september_facts
    province = lpa.regency.province.name
    assert page.context.cookies() == []  # a fresh browser: no session, no language

    page.goto(f"http://localhost:{live_port}/transparansi/?periode=2026-09")
    assert "/masuk/" not in page.url
    assert page.get_by_role("heading", level=1).inner_text().endswith("Indonesia")
    chart = page.locator("svg.bar-chart")
    assert chart.is_visible()
    assert chart.locator("rect").count() == 1
    assert chart.get_by_text(province).is_visible()
    table = page.locator("table.public-figures")
    assert table.is_visible()
    row = table.locator("tbody tr", has_text=province)
    assert row.get_by_text("1.234", exact=True).is_visible()
    assert row.get_by_text("Rp 6.170.000", exact=True).is_visible()
    assert row.get_by_text("Rp 300.000", exact=True).is_visible()
    # Provinces without figures are named, not shown as cards of zeros.
    assert page.locator("#without-figures").get_by_role("link", name="Aceh").is_visible()
    assert no_sideways_scroll(page)
    page.screenshot(path=str(artifact("transparency-phone.png")), full_page=True)

    # Down to the province: its kabupaten/kota, Kota Kendari with A's figures.
    row.get_by_role("link", name=province).click()
    page.wait_for_url("**/transparansi/74/?periode=2026-09")
    kendari = page.locator("table.public-figures tbody tr", has_text=lpa.regency.name)
    assert kendari.get_by_text("1.234", exact=True).is_visible()
    assert no_sideways_scroll(page)
    page.screenshot(path=str(artifact("transparency-province-phone.png")), full_page=True)

    # ... and to the kabupaten/kota's LPAs; then in English.
    kendari.get_by_role("link", name=lpa.regency.name).click()
    page.wait_for_url("**/transparansi/74/74.71/?periode=2026-09")
    assert page.locator("table.public-figures").get_by_text(lpa.name).is_visible()
    assert no_sideways_scroll(page)
    page.get_by_role("link", name="EN", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("ASKESOS transparency")
    assert no_sideways_scroll(page)

    # On a wide screen the chart keeps its text size and the table is a table.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"http://localhost:{live_port}/transparansi/?periode=2026-09&lang=id")
    assert page.locator("svg.bar-chart").bounding_box()["width"] <= 48 * 16
    assert no_sideways_scroll(page)
    page.screenshot(path=str(artifact("transparency-wide.png")), full_page=False)

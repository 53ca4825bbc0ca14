"""On a 390-px phone every page the team opens fits the screen: no sideways scroll, and
in each table the key figures (status, amount, balance) are on screen, rows stacked as
cards."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from programme.claims import payments, services
from tests.e2e.test_claims import signed_in
from tests.programme.claims_helpers import committed_claims_lpa, submit

pytestmark = pytest.mark.e2e

PAGES = {
    "bendahara": [
        "/dasbor/",
        "/premi/serah-terima/",
        "/klaim/pembayaran/",
        "/buku/kas-harian/?bulan={month}",
        "/buku/bank/?bulan={month}",
        "/buku/setoran-premi/?bulan={month}",
        "/buku/neraca/?bulan={month}",
        "/tutup-buku/",
        "/dana/",
    ],
    "petugas_lapangan": ["/dasbor/", "/peserta/", "/premi/", "/klaim/"],
    "klaim": ["/dasbor/", "/klaim/", "/klaim/pembayaran/"],
    "ketua": ["/dasbor/", "/tim/", "/buku/klaim/?bulan={month}"],
}


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url}: {width} px wide at 390 px"
    # Every money or status cell that is shown lies inside the screen.
    outside = page.evaluate(
        """() => [...document.querySelectorAll('td')].filter(td => {
             const r = td.getBoundingClientRect();
             return r.width > 0 && (r.right > 391 || r.left < -1);
           }).map(td => td.textContent.trim()).slice(0, 5)"""
    )
    assert outside == [], f"{page.url}: cells off screen {outside}"


def test_the_pages_of_every_role_fit_a_phone(browser, live_port, committed_db):
    today = timezone.localdate()
    start = (today - datetime.timedelta(days=70)).replace(day=1)
    lpa, team, policy = committed_claims_lpa(
        committed_db, slug="ponsel-e2e", npwp="60.000.001.2-741.000", start=start
    )
    connection.set_tenant(lpa)
    claim = submit(policy, team["petugas_lapangan"], event=start + datetime.timedelta(days=20))
    services.claim_verify(claim=claim, actor=team["klaim"])
    request = payments.payment_request_create(claims=[claim], actor=team["klaim"])
    payments.payment_request_approve(request=request, actor=team["ketua"])
    payments.payment_request_pay(
        request=request, paid_on=today, actor=team["bendahara"], reference="TRF-PONSEL-1"
    )
    connection.set_schema_to_public()
    base = f"http://ponsel-e2e.localhost:{live_port}"

    for role, paths in PAGES.items():
        page = signed_in(browser, base, f"ponsel-e2e-{role}")
        for path in paths:
            response = page.goto(base + path.format(month=f"{today:%Y-%m}"))
            assert response.status == 200, (role, path, response.status)
            _fits(page)
        if role == "bendahara":
            # The Kas Harian shows each cash account's balance with its label on a phone.
            page.goto(f"{base}/buku/kas-harian/?bulan={start:%Y-%m}")
            assert page.locator("td[data-label]").first.is_visible()
        page.context.close()

"""The Ketua and the Bendahara start from their home page on a 390-px phone: the Ketua
refuses a payment request with a reason, the Bendahara sees the approved one waiting
and pays it from there, with the bank's reference, after confirming."""

import datetime
import re

import pytest
from django.db import connection
from django.utils import timezone

from programme.claims import payments, services
from programme.claims.models import Claim, PaymentRequest
from programme.ledger import accounts as acc
from programme.ledger.services import account_balance
from tests.e2e.test_claims import signed_in
from tests.e2e.test_sign_in import artifact
from tests.programme.claims_helpers import committed_claims_lpa, submit

pytestmark = pytest.mark.e2e


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width} px wide at 390 px"


def test_the_ketua_refuses_and_the_bendahara_pays_from_the_home_page(
    browser, live_port, committed_db
):
    today = timezone.localdate()
    start = (today - datetime.timedelta(days=400)).replace(day=1)
    lpa, team, policy = committed_claims_lpa(
        committed_db, slug="harian-e2e", npwp="09.123.456.7-741.000", start=start
    )
    connection.set_tenant(lpa)
    sick = submit(policy, team["petugas_lapangan"], event=start + datetime.timedelta(days=40))
    hurt = submit(
        policy, team["petugas_lapangan"], "accident", event=start + datetime.timedelta(days=50)
    )
    for claim in (sick, hurt):
        services.claim_verify(claim=claim, actor=team["klaim"])
    to_refuse = payments.payment_request_create(claims=[sick], actor=team["klaim"])
    to_pay = payments.payment_request_create(claims=[hurt], actor=team["klaim"])
    payments.payment_request_approve(request=to_pay, actor=team["ketua"])
    connection.set_schema_to_public()
    base = f"http://harian-e2e.localhost:{live_port}"

    # The Ketua: the home page says one request waits; refuse it with a reason.
    ketua = signed_in(browser, base, "harian-e2e-ketua")
    ketua.on("dialog", lambda dialog: dialog.accept())
    waiting = ketua.locator(".todo-requests_to_approve")
    assert "Permintaan pembayaran menunggu tanda tangan Anda: 1" in waiting.inner_text()
    assert "Rp 100.000" in waiting.inner_text()
    _no_sideways_scroll(ketua)
    waiting.get_by_role("link").click()
    ketua.get_by_role("link", name=to_refuse.number).click()
    ketua.get_by_label("Atau tolak, dengan alasannya").fill("Surat dokter tidak terbaca")
    ketua.get_by_role("button", name="Tolak permintaan").click()
    ketua.wait_for_selector("text=Ditolak Ketua")
    _no_sideways_scroll(ketua)
    ketua.screenshot(path=str(artifact("ketua-refused.png")), full_page=True)
    ketua.context.close()

    # The Bendahara: the approved request is on the home page; pay it from there.
    bendahara = signed_in(browser, base, "harian-e2e-bendahara")
    confirmations = []
    bendahara.on("dialog", lambda d: (confirmations.append(d.message), d.accept()))
    waiting = bendahara.locator(".todo-requests_to_pay")
    assert "Permintaan pembayaran yang sudah disetujui, perlu dibayar: 1" in waiting.inner_text()
    _no_sideways_scroll(bendahara)
    waiting.get_by_role("link").click()
    bendahara.get_by_role("link", name=to_pay.number).click()
    # Without the bank's reference the server refuses, beside the field, keeping the date.
    bendahara.locator("#reference").evaluate("el => el.removeAttribute('required')")
    bendahara.get_by_role("button", name="Bayar dari cadangan dana klaim (Bendahara)").click()
    assert bendahara.locator("#reference-error").is_visible()
    bendahara.get_by_label("Nomor bukti penarikan atau transfer bank").fill("TRF-2611-07")
    bendahara.get_by_role("button", name="Bayar dari cadangan dana klaim (Bendahara)").click()
    bendahara.wait_for_selector(".request-status >> text=Dibayar")
    assert len(confirmations) == 2 and "Rp 100.000" in confirmations[-1]
    _no_sideways_scroll(bendahara)
    bendahara.goto(f"{base}/dasbor/")
    assert bendahara.locator(".todo-requests_to_pay").count() == 0
    bendahara.context.close()

    connection.set_tenant(lpa)
    to_refuse.refresh_from_db()
    to_pay.refresh_from_db()
    assert to_refuse.status == PaymentRequest.Status.REFUSED
    assert to_refuse.refusal_reason == "Surat dokter tidak terbaca"
    assert Claim.objects.get(pk=sick.pk).status == "verified"
    assert (to_pay.status, to_pay.reference, to_pay.paid_on) == ("paid", "TRF-2611-07", today)
    assert account_balance(acc.BANK_RESERVE) == 900_000
    assert re.match(r"RKP-\d{4}-\d{4}", to_pay.number)
    connection.set_schema_to_public()

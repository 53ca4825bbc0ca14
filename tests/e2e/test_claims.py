"""One sickness claim walks from the field officer's phone to payment, across the
four roles that must each do their part: Petugas Lapangan submits, Urusan Klaim
verifies and recapitulates, the Ketua approves, the Bendahara pays from the reserve."""

import datetime
import re

import pytest
from django.db import connection
from django.utils import timezone

from programme.claims.models import Claim
from programme.ledger import accounts as acc
from programme.ledger.books import book_get
from programme.ledger.services import account_balance
from tests.e2e.browser import sign_in
from tests.e2e.test_sign_in import artifact
from tests.programme.claims_helpers import PDF, committed_claims_lpa, jpeg

pytestmark = pytest.mark.e2e


def signed_in(browser, base: str, username: str):
    context = browser.new_context(locale="id-ID", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, base, username)
    page.wait_for_url(re.compile(r"/dasbor/$"))
    return page


def test_a_claim_goes_from_submission_to_payment_across_four_roles(
    browser, live_port, committed_db
):
    today = timezone.localdate()
    start = (today - datetime.timedelta(days=70)).replace(day=1)
    lpa, team, policy = committed_claims_lpa(
        committed_db, slug="klaim-e2e", npwp="08.912.345.9-741.000", start=start
    )
    base = f"http://klaim-e2e.localhost:{live_port}"
    event = today - datetime.timedelta(days=14)

    # Petugas Lapangan, on a phone: the policy number from the member card, the
    # illness, the signed form and the doctor's letter photographed.
    officer = signed_in(browser, base, "klaim-e2e-petugas_lapangan")
    officer.get_by_role("link", name="Klaim").click()
    officer.get_by_role("link", name="Ajukan klaim").click()
    officer.get_by_label("Nomor polis (pada kartu peserta)").fill(policy.number)
    officer.get_by_role("button", name="Cari polis").click()
    officer.get_by_label("Jenis klaim").select_option("sickness")
    officer.get_by_label("Tanggal kejadian").fill(event.isoformat())
    officer.get_by_label("Lama sakit berturut-turut (hari)").fill("12")
    officer.get_by_label("Cara pembayaran").select_option("cash")
    officer.get_by_label("Formulir klaim bertanda tangan").set_input_files(
        files=[{"name": "formulir.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    officer.get_by_label("Surat keterangan dokter atau rumah sakit").set_input_files(
        files=[{"name": "IMG_0412.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}]
    )
    officer.get_by_role("button", name="Kirim klaim").click()
    officer.wait_for_url(re.compile(r"/klaim/\d+/$"))
    assert officer.locator(".claim-status").inner_text() == "Diajukan"
    assert officer.locator(".claim-amount").inner_text() == "Rp 100.000"
    claim_url = officer.url
    officer.screenshot(path=str(artifact("claim-submitted.png")), full_page=True)
    officer.context.close()

    # Urusan Klaim: every check passes, verify, then the recapitulation for the Ketua.
    klaim = signed_in(browser, base, "klaim-e2e-klaim")
    klaim.goto(claim_url)
    assert klaim.locator("ul.checks li.error").count() == 0
    assert klaim.locator("ul.checks li.ok").count() == 7
    klaim.get_by_role("button", name="Verifikasi: klaim memenuhi ketentuan").click()
    assert klaim.locator(".claim-status").inner_text() == "Diverifikasi"
    klaim.goto(f"{base}/klaim/pembayaran/")
    klaim.get_by_role("button", name="Buat permintaan pembayaran untuk Ketua").click()
    klaim.wait_for_url(re.compile(r"/klaim/pembayaran/\d+/$"))
    request_url = klaim.url
    klaim.context.close()

    # The Ketua signs the withdrawal; the Ketua cannot pay it.
    ketua = signed_in(browser, base, "klaim-e2e-ketua")
    ketua.on("dialog", lambda dialog: dialog.accept())  # signing asks for confirmation
    ketua.goto(request_url)
    ketua.get_by_role("button", name="Setujui penarikan (Ketua)").click()
    ketua.wait_for_selector("text=Disetujui, menunggu pembayaran")
    assert ketua.get_by_role("button", name=re.compile("Bayar dari cadangan")).count() == 0
    ketua.context.close()

    # The Bendahara pays from the claim reserve.
    bendahara = signed_in(browser, base, "klaim-e2e-bendahara")
    bendahara.on("dialog", lambda dialog: dialog.accept())  # paying asks for confirmation
    bendahara.goto(request_url)
    bendahara.get_by_label("Nomor bukti penarikan atau transfer bank").fill("TRF-0412")
    bendahara.get_by_role("button", name="Bayar dari cadangan dana klaim (Bendahara)").click()
    bendahara.wait_for_selector(".request-status >> text=Dibayar")
    assert bendahara.locator(".request-status").inner_text() == "Dibayar"
    bendahara.screenshot(path=str(artifact("claim-paid.png")), full_page=True)
    bendahara.context.close()

    connection.set_tenant(lpa)
    claim = Claim.objects.get()
    assert claim.status == "paid" and claim.service_days is not None
    assert list(claim.events.values_list("action", flat=True)) == [
        "submit",
        "verify",
        "recapitulate",
        "approve",
        "pay",
    ]
    assert account_balance(acc.CLAIMS_EXPENSE) == 100_000
    assert account_balance(acc.BANK_RESERVE) == 900_000
    assert book_get("klaim", today).closing == 100_000
    connection.set_schema_to_public()

"""A subsidy transfer from the province to an LPA's reserve, in a browser: one province
officer builds the batch, another approves and sends it; the fake bank (a real process)
pays it and a real Celery worker posts it; the LPA's Bendahara sees it arrive, uploads
the bank's statement, posts the bank's charge in one click and the month agrees."""

from __future__ import annotations

import datetime
import json
import re
import urllib.request

import pytest
from celery.contrib.testing.worker import start_worker

from askesos.accounts.services import government_scope_assign, membership_grant, user_create
from askesos.celery import app
from askesos.dates import today
from programme.bank.fakebank import fake_bank_process
from programme.generator import npwp_for
from programme.subsidies.models import Transfer, TransferState
from programme.subsidies.services import (
    budget_record,
    lpa_allocate_manual,
    province_allocate,
    rates_load_shipped,
)
from tenants.models import BankAccountPurpose
from tenants.services import lpa_bank_account_set, lpa_provision
from tests.conftest import PASSWORD
from tests.e2e.test_claims import signed_in
from tests.e2e.test_sign_in import artifact

pytestmark = [pytest.mark.e2e, pytest.mark.worker]

ACCOUNT = "5550011201"


def reload_until(page, text: str, tries: int = 60) -> None:
    for _ in range(tries):
        if text in page.content():
            return
        page.wait_for_timeout(500)
        page.reload()
    raise AssertionError(f"{text!r} never appeared on {page.url}")


def test_a_province_pays_an_lpa_and_its_bendahara_reconciles_the_month(
    browser, live_port, committed_db, tmp_path, settings
):
    rates_load_shipped()
    people = {}
    for name, level, province in (
        ("trf-kemensos", "ministry", None),
        ("trf-pembuat", "province", "74"),
        ("trf-pemeriksa", "province", "74"),
    ):
        committed_db.usernames.append(name)
        people[name] = user_create(username=name, password=PASSWORD)
        government_scope_assign(
            user=people[name], level=level, role="officer", province_code=province
        )
    committed_db.lpa_slugs.append("trf-e2e")
    lpa = lpa_provision(
        name="Yayasan Transfer Uji",
        slug="trf-e2e",
        legal_form="yayasan",
        regency_code="74.71",
        npwp=npwp_for(99, 1),
    )
    lpa_bank_account_set(
        lpa=lpa,
        purpose=BankAccountPurpose.RESERVE,
        bank_name="Bank Uji",
        number=ACCOUNT,
        holder="Tim Pengelola Yayasan Transfer Uji",
    )
    committed_db.usernames.append("trf-bendahara")
    bendahara = user_create(username="trf-bendahara", password=PASSWORD)
    membership_grant(lpa=lpa, user=bendahara, role="bendahara")
    budget = budget_record(
        year=today().year,
        channel="dekonsentrasi",
        purpose="claim_reserve",
        dipa_reference="DIPA-E2E",
        amount=100_000_000,
        actor=people["trf-kemensos"],
    )
    share = province_allocate(
        budget=budget, province_code="74", amount=50_000_000, actor=people["trf-kemensos"]
    )
    lpa_allocate_manual(
        share=share,
        lpa=lpa,
        amount=14_600_000,
        reason="40 peserta x Rp 365.000",
        actor=people["trf-pembuat"],
    )

    portal = f"http://localhost:{live_port}"
    app.control.purge()
    with (
        fake_bank_process(port=0, data_dir=tmp_path / "bank") as bank,
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30),
    ):
        settings.BANK_FAKE_URL = bank
        try:
            # The maker builds the batch on the portal.
            maker = signed_in(browser, portal, "trf-pembuat")
            maker.get_by_role("link", name="Subsidi").click()
            maker.get_by_role("checkbox", name="Yayasan Transfer Uji").check()
            maker.get_by_role("button", name="Susun batch transfer").click()
            maker.locator("#batches a").first.click()
            assert "petugas lain yang menyetujuinya" in maker.content()
            assert maker.get_by_role("button", name="Setujui batch ini").count() == 0

            # The checker approves it and sends it; the bank confirms; the worker posts.
            checker = signed_in(browser, portal, "trf-pemeriksa")
            checker.get_by_role("link", name="Subsidi").click()
            checker.locator("#batches a").first.click()
            checker.get_by_role("button", name="Setujui batch ini").click()
            checker.get_by_role("button", name="Kirim ke bank").click()
            reload_until(checker, "Ambil konfirmasi bank")
            checker.get_by_role("button", name="Ambil konfirmasi bank").click()
            reload_until(checker, 'data-state="posted"')
            checker.screenshot(path=artifact("subsidy-batch-posted.png"), full_page=True)
            transfer = Transfer.objects.get(lpa=lpa)
            assert transfer.state == TransferState.POSTED

            # The bank also took its monthly charge; the Bendahara downloads the statement.
            entry = json.dumps(
                {
                    "date": today().isoformat(),
                    "amount": -6_500,
                    "kind": "NCHG",
                    "reference": "ADM",
                    "text": "BIAYA ADMINISTRASI",
                }
            ).encode()
            urllib.request.urlopen(
                urllib.request.Request(
                    f"{bank}/accounts/{ACCOUNT}/entries",
                    data=entry,
                    headers={"Content-Type": "application/json"},
                    method="POST",
                ),
                timeout=10,
            )
            since = (today() - datetime.timedelta(days=1)).isoformat()
            with urllib.request.urlopen(
                f"{bank}/accounts/{ACCOUNT}/statements?since={since}", timeout=10
            ) as answer:
                statement = tmp_path / "rekening-koran.sta"
                statement.write_bytes(answer.read())
        finally:
            settings.BANK_FAKE_URL = "http://127.0.0.1:8790"

    base = f"http://trf-e2e.localhost:{live_port}"
    treasurer = signed_in(browser, base, "trf-bendahara")
    treasurer.get_by_role("link", name="Buku").click()
    treasurer.get_by_role("link", name="Dana dari pemerintah").click()
    row = treasurer.locator("#incoming-transfers tr", has_text=transfer.reference)
    assert "Rp 14.600.000" in row.inner_text() and "Dibukukan di LPA" in row.inner_text()

    treasurer.get_by_role("link", name="Bank", exact=True).click()
    treasurer.get_by_label(re.compile("Berkas rekening koran")).set_input_files(str(statement))
    treasurer.get_by_role("button", name="Impor").click()
    treasurer.get_by_role("link", name="Rekening bank").first.click()
    treasurer.get_by_role("link", name=re.compile("^1201")).click()
    page = treasurer.content()
    assert "Ada selisih" in page or "Selisih" in page
    assert "-Rp 6.500" in page
    treasurer.get_by_role("button", name="Catat sebagai biaya bank").click()
    assert "Buku dan bank sesuai" in treasurer.content()
    treasurer.screenshot(path=artifact("reconciliation-agrees.png"), full_page=True)

"""The bank pages on a 390-px phone: the accounts, a file's report and the
reconciliation screen (with an unmatched deposit and a bank charge) fit the screen."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from programme.banking.models import StatementFile
from programme.banking.services import statement_file_import
from tenants.services import lpa_bank_account_set
from tests.e2e.test_claims import signed_in
from tests.e2e.test_phone import _fits
from tests.programme.bank_helpers import Movement, mt940_statement
from tests.programme.claims_helpers import committed_claims_lpa

pytestmark = pytest.mark.e2e

NUMBER = "9990001201"


def test_the_bank_pages_fit_a_phone(browser, live_port, committed_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    today = timezone.localdate()
    start = (today - datetime.timedelta(days=70)).replace(day=1)
    lpa, _team, _policy = committed_claims_lpa(
        committed_db, slug="bank-ponsel-e2e", npwp="60.000.002.0-741.000", start=start
    )
    lpa_bank_account_set(
        lpa=lpa, purpose="1201", bank_name="Bank Sultra", number=NUMBER, holder="Tim Pengelola"
    )
    connection.set_tenant(lpa)
    statement_file_import(
        name="rekening-koran-cadangan-dana-klaim.sta",
        content=mt940_statement(
            NUMBER,
            "00001/001",
            start,
            0,
            [
                # Credited two weeks late: left for the Bendahara to match by hand.
                Movement(start + datetime.timedelta(days=15), 1_000_000, text="Setoran APBN"),
                Movement(start + datetime.timedelta(days=20), -6_500, kind="NCHG", text="Biaya"),
            ],
        ),
        actor=None,
    )
    record = StatementFile.objects.get()
    connection.set_schema_to_public()
    base = f"http://bank-ponsel-e2e.localhost:{live_port}"

    page = signed_in(browser, base, "bank-ponsel-e2e-bendahara")
    for path in ("/bank/", f"/bank/berkas/{record.pk}/", "/bank/rekonsiliasi/1201/"):
        response = page.goto(base + path)
        assert response.status == 200, (path, response.status)
        _fits(page)
    assert (
        page.get_by_role("button", name="Cocokkan").first.is_visible()
        or page.get_by_role("button", name="Match").first.is_visible()
    )
    page.context.close()

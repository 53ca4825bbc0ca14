"""The subsidy pages: each office sees and does what its level may, in its area; an
LPA sees its own incoming transfers and nobody else's."""

from __future__ import annotations

import pytest
from django.db import connection

from askesos.dates import today
from programme.subsidies.batches import batch_build
from programme.subsidies.models import Budget, LpaAllocation, TransferBatch
from tests.conftest import client_on, host_of
from tests.programme.subsidy_helpers import allocated, officers, share_for


@pytest.fixture
def gov(make_government_user):
    return officers(make_government_user)


def test_the_ministry_records_a_budget_and_a_wrong_amount_is_refused_at_its_field(gov, portal_host):
    ministry, *_ = gov
    share_for(ministry)  # loads the rates
    client = client_on(portal_host, ministry)
    form = {
        "action": "budget",
        "year": today().year,
        "channel": "dekonsentrasi",
        "purpose": "premium_aid",
        "dipa_reference": "DIPA-027.05.2",
        "amount": "lima",
    }
    refused = client.post("/subsidi/", form)
    assert refused.status_code == 400
    assert (
        "Tulis jumlah dalam angka" in refused.content.decode()
        or "angka" in refused.content.decode()
    )
    assert 'value="DIPA-027.05.2"' in refused.content.decode()  # what was typed stays
    form["amount"] = "Rp 750.000.000"
    assert client.post("/subsidi/", form).status_code == 302
    assert Budget.objects.get(purpose="premium_aid").amount == 750_000_000
    page = client.get("/subsidi/").content.decode()
    assert "Rp 750.000.000" in page


def test_a_province_officer_allocates_by_hand_and_the_district_only_reads(
    gov, portal_host, lpa_a, make_government_user
):
    ministry, officer, _ = gov
    share = share_for(ministry)
    client = client_on(portal_host, officer)
    form = {
        "action": "manual",
        "share": share.pk,
        "lpa": lpa_a.pk,
        "amount": "25.000.000",
        "reason": "",
    }
    assert client.post("/subsidi/", form).status_code == 400
    form["reason"] = "Usulan Dinas Sosial Kota Kendari"
    assert client.post("/subsidi/", form).status_code == 302
    assert LpaAllocation.objects.get(lpa=lpa_a).amount == 25_000_000
    district = make_government_user("regency", regency="74.71")
    page = client_on(portal_host, district).get("/subsidi/")
    assert page.status_code == 200 and "LPA Uji A" in page.content.decode()
    assert 'name="action" value="manual"' not in page.content.decode()
    refused = client_on(portal_host, district).post("/subsidi/", form)
    assert refused.status_code == 403
    other_province = make_government_user("province", province="73")
    assert (
        "LPA Uji A" not in client_on(portal_host, other_province).get("/subsidi/").content.decode()
    )


def test_the_maker_sees_no_approve_button_and_the_checker_approves(gov, portal_host, lpa_a):
    ministry, maker, checker = gov
    share = share_for(ministry)
    allocation = allocated(share, lpa_a, maker, 5_000_000)
    client = client_on(portal_host, maker)
    built = client.post(
        "/subsidi/",
        {"action": "batch", "allocation": [allocation.pk], "execution_date": today().isoformat()},
    )
    assert built.status_code == 302
    batch = TransferBatch.objects.get()
    url = f"/subsidi/batch/{batch.reference}/"
    page = client.get(url).content.decode()
    assert "Setujui batch ini" not in page and "petugas lain" in page
    client.post(url + "aksi/", {"action": "approve"})
    batch.refresh_from_db()
    assert batch.state == "planned"
    client_on(portal_host, checker).post(url + "aksi/", {"action": "approve"})
    batch.refresh_from_db()
    assert batch.state == "approved" and batch.approved_by == checker


def test_an_lpa_sees_its_incoming_transfers_and_not_another_lpas(gov, lpa_a, lpa_b, make_staff):
    ministry, maker, _ = gov
    share = share_for(ministry)
    allocation = allocated(share, lpa_a, maker, 7_500_000)
    batch_build(
        province=share.province, tranches=[(allocation, None)], execution_date=today(), actor=maker
    )
    reference = allocation.transfers.get().reference
    connection.set_schema_to_public()
    mine = client_on(host_of(lpa_a), make_staff(lpa_a, "bendahara")).get("/dana-masuk/")
    assert mine.status_code == 200
    assert reference in mine.content.decode() and "Rp 7.500.000" in mine.content.decode()
    theirs = client_on(host_of(lpa_b), make_staff(lpa_b, "bendahara")).get("/dana-masuk/")
    assert reference not in theirs.content.decode()


def test_the_nightly_bank_jobs_progress_is_counted_over_the_users_area(
    gov, portal_host, lpa_a, lpa_b, make_government_user
):
    from django.utils import timezone

    from tenants.models import JobRun

    _ministry, officer, _ = gov
    JobRun.objects.create(
        job="reconcile",
        lpa=lpa_a,
        day=today(),
        state="done",
        trigger="schedule",
        started_at=timezone.now(),
    )
    JobRun.objects.create(
        job="reconcile",
        lpa=lpa_b,
        day=today(),
        state="failed",
        trigger="schedule",
        started_at=timezone.now(),
        error="BankFileError: bank tidak dapat dihubungi",
    )
    province = client_on(portal_host, officer).get("/subsidi/").content.decode()
    row = province[
        province.index('id="jobs"') : province.index("</table>", province.index('id="jobs"'))
    ]
    assert "1 / 2" in row and "uji-b: BankFileError" in row
    district = make_government_user("regency", regency="74.71")
    page = client_on(portal_host, district).get("/subsidi/").content.decode()
    row = page[page.index('id="jobs"') : page.index("</table>", page.index('id="jobs"'))]
    assert "1 / 1" in row and "uji-b" not in row

"""A field officer collects premiums on a 390-px phone from the collection sheet: four
members of her meeting group ticked on the sheet, a fifth found by a photo of his
member card's QR code; then each receipt is on the participant's page."""

import datetime
import io
import re

import pytest
import segno
from django.db import connection

from askesos.accounts.services import membership_grant, user_create
from askesos.dates import today
from programme.participants.cards import card_verify_url
from programme.participants.groups import meeting_group_create, participant_group_set
from programme.participants.services import participant_register
from programme.schemes.rules import monthly_premium
from tenants.services import lpa_provision
from tests.conftest import PASSWORD
from tests.e2e.browser import sign_in
from tests.e2e.test_sign_in import artifact
from tests.programme.conftest import person

pytestmark = pytest.mark.e2e

SLUG = "tagih-e2e"
MEMBERS = ("Wa Ode Hasna", "La Ode Rahim", "Sitti Aisyah", "Muh. Yusran")
STRANGER = "La Baco"  # not in the group: found by his card


def committed_collection_lpa(committed_db):
    committed_db.lpa_slugs.append(SLUG)
    committed_db.usernames.append(f"{SLUG}-petugas")
    lpa = lpa_provision(
        name="LPA Tagih E2E",
        slug=SLUG,
        legal_form="yayasan",
        regency_code="74.71",
        npwp="09.123.456.7-741.000",
    )
    officer = user_create(username=f"{SLUG}-petugas", password=PASSWORD, full_name="Nurhayati")
    membership_grant(lpa=lpa, user=officer, role="petugas_lapangan")
    connection.set_tenant(lpa)
    start = (today() - datetime.timedelta(days=40)).replace(day=1)
    group = meeting_group_create(
        name="Kelompok Melati", village_code="74.71.01.1005", officer_id=officer.pk
    )
    policies = {}
    for serial, name in enumerate((*MEMBERS, STRANGER), start=51):
        policy = participant_register(data=person(serial=serial, name=name), start_date=start)
        if name != STRANGER:
            participant_group_set(participant=policy.participant, group=group)
        policies[name] = policy
    connection.set_schema_to_public()
    return lpa, policies


def card_qr_png(policy) -> bytes:
    """A photo of the card's QR code, as the phone's file input would hand it over."""
    out = io.BytesIO()
    segno.make(card_verify_url(policy.card_token), error="m").save(
        out, kind="png", scale=8, border=4
    )
    return out.getvalue()


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_field_officer_collects_five_premiums_on_a_phone(page, live_port, committed_db):
    lpa, policies = committed_collection_lpa(committed_db)
    premium = monthly_premium(policies[STRANGER].scheme_version.rules)
    base = f"http://{SLUG}.localhost:{live_port}"

    sign_in(page, base, f"{SLUG}-petugas")
    page.wait_for_url(re.compile(r"/dasbor/$"))
    page.get_by_role("link", name="Premi", exact=True).click()
    page.wait_for_url(re.compile(r"/premi/$"))

    # Her own group is on the sheet; the stranger is not.
    rows = page.locator("table.sheet tbody tr[data-policy]")
    assert rows.count() == len(MEMBERS)
    assert page.locator("table.sheet").get_by_text(STRANGER).count() == 0
    assert no_sideways_scroll(page)
    for name in MEMBERS:
        row = page.locator(f'tr[data-policy="{policies[name].pk}"]')
        assert row.locator("input[name^=months-]").is_visible()
        assert row.locator("input[name^=amount-]").is_visible()
        assert row.get_by_text(name).is_visible()
    page.screenshot(path=str(artifact("collection-sheet.png")), full_page=True)

    # Four members paid what they owe; Sitti pays six months ahead as well.
    for name in MEMBERS:
        page.locator(f'tr[data-policy="{policies[name].pk}"] input[name=pay]').check()
    sitti = page.locator(f'tr[data-policy="{policies["Sitti Aisyah"].pk}"]')
    due = int(sitti.locator("input[name^=months-]").input_value())
    sitti.locator("input[name^=months-]").fill(str(due + 6))
    assert sitti.locator("input[name^=amount-]").input_value() == (
        f"{(due + 6) * premium:,}".replace(",", ".")
    )

    # La Baco shows his member card: a photo of its QR code finds his row.
    stranger = policies[STRANGER]
    page.locator("#scan-file").set_input_files(
        files=[{"name": "kartu.png", "mimeType": "image/png", "buffer": card_qr_png(stranger)}]
    )
    found = page.locator(f'tr.found[data-policy="{stranger.pk}"]')
    found.wait_for()
    assert found.locator("input[name=pay]").is_checked()
    assert page.locator("#scan-status").inner_text() == f"Ditemukan: {STRANGER}"
    assert no_sideways_scroll(page)
    page.screenshot(path=str(artifact("collection-scanned.png")), full_page=True)

    page.get_by_role("button", name="Catat pembayaran yang dicentang").click()
    page.wait_for_load_state()
    assert page.get_by_text("5 kuitansi tercatat.").is_visible()
    recorded = page.locator("tr.recorded")
    assert recorded.count() == 5
    assert no_sideways_scroll(page)
    page.screenshot(path=str(artifact("collection-recorded.png")), full_page=True)
    numbers = {}
    for name, policy in policies.items():
        number = page.locator(f'tr.recorded[data-policy="{policy.pk}"] .receipt-number')
        numbers[name] = number.inner_text()
        assert re.fullmatch(rf"KW-{today():%y%m}-\d{{5}}", numbers[name])
    assert len(set(numbers.values())) == 5

    # Each receipt is on the participant's page, with what is still due.
    for name, policy in policies.items():
        page.goto(f"{base}/peserta/{policy.participant_id}/")
        history = page.locator("table.receipts")
        assert history.get_by_text(numbers[name]).is_visible()
        assert no_sideways_scroll(page)
    assert page.locator(".due-months").first.inner_text() != ""
    page.goto(f"{base}/peserta/{policies['Sitti Aisyah'].participant_id}/")
    assert page.locator(".due-months").inner_text() == "tidak ada: sudah dibayar di muka"
    page.screenshot(path=str(artifact("collection-participant.png")), full_page=True)

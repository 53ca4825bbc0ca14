"""A new user signs in to an LPA and to the government portal, in a real browser."""

import re

import pytest

from askesos.accounts.services import government_scope_assign, membership_grant, user_create
from tenants.models import Lpa
from tests.conftest import PASSWORD
from tests.e2e.browser import second_step, sign_in

pytestmark = pytest.mark.e2e


def test_lpa_treasurer_signs_in_on_a_phone_and_sees_the_dashboard(page, live_port, committed_db):
    committed_db.usernames.append("bendahara-e2e")
    user = user_create(username="bendahara-e2e", password=PASSWORD, full_name="Siti Bendahara")
    membership_grant(lpa=Lpa.objects.get(slug="uji-a"), user=user, role="bendahara")

    page.goto(f"http://uji-a.localhost:{live_port}/")
    page.get_by_label("Nama pengguna").fill("bendahara-e2e")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()

    # The Bendahara moves money: the first sign-in sets up the second factor.
    page.wait_for_url(re.compile(r"/masuk/kode-baru/\?next=%2Fdasbor%2F$"))
    assert page.locator("#second-factor-qr svg").is_visible()
    page.screenshot(path=str(artifact("second-factor-enrol.png")))
    page.get_by_label("Kode").fill("000000")
    page.get_by_role("button", name="Konfirmasi").click()
    assert page.get_by_role("alert").get_by_text("Kode itu salah").is_visible()
    second_step(page, "bendahara-e2e")
    page.wait_for_url(re.compile(r"/dasbor/$"))
    assert page.get_by_role("heading", name="LPA Uji A").is_visible()
    assert page.get_by_text("Bendahara", exact=True).is_visible()
    assert page.get_by_text("Rp 0").is_visible()
    page.screenshot(path=str(artifact("lpa-dashboard.png")))


def test_staff_of_lpa_a_are_refused_at_lpa_b_with_a_readable_message(page, live_port, committed_db):
    committed_db.usernames.append("ketua-e2e")
    user = user_create(username="ketua-e2e", password=PASSWORD)
    membership_grant(lpa=Lpa.objects.get(slug="uji-a"), user=user, role="ketua")

    page.goto(f"http://uji-b.localhost:{live_port}/masuk/?lang=en")
    page.get_by_label("Username").fill("ketua-e2e")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # The same words as for a wrong password: the page does not tell that it was right.
    assert page.get_by_role("alert").inner_text().startswith("Wrong username or password")
    page.goto(f"http://uji-b.localhost:{live_port}/dasbor/")
    assert "/masuk/" in page.url


def test_ministry_user_signs_in_to_the_portal_and_switches_to_english(
    page, live_port, committed_db
):
    committed_db.usernames.append("kemensos-e2e")
    user = user_create(username="kemensos-e2e", password=PASSWORD)
    government_scope_assign(user=user, level="ministry", role="officer")

    page.goto(f"http://localhost:{live_port}/masuk/")
    assert page.get_by_text("Portal pemerintah").is_visible()
    sign_in(page, f"http://localhost:{live_port}", "kemensos-e2e")

    page.wait_for_url(re.compile(r"/dasbor/$"))
    assert page.get_by_role("heading", name="Indonesia (nasional)").is_visible()
    page.locator("#now-link").click()
    page.wait_for_url(re.compile(r"/dasbor/sekarang/$"))
    assert page.get_by_role("cell", name="LPA Uji C", exact=True).is_visible()
    page.go_back()
    page.get_by_role("link", name="EN", exact=True).click()
    assert page.get_by_role("heading", name="Indonesia (national)").is_visible()
    page.screenshot(path=str(artifact("portal-dashboard-en.png")))


def artifact(name: str):
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / ".askesos" / "e2e"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name

"""The second factor at sign-in (askesos.accounts.second_factor): who must use it, the
enrolment at the first sign-in, the code at every sign-in after it, recovery codes used
once, turning it on and off, and an administrator's reset with its logged reason."""

from __future__ import annotations

import datetime
import re
import time
from base64 import b32encode

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from askesos.accounts.second_factor import RECOVERY_CODES
from askesos.roles import LpaRole
from tests.conftest import PASSWORD, host_of


def code_of(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """What the user's app shows now (or `steps_ahead` periods of 30 s later: a code
    is taken once, so a second sign-in in the same 30 s needs the next one)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def signed_in(host: str, username: str, **extra) -> Client:
    client = Client(HTTP_HOST=host)
    response = client.post("/masuk/", {"username": username, "password": PASSWORD}, **extra)
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def enrolled(client: Client, user) -> tuple[TOTPDevice, list[str]]:
    """Walk the enrolment page: read the key, type the app's code, keep the codes."""
    page = client.get("/masuk/kode-baru/").content.decode()
    assert "<svg" in page and 'id="second-factor-key"' in page
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    shown = re.search(r'id="second-factor-key">([^<]+)<', page).group(1).replace(" ", "")
    assert shown == b32encode(device.bin_key).decode().rstrip("=")
    response = client.post("/masuk/kode-baru/", {"token": code_of(device)})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", response.content.decode())
    device.refresh_from_db()
    return device, codes


def waited(user) -> None:
    """As if the wait that wrong codes earned had passed (moved back, not slept)."""
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user).update(throttling_failure_timestamp=an_hour_ago)


def gated(client: Client, *, to: str) -> None:
    """Nothing but the second step opens: pages redirect to it, the API refuses."""
    page = client.get("/dasbor/")
    assert page.status_code == 302 and page["Location"].startswith(to), page.get("Location")
    assert "next=%2Fdasbor%2F" in page["Location"]
    api = client.get("/api/me/")
    assert api.status_code == 403
    assert api.json()["errors"][0]["code"] == "second_factor_required"


def test_the_bendahara_enrols_at_the_first_sign_in_and_keeps_ten_recovery_codes(lpa_a, make_staff):
    bendahara = make_staff(lpa_a, LpaRole.BENDAHARA)
    client = signed_in(host_of(lpa_a), bendahara.username)

    gated(client, to="/masuk/kode-baru/")
    device, codes = enrolled(client, bendahara)

    assert device.confirmed and len(codes) == RECOVERY_CODES == len(set(codes))
    assert StaticToken.objects.filter(device__user=bendahara).count() == RECOVERY_CODES
    assert client.get("/dasbor/").status_code == 200
    assert client.get("/api/me/").status_code == 200


def test_each_later_sign_in_asks_for_the_code_and_a_recovery_code_opens_once(lpa_a, make_staff):
    ketua = make_staff(lpa_a, LpaRole.KETUA)
    device, codes = enrolled(signed_in(host_of(lpa_a), ketua.username), ketua)

    client = signed_in(host_of(lpa_a), ketua.username)
    gated(client, to="/masuk/kode/")
    wrong = client.post(
        "/masuk/kode/", {"token": "0" * 6 if code_of(device) != "0" * 6 else "1" * 6}
    )
    assert 'id="second-factor-error"' in wrong.content.decode()
    assert client.get("/dasbor/").status_code == 302
    # The code the enrolment took is not taken twice; the app's next one is, once the
    # wait the wrong codes earned has passed (moved back here rather than slept).
    again = client.post("/masuk/kode/", {"token": code_of(device)})
    assert "Terlalu banyak kode salah" in again.content.decode()
    waited(ketua)
    again = client.post("/masuk/kode/", {"token": code_of(device)})
    assert 'id="second-factor-error"' in again.content.decode()
    waited(ketua)
    right = client.post(
        "/masuk/kode/", {"token": code_of(device, steps_ahead=1), "next": "/peserta/"}
    )
    assert right.status_code == 302 and right["Location"] == "/peserta/"
    assert client.get("/dasbor/").status_code == 200

    # A lost phone: a recovery code signs in once.
    first = signed_in(host_of(lpa_a), ketua.username)
    assert first.post("/masuk/kode/", {"token": codes[0].upper()}).status_code == 302
    assert first.get("/dasbor/").status_code == 200
    second = signed_in(host_of(lpa_a), ketua.username)
    refused = second.post("/masuk/kode/", {"token": codes[0]})
    assert 'id="second-factor-error"' in refused.content.decode()
    assert second.get("/dasbor/").status_code == 302


def test_a_password_alone_never_enrols_another_app(lpa_a, make_staff):
    """Someone who learnt the Bendahara's password cannot add their own phone."""
    bendahara = make_staff(lpa_a, LpaRole.BENDAHARA)
    enrolled(signed_in(host_of(lpa_a), bendahara.username), bendahara)

    intruder = signed_in(host_of(lpa_a), bendahara.username)
    page = intruder.get("/masuk/kode-baru/")
    assert page.status_code == 302 and page["Location"].startswith("/masuk/kode/")
    posted = intruder.post("/masuk/kode-baru/", {"token": "123456"})
    assert posted.status_code == 302
    assert TOTPDevice.objects.filter(user=bendahara).count() == 1
    assert intruder.get("/akun/keamanan/").status_code == 302


@pytest.mark.parametrize("level, scope", [("ministry", {}), ("regency", {"regency": "74.71"})])
def test_every_government_user_must_use_it_on_the_portal(
    portal_host, make_government_user, level, scope
):
    officer = make_government_user(level, **scope)
    client = signed_in(portal_host, officer.username)

    gated(client, to="/masuk/kode-baru/")
    enrolled(client, officer)
    assert client.get("/dasbor/").status_code == 200


def test_the_admin_needs_the_second_step(portal_host, django_user_model):
    admin = django_user_model.objects.create_superuser("admin-uji", password=PASSWORD)
    client = signed_in(portal_host, admin.username)

    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/masuk/kode-baru/")
    enrolled(client, admin)
    assert client.get("/admin/").status_code == 200


def test_a_field_officer_may_turn_it_on_and_off(lpa_a, make_staff):
    officer = make_staff(lpa_a, LpaRole.PETUGAS_LAPANGAN)
    client = signed_in(host_of(lpa_a), officer.username)
    assert client.get("/dasbor/").status_code == 200  # not required of the role
    assert "Mati" in client.get("/akun/keamanan/").content.decode()

    device, _codes = enrolled(client, officer)
    later = signed_in(host_of(lpa_a), officer.username)
    gated(later, to="/masuk/kode/")  # turned on: now asked every time
    later.post("/masuk/kode/", {"token": code_of(device, steps_ahead=1)})
    assert later.post("/akun/keamanan/", {"action": "off"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert signed_in(host_of(lpa_a), officer.username).get("/dasbor/").status_code == 200


def test_the_ketua_cannot_turn_it_off_and_may_make_new_recovery_codes(lpa_a, make_staff):
    ketua = make_staff(lpa_a, LpaRole.KETUA)
    client = signed_in(host_of(lpa_a), ketua.username)
    _device, codes = enrolled(client, ketua)

    refused = client.post("/akun/keamanan/", {"action": "off"})
    assert "tidak dapat dimatikan" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=ketua, confirmed=True).exists()
    fresh = client.post("/akun/keamanan/", {"action": "codes"}).content.decode()
    new_codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", fresh)
    assert len(new_codes) == RECOVERY_CODES and not set(new_codes) & set(codes)


def test_an_administrator_resets_it_with_a_reason_that_is_logged(lpa_a, make_staff):
    ketua = make_staff(lpa_a, LpaRole.KETUA)
    enrolled(signed_in(host_of(lpa_a), ketua.username), ketua)

    with pytest.raises(CommandError):
        call_command("second_factor_reset", ketua.username, reason="hilang")
    assert TOTPDevice.objects.filter(user=ketua).exists()
    reason = "HP hilang; identitas dicek lewat telepon ke Dinas Sosial Kota Kendari"
    call_command("second_factor_reset", ketua.username, reason=reason)

    assert not TOTPDevice.objects.filter(user=ketua).exists()
    assert not StaticToken.objects.filter(device__user=ketua).exists()
    entry = LogEntry.objects.filter(object_pk=str(ketua.pk)).latest("timestamp")
    assert entry.additional_data == {"event": "second_factor_reset", "reason": reason}
    gated(signed_in(host_of(lpa_a), ketua.username), to="/masuk/kode-baru/")


def test_the_second_step_reads_in_english(lpa_a, make_staff):
    ketua = make_staff(lpa_a, LpaRole.KETUA)
    client = signed_in(host_of(lpa_a), ketua.username)

    page = client.get("/masuk/kode-baru/?lang=en").content.decode()
    assert "Set up your second factor" in page
    wrong = client.post("/masuk/kode-baru/", {"token": "12"}).content.decode()
    assert "That code is not right" in wrong


def test_the_reset_is_also_in_the_admin_and_asks_for_the_reason(
    portal_host, lpa_a, make_staff, django_user_model
):
    from tests.conftest import client_on

    ketua = make_staff(lpa_a, LpaRole.KETUA)
    enrolled(signed_in(host_of(lpa_a), ketua.username), ketua)
    admin = django_user_model.objects.create_superuser("admin-reset", password=PASSWORD)
    client = client_on(portal_host, admin)
    chosen = {"action": "reset_second_factor", "_selected_action": [ketua.pk]}

    asked = client.post("/admin/accounts/user/", chosen)
    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
    short = client.post("/admin/accounts/user/", {**chosen, "confirm": "1", "reason": "hilang"})
    assert "paling sedikit 10 karakter" in short.content.decode()
    assert TOTPDevice.objects.filter(user=ketua).exists()
    reason = "HP dicuri, dikonfirmasi lewat telepon kantor LPA"
    done = client.post("/admin/accounts/user/", {**chosen, "confirm": "1", "reason": reason})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=ketua).exists()
    entry = LogEntry.objects.filter(object_pk=str(ketua.pk)).latest("timestamp")
    assert entry.actor == admin and entry.additional_data["reason"] == reason


def test_no_admin_page_shows_or_makes_a_second_factors_key(portal_host, django_user_model):
    from tests.conftest import client_on

    admin = django_user_model.objects.create_superuser("admin-otp", password=PASSWORD)
    client = client_on(portal_host, admin)
    for path in ("/admin/otp_totp/totpdevice/", "/admin/otp_static/staticdevice/"):
        assert client.get(path).status_code == 404, path

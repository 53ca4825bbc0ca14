"""Sign-in, dashboards, language and tenant status, through the real middleware stack."""

import os
import subprocess
import sys

import pytest
from django.test import Client

from askesos.roles import LpaRole
from tenants.services import lpa_set_status
from tests.askesos.test_second_factor import enrolled
from tests.conftest import PASSWORD, client_on, host_of


def _sign_in(host, username, password=PASSWORD, **extra):
    client = Client(HTTP_HOST=host)
    response = client.post("/masuk/", {"username": username, "password": password}, **extra)
    return client, response


def test_lpa_staff_sign_in_on_their_lpa_and_see_its_dashboard(lpa_a, make_staff):
    bendahara = make_staff(lpa_a, LpaRole.BENDAHARA)

    client, response = _sign_in(host_of(lpa_a), bendahara.username)

    assert response.status_code == 302 and response["Location"] == "/dasbor/"
    enrolled(client, bendahara)  # the Bendahara's second factor, at the first sign-in
    page = client.get("/dasbor/").content.decode()
    assert "LPA Uji A" in page and "Bendahara" in page and "Rp 0" in page


def test_staff_of_another_lpa_cannot_sign_in_here(lpa_a, lpa_b, make_staff):
    ketua_a = make_staff(lpa_a, LpaRole.KETUA)

    client, response = _sign_in(host_of(lpa_b), ketua_a.username)

    assert response.status_code == 200
    assert client.get("/dasbor/").status_code == 302


def test_a_refused_sign_in_says_why_in_english_on_request(lpa_a, make_staff):
    ketua = make_staff(lpa_a, LpaRole.KETUA)
    client = Client(HTTP_HOST=host_of(lpa_a))

    response = client.post("/masuk/?lang=en", {"username": ketua.username, "password": "salah"})

    page = response.content.decode()
    assert "Wrong username or password" in page and "case-sensitive" in page


def test_government_user_signs_in_on_the_portal(portal_host, lpa_a, lpa_b, make_government_user):
    kendari = make_government_user("regency", regency="74.71")

    client, response = _sign_in(portal_host, kendari.username)

    assert response.status_code == 302
    enrolled(client, kendari)
    page = client.get("/dasbor/sekarang/").content.decode()
    assert "Kota Kendari" in page and "LPA Uji A" in page and "LPA Uji B" not in page


def test_lpa_staff_are_pointed_to_their_lpa_address_on_the_portal(portal_host, lpa_a, make_staff):
    ketua = make_staff(lpa_a, LpaRole.KETUA)

    _client, response = _sign_in(portal_host, ketua.username, **{"QUERY_STRING": "lang=en"})

    assert "LPA staff sign in at their own LPA&#x27;s address" in response.content.decode()


def test_pages_are_indonesian_first_whatever_the_browser_says(lpa_a):
    response = Client(HTTP_HOST=host_of(lpa_a)).get("/masuk/", HTTP_ACCEPT_LANGUAGE="en-US")

    assert response["Content-Language"] == "id"
    assert "Kata sandi" in response.content.decode()


def test_english_is_one_click_away_and_sticks(lpa_a):
    client = Client(HTTP_HOST=host_of(lpa_a))

    first = client.get("/masuk/?lang=en")
    second = client.get("/masuk/")

    assert "Password" in first.content.decode() and second["Content-Language"] == "en"


def test_a_field_officer_may_not_open_the_team_page(lpa_a, make_staff):
    petugas = make_staff(lpa_a, LpaRole.PETUGAS_LAPANGAN)

    response = client_on(host_of(lpa_a), petugas).get("/tim/")

    assert response.status_code == 403
    assert "tidak berwenang" in response.content.decode()


def test_a_suspended_lpa_is_read_only(lpa_a, make_staff):
    ketua = make_staff(lpa_a, LpaRole.KETUA)
    lpa_set_status(lpa=lpa_a, status="suspended")
    client = client_on(host_of(lpa_a), ketua)

    assert client.get("/dasbor/").status_code == 200
    refused = client.post("/api/staff/", {})
    assert refused.status_code == 423 and "dibekukan" in refused.json()["message"]


def test_an_archived_lpa_answers_410(lpa_a, make_staff):
    ketua = make_staff(lpa_a, LpaRole.KETUA)
    lpa_set_status(lpa=lpa_a, status="archived")

    assert client_on(host_of(lpa_a), ketua).get("/dasbor/").status_code == 410


def test_an_lpa_still_being_prepared_answers_503(db):
    from tenants.services import lpa_register

    lpa = lpa_register(
        name="Belum Siap",
        slug="belum-siap",
        legal_form="lsm",
        regency_code="74.71",
        npwp="04.567.891.9-741.000",
    )

    response = Client(HTTP_HOST=host_of(lpa)).get("/masuk/")

    assert response.status_code == 503 and "sedang disiapkan" in response.content.decode()


def test_health_check_of_what_a_web_node_needs_answers_on_any_host(portal_host, lpa_a, db):
    for host in (portal_host, host_of(lpa_a), "10.0.0.7"):
        response = Client(HTTP_HOST=host).get("/healthz", {"checks": "database,redis"})

        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        assert response.json()["status"] == "ok" and response.json()["down"] == []


@pytest.mark.parametrize("level", ["id", "en"])
def test_date_and_money_render_the_indonesian_way(lpa_a, make_staff, level):
    ketua = make_staff(lpa_a, LpaRole.KETUA)

    page = client_on(host_of(lpa_a), ketua).get(f"/dasbor/?lang={level}").content.decode()

    assert "Rp 0" in page


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "ASKESOS_ENV": "production",
        "SECRET_KEY": "x" * 20 + "-production-secret-key-of-fifty-plus-characters-0123456789",
        "NIK_INDEX_KEY": "production-nik-index-key",
        "ALLOWED_HOSTS": "askesos.kemensos.go.id,.askesos.kemensos.go.id",
        "BASE_DOMAIN": "askesos.kemensos.go.id",
    }
    result = subprocess.run(
        [sys.executable, "-m", "askesos", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_its_settings():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env["ASKESOS_ENV"] = "production"

    result = subprocess.run(
        [sys.executable, "-m", "askesos", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0 and "must be set when ASKESOS_ENV=production" in result.stderr


def test_the_menu_shows_what_the_role_may_open(lpa_a, make_staff):
    petugas = client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.PETUGAS_LAPANGAN))
    bendahara = client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.BENDAHARA))

    officer_page = petugas.get("/dasbor/").content.decode()
    treasurer_page = bendahara.get("/dasbor/").content.decode()

    assert ">Premi<" in officer_page and ">Buku<" not in officer_page
    # The Bendahara's premium work is receiving hand-overs: "Premi" opens that page.
    assert ">Buku<" in treasurer_page and 'href="/premi/serah-terima/">Premi<' in treasurer_page


def test_pages_are_compressed_for_slow_connections(lpa_a, make_staff):
    client = client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.BENDAHARA))

    response = client.get("/dasbor/", HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]

"""How long a sign-in lasts: 30 idle minutes for money and government roles, 8 hours for
anyone, and back where one was after signing in again (askesos.accounts.sessions)."""

import pytest
from django.test import Client

from askesos.accounts.sessions import LAST_SEEN, SIGNED_IN_AT
from askesos.roles import LpaRole
from tests.conftest import PASSWORD, host_of


def _signed_in(host: str, username: str) -> Client:
    """Signed in with the password, the second step taken as a tool would
    (tests/askesos/test_second_factor.py walks it)."""
    from askesos.accounts.models import User
    from askesos.accounts.second_factor import session_trusted

    client = Client(HTTP_HOST=host)
    response = client.post("/masuk/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    session_trusted(client.session, User.objects.get(username=username))
    return client


def _age(client: Client, key: str, seconds: int) -> None:
    """Move the session's clock `key` back by `seconds`, as if that much time had passed."""
    session = client.session
    session[key] -= seconds
    session.save()


@pytest.mark.parametrize("role", [LpaRole.KETUA, LpaRole.BENDAHARA])
def test_a_money_role_is_signed_out_after_30_idle_minutes_and_comes_back_where_it_was(
    lpa_a, make_staff, role
):
    user = make_staff(lpa_a, role)
    client = _signed_in(host_of(lpa_a), user.username)
    assert client.get("/peserta/").status_code == 200

    _age(client, LAST_SEEN, 31 * 60)
    response = client.get("/peserta/?q=budi&lang=en")

    assert response.status_code == 302
    assert response["Location"] == "/masuk/?next=/peserta/%3Fq%3Dbudi%26lang%3Den"
    form = client.get(response["Location"])
    assert "signed out after 30 minutes without activity" in form.content.decode()
    back = client.post(response["Location"], {"username": user.username, "password": PASSWORD})
    assert back.status_code == 302 and back["Location"] == "/peserta/?q=budi&lang=en"


def test_activity_keeps_a_money_role_signed_in(lpa_a, make_staff):
    client = _signed_in(host_of(lpa_a), make_staff(lpa_a, LpaRole.BENDAHARA).username)

    for _ in range(3):
        _age(client, LAST_SEEN, 20 * 60)
        assert client.get("/dasbor/").status_code == 200


def test_other_lpa_roles_have_no_idle_limit_by_default(lpa_a, make_staff):
    client = _signed_in(host_of(lpa_a), make_staff(lpa_a, LpaRole.PETUGAS_LAPANGAN).username)

    _age(client, LAST_SEEN, 3 * 60 * 60)

    assert client.get("/dasbor/").status_code == 200


def test_the_idle_limit_and_its_roles_are_settings(lpa_a, make_staff, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 10 * 60
    settings.SESSION_IDLE_LPA_ROLES = {LpaRole.KLAIM}
    klaim = _signed_in(host_of(lpa_a), make_staff(lpa_a, LpaRole.KLAIM).username)
    ketua = _signed_in(host_of(lpa_a), make_staff(lpa_a, LpaRole.KETUA).username)

    _age(klaim, LAST_SEEN, 11 * 60)
    _age(ketua, LAST_SEEN, 11 * 60)

    assert klaim.get("/dasbor/").status_code == 302
    assert ketua.get("/dasbor/").status_code == 200


@pytest.mark.parametrize("role", ["officer", "auditor", "pendamping"])
def test_every_government_role_is_signed_out_after_30_idle_minutes(
    portal_host, make_government_user, role
):
    user = make_government_user("province", role=role, province="74")
    client = _signed_in(portal_host, user.username)

    _age(client, LAST_SEEN, 29 * 60)
    assert client.get("/dasbor/").status_code == 200
    _age(client, LAST_SEEN, 31 * 60)
    assert client.get("/dasbor/")["Location"].startswith("/masuk/?next=/dasbor/")


def test_no_sign_in_lasts_more_than_8_hours_however_active(lpa_a, make_staff):
    client = _signed_in(host_of(lpa_a), make_staff(lpa_a, LpaRole.PETUGAS_LAPANGAN).username)

    _age(client, SIGNED_IN_AT, 8 * 60 * 60 + 1)
    response = client.get("/dasbor/?lang=en")

    assert response.status_code == 302
    assert "at most 8 hours" in client.get(response["Location"]).content.decode()


def test_the_api_answers_an_ended_session_in_the_error_shape(lpa_a, make_staff):
    client = _signed_in(host_of(lpa_a), make_staff(lpa_a, LpaRole.KETUA).username)

    _age(client, LAST_SEEN, 31 * 60)
    response = client.get("/api/me/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "session_expired" and body["errors"][0]["code"] == "session_expired"
    assert client.get("/api/me/").json()["code"] == "not_authenticated", "signed out"


def test_a_form_posted_after_the_end_returns_to_its_page_not_the_post(lpa_a, make_staff):
    client = _signed_in(host_of(lpa_a), make_staff(lpa_a, LpaRole.BENDAHARA).username)

    _age(client, LAST_SEEN, 31 * 60)
    response = client.post("/peserta/daftar/", {"name": "Budi"})

    assert response["Location"] == "/masuk/?next=/peserta/daftar/"

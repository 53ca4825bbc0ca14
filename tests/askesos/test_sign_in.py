"""Sign-in under attack: progressive delays per account and address, the client address
from trusted proxies only, password spraying, rate limits, and one refusal for a wrong
password and a right one on the wrong host (askesos.accounts.lockout, .backends)."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.utils import timezone

from askesos.accounts.lockout import delay_after
from askesos.client_address import client_address
from askesos.roles import LpaRole
from tests.conftest import PASSWORD, client_on, host_of


def _post(client: Client, username: str, password: str, **extra):
    return client.post("/masuk/?lang=en", {"username": username, "password": password}, **extra)


def _failures(username: str) -> int:
    return sum(
        AccessAttempt.objects.filter(username=username).values_list(
            "failures_since_start", flat=True
        )
    )


def _let_time_pass(username: str, seconds: int) -> None:
    """The recorded failures of `username` as if they had happened `seconds` earlier."""
    AccessAttempt.objects.filter(username=username).update(
        attempt_time=timezone.now() - timedelta(seconds=seconds)
    )


def _alert(response) -> str:
    page = response.content.decode()
    start = page.index('role="alert">') + len('role="alert">')
    return page[start : page.index("</", start)].strip()


@pytest.fixture
def ketua(lpa_a, make_staff):
    return make_staff(lpa_a, LpaRole.KETUA)


@pytest.fixture
def fresh_throttles():
    """Each test starts from no throttle counts (tests/conftest.py's autouse fixture);
    named here where a test's meaning depends on it."""


# --- per account and address: progressive delays, not a lock -----------------------------


def test_the_delay_doubles_with_each_failure_past_the_free_ones(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.SIGN_IN_DELAY_SECONDS = 60
    settings.SIGN_IN_DELAY_MAX_SECONDS = 1800

    delays = [delay_after(n).total_seconds() for n in range(1, 13)]

    assert delays == [0, 0, 0, 0, 60, 120, 240, 480, 960, 1800, 1800, 1800]


def test_wrong_passwords_from_one_address_slow_that_address_down_progressively(lpa_a, ketua):
    client = Client(HTTP_HOST=host_of(lpa_a), REMOTE_ADDR="10.1.0.1")

    free = [_post(client, ketua.username, "salah").status_code for _ in range(4)]
    fifth = _post(client, ketua.username, "salah")
    right_too_early = _post(client, ketua.username, PASSWORD)

    assert free == [200, 200, 200, 200]
    assert fifth.status_code == 429 and 0 < int(fifth["Retry-After"]) <= 60
    assert "Try again in" in _alert(fifth) and ketua.username in _alert(fifth)
    assert right_too_early.status_code == 429, "refused unread while waiting"
    assert _failures(ketua.username) == 5, "tries while waiting do not lengthen the wait"

    _let_time_pass(ketua.username, 61)
    sixth = _post(client, ketua.username, "salah")
    assert sixth.status_code == 429 and 60 < int(sixth["Retry-After"]) <= 120

    _let_time_pass(ketua.username, 121)
    signed_in = _post(client, ketua.username, PASSWORD)
    assert signed_in.status_code == 302
    assert _failures(ketua.username) == 0, "a sign-in forgets the failures"


def test_the_owner_signs_in_from_another_address_while_someone_guesses(lpa_a, ketua):
    attacker = Client(HTTP_HOST=host_of(lpa_a), REMOTE_ADDR="10.1.0.2")
    for _ in range(8):
        _post(attacker, ketua.username, "tebakan")

    owner = Client(HTTP_HOST=host_of(lpa_a), REMOTE_ADDR="10.1.0.3")
    response = _post(owner, ketua.username, PASSWORD)

    assert response.status_code == 302
    assert _post(attacker, ketua.username, PASSWORD).status_code == 429


def test_a_right_password_on_another_lpa_counts_as_a_failure_there(lpa_a, lpa_b, ketua):
    client = Client(HTTP_HOST=host_of(lpa_b), REMOTE_ADDR="10.1.0.4")

    for _ in range(5):
        last = _post(client, ketua.username, PASSWORD)

    assert last.status_code == 429 and _failures(ketua.username) == 5


# --- the client's address -----------------------------------------------------------------


def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_x_forwarded_for_is_ignored_without_trusted_proxies(settings):
    settings.TRUSTED_PROXIES = []

    assert client_address(_request("10.2.0.1", "198.51.100.7")) == "10.2.0.1"


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        # The proxy appended the client: believed.
        ("10.0.0.5", "198.51.100.7", "198.51.100.7"),
        # A client's own forged entries stand left of what the proxy appended.
        ("10.0.0.5", "1.2.3.4, 198.51.100.7", "198.51.100.7"),
        # Two trusted proxies in a row: the first address that is not one of them.
        ("10.0.0.5", "198.51.100.7, 10.0.0.9", "198.51.100.7"),
        ("10.0.0.5", "[2001:db8::7]:443", "2001:db8::7"),
        ("10.0.0.5", "203.0.113.9:5123", "203.0.113.9"),
        # Garbage in the chain: nothing left of it is believed.
        ("10.0.0.5", "198.51.100.7, tidak-ada", "10.0.0.5"),
        # Not from a trusted proxy: the header is the client's own word.
        ("192.0.2.1", "198.51.100.7", "192.0.2.1"),
        ("10.0.0.5", None, "10.0.0.5"),
    ],
)
def test_a_trusted_proxy_passes_on_the_client_address(settings, remote, forwarded, client):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "2001:db8:ffff::/48"]

    assert client_address(_request(remote, forwarded)) == client


def test_forged_forwarded_for_headers_do_not_give_fresh_tries(lpa_a, ketua, settings):
    settings.TRUSTED_PROXIES = []
    client = Client(HTTP_HOST=host_of(lpa_a), REMOTE_ADDR="10.2.0.2")

    answers = [
        _post(client, ketua.username, "salah", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        for n in range(5)
    ]

    assert answers[-1].status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.2.0.2"}


def test_behind_a_trusted_proxy_each_client_has_its_own_tries(lpa_a, ketua, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    proxy = Client(HTTP_HOST=host_of(lpa_a), REMOTE_ADDR="10.0.0.5")

    for _ in range(5):
        guessed = _post(proxy, ketua.username, "salah", HTTP_X_FORWARDED_FOR="198.51.100.7")
    owner = _post(proxy, ketua.username, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.8")

    assert guessed.status_code == 429
    assert owner.status_code == 302
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.7"]


# --- one address, many accounts -------------------------------------------------------------


def test_an_address_trying_many_accounts_is_refused_and_reported(
    lpa_a, make_staff, settings, caplog
):
    settings.SIGN_IN_SPRAY_ACCOUNTS = 3
    settings.SIGN_IN_SPRAY_WINDOW_SECONDS = 900
    users = [make_staff(lpa_a, LpaRole.KLAIM) for _ in range(4)]
    sprayer = Client(HTTP_HOST=host_of(lpa_a), REMOTE_ADDR="10.3.0.1")

    with caplog.at_level("ERROR", logger="askesos.security"):
        tries = [_post(sprayer, user.username, "Rahasia2026!").status_code for user in users[:3]]
        fourth_with_right_password = _post(sprayer, users[3].username, PASSWORD)
        again = _post(sprayer, users[0].username, "Rahasia2026!")

    assert tries == [200, 200, 429]
    assert fourth_with_right_password.status_code == 429
    assert "several accounts" in _alert(fourth_with_right_password)
    assert 0 < int(fourth_with_right_password["Retry-After"]) <= 900
    assert again.status_code == 429
    reports = [r for r in caplog.records if r.name == "askesos.security"]
    assert len(reports) == 1, "reported once, not at every refused try"
    assert "10.3.0.1" in reports[0].getMessage()
    # Others are not affected, and the refusal lifts once the failures age out.
    elsewhere = Client(HTTP_HOST=host_of(lpa_a), REMOTE_ADDR="10.3.0.2")
    assert _post(elsewhere, users[3].username, PASSWORD).status_code == 302
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(seconds=901))
    assert _post(sprayer, users[3].username, PASSWORD).status_code == 302


# --- the plain rate, per address, every host together ---------------------------------------


def test_sign_in_posts_per_address_are_rate_limited_across_hosts(
    lpa_a, lpa_b, ketua, settings, fresh_throttles
):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"sign_in": "3/minute"},
    }
    on_a = Client(HTTP_HOST=host_of(lpa_a), REMOTE_ADDR="10.4.0.1")
    on_b = Client(HTTP_HOST=host_of(lpa_b), REMOTE_ADDR="10.4.0.1")

    allowed = [_post(on_a, f"tidak-ada-{n}", "x").status_code for n in range(2)]
    allowed.append(_post(on_b, "tidak-ada-3", "x").status_code)
    refused = _post(on_a, ketua.username, PASSWORD)

    assert allowed == [200, 200, 200]
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 60
    assert "from your network" in _alert(refused)
    other = Client(HTTP_HOST=host_of(lpa_a), REMOTE_ADDR="10.4.0.2")
    assert _post(other, ketua.username, PASSWORD).status_code == 302


# --- API throttles: writes and an endpoint's own scope ---------------------------------------


def test_api_writes_have_a_rate_of_their_own(lpa_a, make_staff, settings, fresh_throttles):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"write": "2/minute"},
    }
    client = client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.BENDAHARA))

    writes = [
        client.post("/api/grants/", {}, content_type="application/json").status_code
        for _ in range(2)
    ]
    refused = client.post(
        "/api/grants/", {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert writes == [400, 400] and refused.status_code == 429
    body = refused.json()
    assert body["code"] == "throttled" and body["errors"][0]["code"] == "throttled"
    assert int(refused["Retry-After"]) > 0
    assert client.get("/api/staff/").status_code == 200, "reading is not a write"


def test_an_endpoint_may_have_a_throttle_scope_of_its_own(
    lpa_a, make_staff, settings, monkeypatch, fresh_throttles
):
    from askesos.staff.api import StaffListApi

    monkeypatch.setattr(StaffListApi, "throttle_scope", "team", raising=False)
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"team": "1/minute"},
    }
    client = client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.KETUA))

    statuses = [client.get("/api/staff/").status_code for _ in range(2)]

    assert statuses == [200, 429]
    assert client.get("/api/me/").status_code == 200


# --- one refusal for a wrong password and a right one in the wrong place ---------------------


def test_a_right_password_on_the_wrong_lpa_reads_like_a_wrong_password(lpa_a, lpa_b, ketua):
    on_b = Client(HTTP_HOST=host_of(lpa_b), REMOTE_ADDR="10.5.0.1")

    right_password = _post(on_b, ketua.username, PASSWORD)
    wrong_password = _post(on_b, ketua.username, "salah")
    unknown_user = _post(on_b, "tidak-ada-siapa-pun", "salah")

    assert right_password.status_code == wrong_password.status_code == 200
    assert _alert(right_password) == _alert(wrong_password) == _alert(unknown_user)
    assert "Wrong username or password" in _alert(right_password)
    assert _failures(ketua.username) == 2, "both are failed sign-ins"


def test_a_right_password_of_lpa_staff_on_the_portal_reads_like_a_wrong_one(
    portal_host, lpa_a, ketua
):
    portal = Client(HTTP_HOST=portal_host, REMOTE_ADDR="10.5.0.2")

    right_password = _post(portal, ketua.username, PASSWORD)
    wrong_password = _post(portal, ketua.username, "salah")

    assert right_password.status_code == wrong_password.status_code == 200
    assert _alert(right_password) == _alert(wrong_password)


def test_an_inactive_member_is_refused_like_a_wrong_password(lpa_a, ketua):
    from django_tenants.utils import schema_context

    from askesos.staff.models import Membership

    with schema_context(lpa_a.schema_name):
        Membership.objects.filter(user=ketua).update(is_active=False)
    client = Client(HTTP_HOST=host_of(lpa_a), REMOTE_ADDR="10.5.0.3")

    refused = _post(client, ketua.username, PASSWORD)
    wrong = _post(client, ketua.username, "salah")

    assert refused.status_code == 200 and _alert(refused) == _alert(wrong)

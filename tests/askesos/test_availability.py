"""PostgreSQL or Redis down, for a real gunicorn only: it reaches both through TCP
proxies of the test's own (tests/outage.py), which the tests close and reopen. The
machine's servers are never stopped."""

import json
import time

import kombu.exceptions
import psycopg
import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import OperationalError as DatabaseOperationalError
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from askesos import heartbeat
from askesos.accounts.services import government_scope_assign, membership_grant, user_create
from askesos.availability import RETRY_AFTER_SECONDS, outage_of
from askesos.celery import app
from tenants.models import Lpa
from tests.conftest import LPA_A, PASSWORD, client_on
from tests.outage import app_server_start

LPA_HOST = f"{LPA_A['slug']}.localhost"
PORTAL = "localhost"


@pytest.fixture(scope="module")
def server(django_db_setup, tmp_path_factory):
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    started = app_server_start(str(log))
    started.log = log
    yield started
    started.stop()


@pytest.fixture
def up(server):
    """Each test starts and ends with PostgreSQL and Redis reachable by the app."""
    yield server
    for proxy in (server.database, server.redis):
        if not proxy.is_open:
            proxy.open()


@pytest.fixture(scope="module")
def session(module_committed, django_db_blocker):
    """The session cookie of a ministry officer signed in on the portal."""
    with django_db_blocker.unblock():
        user = user_create(username="tersedia-kemensos", password=PASSWORD)
        module_committed.usernames.append(user.username)
        government_scope_assign(user=user, level="ministry", role="officer")
        cookie = client_on(PORTAL, user).cookies[settings.SESSION_COOKIE_NAME].value
        return {settings.SESSION_COOKIE_NAME: cookie}


@pytest.fixture(scope="module")
def staff_session(module_committed, django_db_blocker):
    """The session cookie of LPA A's Ketua, signed in on its host."""
    with django_db_blocker.unblock():
        user = user_create(username="tersedia-ketua", password=PASSWORD)
        module_committed.usernames.append(user.username)
        membership_grant(lpa=Lpa.objects.get(slug=LPA_A["slug"]), user=user, role="ketua")
        cookie = client_on(LPA_HOST, user).cookies[settings.SESSION_COOKIE_NAME].value
        return {settings.SESSION_COOKIE_NAME: cookie}


def _unavailable_title() -> str:
    with translation.override("id"):
        return gettext("Service temporarily unavailable")


def _assert_api_unavailable(answer):
    assert answer.status == 503
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    body = answer.json()
    assert body["code"] == "service_unavailable" and body["field"] is None
    assert [error["code"] for error in body["errors"]] == ["service_unavailable"]


def _assert_page_unavailable(answer):
    assert answer.status == 503
    assert answer.headers["Content-Type"].startswith("text/html")
    assert answer.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    page = answer.text
    # Bahasa Indonesia first, then English.
    assert '<html lang="id">' in page
    assert page.index(f"<h1>{_unavailable_title()}</h1>") < page.index('lang="en"')
    assert "<h2>Service temporarily unavailable</h2>" in page


def test_while_postgresql_is_down_api_and_pages_answer_503_and_the_app_recovers_by_itself(
    up, session, staff_session
):
    assert up.get("/api/lpas/", host=PORTAL, cookies=session).status == 200
    team = up.get("/api/staff/", host=LPA_HOST, cookies=staff_session)
    assert team.status == 200
    pid = up.process.pid

    up.database.close()

    # Under /api/: the one error shape, with Retry-After; on the portal (the session
    # needs the database) and on an LPA's host (its tenant does).
    _assert_api_unavailable(up.get("/api/lpas/", host=PORTAL, cookies=session))
    _assert_api_unavailable(up.get("/api/staff/", host=LPA_HOST))
    # Elsewhere: the page.
    _assert_page_unavailable(up.get("/dasbor/", host=PORTAL, cookies=session))
    _assert_page_unavailable(up.get("/masuk/", host=LPA_HOST))
    # /healthz names the database, on any host.
    for host in (PORTAL, LPA_HOST, "127.0.0.1"):
        health = up.get("/healthz?checks=database,redis", host=host)
        assert health.status == 503
        assert health.json()["down"] == ["database"]
        assert health.json()["checks"]["database"]["error"] == "unreachable"
        assert health.json()["checks"]["redis"]["status"] == "ok"

    up.database.open()

    # The same process serves again, without a restart, and in the right schema: the
    # LPA's team is read from its own tables on a fresh connection.
    assert up.get("/api/lpas/", host=PORTAL, cookies=session).status == 200
    again = up.get("/api/staff/", host=LPA_HOST, cookies=staff_session)
    assert again.status == 200 and again.json() == team.json()
    assert up.get("/dasbor/", host=PORTAL, cookies=session).status == 200
    assert up.get("/masuk/", host=LPA_HOST).status == 200
    assert up.get("/healthz?checks=database,redis", host=PORTAL).status == 200
    assert up.process.poll() is None and up.process.pid == pid
    # Each failed request is one line in the log, not a traceback.
    log = up.log.read_text()
    assert "Service Unavailable: /api/lpas/ (database unreachable: " in log
    assert "Traceback" not in log


def test_while_redis_is_down_pages_and_the_api_still_answer_and_healthz_names_redis(up, session):
    up.redis.close()

    # The cache answers as an empty one: the API, unthrottled; public figures, uncached.
    listed = up.get("/api/lpas/", host=PORTAL, cookies=session)
    assert listed.status == 200 and listed.json()["count"] >= 3
    assert up.get("/api/public/transparency/", host=PORTAL).status == 200
    assert up.get("/transparansi/", host=PORTAL).status == 200
    assert up.get("/dasbor/", host=PORTAL, cookies=session).status == 200
    assert up.get("/masuk/", host=LPA_HOST).status == 200
    health = up.get("/healthz", host=PORTAL)
    assert health.status == 503
    assert health.json()["down"] == ["redis", "worker"]
    assert health.json()["checks"]["worker"]["error"] == "redis_unreachable"
    assert health.json()["checks"]["database"]["status"] == "ok"

    up.redis.open()

    assert up.get("/healthz?checks=database,redis", host=PORTAL).status == 200
    assert up.get("/api/lpas/", host=PORTAL, cookies=session).status == 200


@pytest.mark.worker
def test_healthz_is_ok_while_a_worker_beats_and_names_the_worker_once_it_stops(up, committed_db):
    heartbeat.redis_client().delete(heartbeat.WORKERS_KEY)
    app.control.purge()

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        health = _wait_for_status(up, 200)
        assert health["status"] == "ok" and health["down"] == []
        assert set(health["checks"]) == {"database", "redis", "worker"}
        assert health["checks"]["worker"]["workers"] == 1
        assert health["checks"]["worker"]["last_seen_seconds"] < heartbeat.WORKER_SILENT_SECONDS

    health = up.get("/healthz", host=PORTAL)
    assert health.status == 503
    assert health.json()["down"] == ["worker"]
    assert health.json()["checks"]["worker"] == {
        "status": "down",
        "error": "no_heartbeat",
        "workers": 0,
        "last_seen_seconds": None,
        "ms": health.json()["checks"]["worker"]["ms"],
    }


def _wait_for_status(server, status: int) -> dict:
    """The worker writes its first heartbeat as it starts taking tasks."""
    deadline = time.monotonic() + 30
    while True:
        answer = server.get("/healthz", host=PORTAL)
        if answer.status == status or time.monotonic() > deadline:
            assert answer.status == status, answer.body
            return answer.json()
        time.sleep(0.2)


def test_healthz_refuses_a_check_it_does_not_know(db):
    answer = Client(HTTP_HOST=PORTAL).get("/healthz", {"checks": "database,disk"})

    assert answer.status_code == 400
    body = answer.json()
    assert (body["code"], body["field"]) == ("invalid", "checks")
    assert "disk" in body["message"]


def test_healthz_checks_a_broker_that_is_not_the_redis_of_the_cache(db, settings):
    client = Client(HTTP_HOST=PORTAL)
    settings.CELERY_BROKER_URL = "memory://"

    reachable = client.get("/healthz", {"checks": "broker"})
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:1//"
    closed = client.get("/healthz", {"checks": "broker"})

    assert reachable.status_code == 200
    assert json.loads(closed.content)["checks"]["broker"]["error"] == "unreachable"
    assert closed.status_code == 503


def test_healthz_has_no_broker_check_when_the_broker_is_the_cache_redis(db, settings):
    settings.CELERY_BROKER_URL = settings.REDIS_URL

    answer = Client(HTTP_HOST=PORTAL).get("/healthz", {"checks": "broker"})

    assert answer.status_code == 400


def _wrapped(cause: BaseException) -> DatabaseOperationalError:
    """As Django raises it: its own class, psycopg's error as the cause."""
    try:
        raise DatabaseOperationalError(str(cause)) from cause
    except DatabaseOperationalError as exc:
        return exc


@pytest.mark.parametrize(
    ("error", "service"),
    [
        (_wrapped(psycopg.OperationalError("connection refused")), "database"),
        (_wrapped(psycopg.errors.AdminShutdown("terminating connection")), "database"),
        (
            _wrapped(psycopg.errors.CannotConnectNow("the database system is starting up")),
            "database",
        ),
        (_wrapped(psycopg.errors.TooManyConnections("too many clients")), "database"),
        (_wrapped(psycopg.errors.DeadlockDetected("deadlock detected")), None),
        (_wrapped(psycopg.errors.QueryCanceled("statement timeout")), None),
        (redis.exceptions.ConnectionError("Connection refused"), "redis"),
        (redis.exceptions.TimeoutError("Timeout reading from socket"), "redis"),
        (kombu.exceptions.OperationalError("Connection refused"), "broker"),
        (ValueError("a bug"), None),
        (None, None),
    ],
)
def test_an_outage_is_told_apart_from_a_bug(error, service):
    assert outage_of(error) == service

"""End to end through a real Celery worker consuming from the real Redis broker."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection

from askesos.accounts.services import government_scope_assign, user_create
from askesos.celery import app
from askesos.tasks import worker_ping
from tenants.models import Lpa
from tests.conftest import PASSWORD, client_on

pytestmark = pytest.mark.worker

APPOINTMENT = {
    "name": "Lewat Pekerja",
    "slug": "lewat-pekerja",
    "legal_form": "orsos",
    "regency_code": "74.04",
    "npwp": "05.678.912.6-741.000",
}


@pytest.fixture
def celery_worker(committed_db):
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker


def test_a_task_runs_in_the_schema_of_the_tenant_that_sent_it(celery_worker, committed_db):
    lpa = Lpa.objects.get(slug="uji-a")

    connection.set_tenant(lpa)
    in_tenant = worker_ping.delay().get(timeout=30)
    connection.set_schema_to_public()
    in_public = worker_ping.delay().get(timeout=30)

    assert in_tenant == lpa.schema_name
    assert in_public == "public"


def test_an_lpa_appointed_through_the_api_is_cloned_by_the_worker(
    celery_worker, committed_db, settings
):
    committed_db.lpa_slugs.append("lewat-pekerja")
    committed_db.usernames.append("dinsos-sultra-uji")
    user = user_create(username="dinsos-sultra-uji", password=PASSWORD)
    government_scope_assign(user=user, level="province", role="officer", province_code="74")
    client = client_on(settings.BASE_DOMAIN, user)

    accepted = client.post(
        "/api/lpas/",
        APPOINTMENT,
        content_type="application/json",
    )
    assert accepted.status_code == 202
    assert accepted.json()["is_ready"] is False

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = client.get("/api/lpas/lewat-pekerja/").json()
        if status["is_ready"]:
            break
        time.sleep(0.2)

    assert status["is_ready"] is True
    assert status["domain"] == "lewat-pekerja.localhost"
    # A second identical request is answered from the existing, ready LPA.
    again = client.post(
        "/api/lpas/",
        APPOINTMENT,
        content_type="application/json",
    )
    assert again.status_code == 202 and again.json()["is_ready"] is True
    assert Lpa.objects.filter(slug="lewat-pekerja").count() == 1

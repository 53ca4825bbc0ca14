"""The daily arrears job end to end: beat's dispatcher fans out to each LPA through
the real broker, and the worker lapses the policies in that LPA's schema only."""

import datetime

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection

from askesos.celery import app
from programme.ledger.tasks import premiums_arrears_dispatch
from programme.participants.models import Policy, PolicyStatus
from tenants.services import lpa_provision
from tests.programme.conftest import KONAWE_VILLAGE, paid_in

pytestmark = pytest.mark.worker


def test_the_daily_job_lapses_in_each_lpa_through_a_real_worker(committed_db):
    # LPAs of its own: committed ledger rows cannot be removed (the ledger refuses
    # DELETE and TRUNCATE), but a whole schema can be dropped at teardown.
    committed_db.lpa_slugs += ["job-a", "job-b"]
    lpa_a = lpa_provision(
        name="Job A",
        slug="job-a",
        legal_form="lsm",
        regency_code="74.71",
        npwp="06.789.123.4-741.000",
    )
    lpa_b = lpa_provision(
        name="Job B",
        slug="job-b",
        legal_form="lsm",
        regency_code="74.02",
        npwp="07.891.234.2-741.000",
    )
    start = datetime.date(2024, 1, 1)
    behind = paid_in(lpa_a, serial=71, name="Telat Bayar", months=1, number="JOB-A-1", start=start)
    paid_up = paid_in(
        lpa_b,
        serial=72,
        name="Lunas",
        months=36,
        number="JOB-B-1",
        start=start,
        village=KONAWE_VILLAGE,
    )
    connection.set_schema_to_public()

    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        dispatched = premiums_arrears_dispatch.delay("2024-06-01").get(timeout=30)
        assert dispatched >= 2
        deadline = datetime.datetime.now() + datetime.timedelta(seconds=60)
        while datetime.datetime.now() < deadline:
            connection.set_tenant(lpa_a)
            if Policy.objects.get(pk=behind.pk).status == PolicyStatus.LAPSED:
                break
            connection.set_schema_to_public()
        connection.set_tenant(lpa_a)
        assert Policy.objects.get(pk=behind.pk).status == PolicyStatus.LAPSED
        connection.set_tenant(lpa_b)
        assert Policy.objects.get(pk=paid_up.pk).status == PolicyStatus.ACTIVE
    connection.set_schema_to_public()

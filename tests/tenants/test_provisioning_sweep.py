"""An LPA appointed while the broker is down is not lost: the API answers it pending,
and the provisioning sweep clones it once the broker is back, or reports why not."""

import datetime
import json
import logging

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from django_tenants.utils import schema_exists

from askesos.accounts.services import government_scope_assign, user_create
from askesos.celery import app
from reporting.models import Finding
from tenants.models import Lpa
from tenants.provisioning import FINDING_SUBJECT, lpa_provision_sweep
from tenants.schedules import schedules_install
from tenants.services import lpa_register
from tenants.tasks import lpa_provision_sweep_task
from tests.conftest import PASSWORD, client_on
from tests.outage import app_server_start

PORTAL = "localhost"
APPOINTED = {
    "name": "Yayasan Tanpa Antrean",
    "slug": "tanpa-antrean",
    "legal_form": "yayasan",
    "regency_code": "74.05",
    "npwp": "05.678.912.6-741.000",
}


def _backdate(lpa: Lpa, minutes: int) -> None:
    Lpa.objects.filter(pk=lpa.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=minutes)
    )


@pytest.mark.worker
def test_an_lpa_appointed_while_the_broker_is_down_is_pending_and_the_sweep_provisions_it(
    committed_db, tmp_path
):
    committed_db.lpa_slugs.append(APPOINTED["slug"])
    committed_db.usernames.append("tanpa-antrean-sultra")
    officer = user_create(username="tanpa-antrean-sultra", password=PASSWORD)
    government_scope_assign(user=officer, level="province", role="officer", province_code="74")
    session = client_on(PORTAL, officer).cookies[settings.SESSION_COOKIE_NAME].value
    server = app_server_start(str(tmp_path / "gunicorn.log"))
    try:
        # The app's broker (Redis, through the proxy) is a closed port.
        server.redis.close()
        answer = server.post_json(
            "/api/lpas/", json.dumps(APPOINTED).encode(), host=PORTAL, session=session
        )
        assert answer.status == 202, answer.body
        assert answer.json()["is_ready"] is False
        preparing = server.get("/api/staff/", host="tanpa-antrean.localhost")
        assert (preparing.status, preparing.json()["code"]) == (503, "tenant_preparing")
        log = (tmp_path / "gunicorn.log").read_text()
        assert "tenants.tasks.lpa_provision_task" in log and "not sent" in log

        server.redis.open()
        lpa = Lpa.objects.get(slug=APPOINTED["slug"])
        assert not lpa.is_ready and not schema_exists(lpa.schema_name)
        # A sweep leaves an LPA whose task may still be on its way...
        assert lpa_provision_sweep().provisioned == []
        app.control.purge()
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            # ...and provisions it once it has waited long enough (here: at once).
            swept = lpa_provision_sweep_task.delay(older_than_seconds=0).get(timeout=120)

        assert swept == {"provisioned": [APPOINTED["slug"]], "failed": {}}
        lpa.refresh_from_db()
        assert lpa.is_ready and schema_exists(lpa.schema_name)
        assert server.get("/masuk/", host="tanpa-antrean.localhost").status == 200
    finally:
        server.stop()


def test_an_lpa_the_sweep_cannot_provision_is_a_finding_the_ministry_sees_until_it_is_ready(
    db, settings, caplog, make_government_user
):
    lpa = lpa_register(**APPOINTED)
    _backdate(lpa, minutes=30)
    template = settings.TENANT_BASE_SCHEMA
    settings.TENANT_BASE_SCHEMA = "lpa_template_absent"

    with caplog.at_level(logging.ERROR, logger="tenants.provisioning"):
        failed = lpa_provision_sweep()

    assert list(failed.failed) == [APPOINTED["slug"]] and failed.provisioned == []
    assert f"LPA {APPOINTED['slug']} ({lpa.pk}) could not be provisioned" in caplog.text
    finding = Finding.objects.get(lpa=lpa, resolved_at__isnull=True)
    assert (finding.kind, finding.subject) == (Finding.Kind.LPA_NOT_READY, FINDING_SUBJECT)
    ministry = client_on(PORTAL, make_government_user("ministry"))
    page = ministry.get("/dasbor/sekarang/").content.decode()
    assert str(Finding.Kind.LPA_NOT_READY.label) in page and finding.summary in page
    # A second failed sweep keeps one finding, brought up to date.
    lpa_provision_sweep()
    assert Finding.objects.filter(lpa=lpa, resolved_at__isnull=True).count() == 1

    settings.TENANT_BASE_SCHEMA = template
    done = lpa_provision_sweep()

    assert done.provisioned == [APPOINTED["slug"]]
    lpa.refresh_from_db()
    assert lpa.is_ready
    assert not Finding.objects.filter(lpa=lpa, resolved_at__isnull=True).exists()


def test_the_sweep_provisions_only_lpas_waiting_longer_than_their_task_takes(db):
    lpa = lpa_register(**APPOINTED)

    assert lpa_provision_sweep().provisioned == []
    _backdate(lpa, minutes=3)
    assert lpa_provision_sweep().provisioned == [APPOINTED["slug"]]
    assert lpa_provision_sweep().provisioned == []  # ready LPAs are left alone


def test_the_sweep_runs_every_minute_from_beat(db):
    schedules_install()

    sweep = PeriodicTask.objects.get(task="tenants.tasks.lpa_provision_sweep_task")

    assert (sweep.interval.every, sweep.interval.period) == (60, "seconds")
    assert sweep.enabled

"""An audit export end to end through a real Celery worker consuming from the real
Redis broker: the page queues it when the request commits, the worker builds it, the
status reaches done, the download verifies."""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker

from askesos.accounts.services import government_scope_assign, user_create
from askesos.celery import app
from reporting.manifest import export_verify
from reporting.models import AuditExport
from tests.conftest import PASSWORD, client_on
from tests.reporting.export_helpers import zip_tables

pytestmark = pytest.mark.worker


@pytest.fixture
def exports_committed(committed_db, settings, tmp_path):
    """Committed exports hold their requesters (PROTECT): removed before the users."""
    settings.EXPORT_ROOT = tmp_path / "exports"
    yield committed_db
    AuditExport.objects.all().delete()


@pytest.fixture
def celery_worker(exports_committed):
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker


def test_an_export_requested_on_the_page_is_built_by_the_worker(
    celery_worker, exports_committed, settings, tmp_path
):
    exports_committed.usernames.append("ekspor-sultra")
    user = user_create(username="ekspor-sultra", password=PASSWORD)
    government_scope_assign(user=user, level="province", role="officer", province_code="74")
    client = client_on(settings.BASE_DOMAIN, user)

    answer = client.post("/ekspor/", {"period": "2026-10", "area": "province:74", "kind": "tables"})
    assert answer.status_code == 302
    status_url = answer["Location"] + "status/"
    seen = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = client.get(status_url).json()
        seen.append(status["state"])
        if status["state"] in ("done", "failed"):
            break
        time.sleep(0.2)
    assert status["state"] == "done", seen
    assert status["percent"] == 100 and status["done"] == status["steps"]

    download = client.get(status["download"])
    assert download.status_code == 200
    path = tmp_path / "downloaded.zip"
    path.write_bytes(b"".join(download.streaming_content))
    assert export_verify(path).ok
    tables = zip_tables(path)
    assert {r["lpa_slug"] for r in tables["lpa"]} == {"uji-a", "uji-b"}  # Sulawesi Tenggara
    export = AuditExport.objects.get()
    assert export.manifest["exported_by"]["username"] == "ekspor-sultra"

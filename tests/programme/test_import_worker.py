"""Participant imports end to end: uploaded over the API, read by a real Celery worker
on the real Redis broker in the LPA's schema, followed until done or failed."""

from __future__ import annotations

import io
import re
import time
import zipfile

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django_tenants.utils import schema_context

from askesos.accounts.services import membership_grant, user_create
from askesos.celery import app
from programme.participants.models import ImportBatch, Participant
from tenants.models import Lpa
from tests.conftest import PASSWORD, client_on, host_of
from tests.programme.conftest import files_without_record
from tests.programme.test_import import MIXED, as_csv, as_xlsx, row

pytestmark = pytest.mark.worker

USERNAME = "uji-a-impor-pekerja"


@pytest.fixture
def celery_worker(committed_db):
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker


@pytest.fixture
def lpa(committed_db, media):
    lpa = Lpa.objects.get(slug="uji-a")
    yield lpa
    with schema_context(lpa.schema_name):
        ImportBatch.objects.all().delete()


def _followed(client, answer, timeout: float = 60) -> dict:
    assert answer.status_code == 202, answer.content
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch = client.get(answer["Location"]).json()
        if batch["state"] in ("done", "failed"):
            return batch
        time.sleep(0.2)
    raise AssertionError(f"still {batch['state']} after {timeout} s")


def _upload(client, content: bytes, name: str, **fields):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post("/api/participants/import/", {"file": upload, **fields})


def test_a_list_and_a_hostile_sheet_go_through_the_worker_to_their_reports(
    celery_worker, committed_db, lpa, media, settings
):
    committed_db.usernames.append(USERNAME)
    user = user_create(username=USERNAME, password=PASSWORD)
    membership_grant(lpa=lpa, user=user, role="sekretaris")
    client = client_on(host_of(lpa), user)

    checked = _followed(client, _upload(client, as_csv(MIXED), "pkh.csv"))

    assert (checked["state"], checked["outcome"]) == ("done", "dry_run")
    assert checked["rows_total"] == 10 and len(checked["errors"]) >= 6
    assert checked["started_at"] and checked["finished_at"]

    small = as_xlsx([row(1), row(2)])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(small)) as source, zipfile.ZipFile(out, "w") as target:
        for part in source.infolist():
            data = source.read(part.filename)
            if part.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:XFD1048576"', data)
            target.writestr(part.filename, data)

    hostile = _followed(client, _upload(client, out.getvalue(), "seluruh.xlsx"))

    assert (hostile["state"], hostile["error_code"]) == ("failed", "sheet_range")
    assert "A1:XFD1048576" in hostile["error"]
    connection.set_tenant(lpa)
    assert ImportBatch.objects.get(pk=hostile["batch"]).attempts == 1
    assert files_without_record(media, lpa) == []
    assert ImportBatch.objects.count() == 2
    assert not Participant.objects.filter(name__startswith="Peserta ").exists()

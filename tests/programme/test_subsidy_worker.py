"""A batch of 200 transfers through the fake bank and a real Celery worker that is
killed with SIGKILL while it posts: a new worker finishes the job, and every LPA's
books hold each of its transfers exactly once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django_tenants.utils import schema_context

from askesos.accounts.services import government_scope_assign, user_create
from askesos.dates import today
from askesos.workers import worker_process
from programme.bank.fakebank import fake_bank_process
from programme.generator import npwp_for
from programme.ledger import accounts as acc
from programme.ledger.models import JournalEntry
from programme.ledger.services import account_balance
from programme.subsidies.batches import batch_approve, batch_build
from programme.subsidies.models import BatchState, Transfer, TransferBatch, TransferState
from programme.subsidies.services import (
    budget_record,
    lpa_allocate_manual,
    province_allocate,
    rates_load_shipped,
)
from programme.subsidies.tasks import batch_send_task, confirmations_import_task
from tenants.models import BankAccountPurpose
from tenants.services import lpa_bank_account_set, lpa_provision

pytestmark = pytest.mark.worker

TRANSFERS = 200
REGENCIES = ("74.01", "74.03", "74.04", "74.05", "74.06", "74.07")  # Sulawesi Tenggara


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


def worker(name: str, bank_url: str) -> subprocess.Popen:
    """A real worker process on the test database and broker. Unacknowledged tasks of
    a dead worker come back after 5 s instead of an hour, looked for every second."""
    db = connection.settings_dict
    return worker_process(
        name=name,
        env={
            "DATABASE_URL": f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "BANK_FAKE_URL": bank_url,
            "CELERY_VISIBILITY_TIMEOUT": "5",
            "CELERY_RESTORE_SWEEP_SECONDS": "1",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        },
    )


def posted() -> int:
    return Transfer.objects.filter(state=TransferState.POSTED).count()


def test_a_worker_killed_while_posting_leaves_every_transfer_posted_once(
    committed_db, tmp_path: Path, settings
):
    from askesos.celery import app

    app.control.purge()
    rates_load_shipped()
    people = []
    for name, level, province in (
        ("kill-ministry", "ministry", None),
        ("kill-maker", "province", "74"),
        ("kill-checker", "province", "74"),
    ):
        committed_db.usernames.append(name)
        user = user_create(username=name, password="rahasia-uji-123")
        government_scope_assign(user=user, level=level, role="officer", province_code=province)
        people.append(user)
    ministry, maker, checker = people
    lpas = []
    for index, regency in enumerate(REGENCIES, start=1):
        slug = f"kill-{index}"
        committed_db.lpa_slugs.append(slug)
        lpa = lpa_provision(
            name=f"LPA Kill {index}",
            slug=slug,
            legal_form="lsm",
            regency_code=regency,
            npwp=npwp_for(77, index),
        )
        lpa_bank_account_set(
            lpa=lpa,
            purpose=BankAccountPurpose.RESERVE,
            bank_name="Bank Uji",
            number=f"77{index:04d}1201",
            holder=f"Tim Pengelola {lpa.name}",
        )
        lpas.append(lpa)
    budget = budget_record(
        year=today().year,
        channel="dekonsentrasi",
        purpose="claim_reserve",
        dipa_reference="DIPA-KILL",
        amount=10_000_000_000,
        actor=ministry,
    )
    share = province_allocate(
        budget=budget, province_code="74", amount=5_000_000_000, actor=ministry
    )
    allocations = [
        lpa_allocate_manual(share=share, lpa=lpa, amount=500_000_000, reason="uji", actor=maker)
        for lpa in lpas
    ]
    tranches = [
        (allocations[n % len(allocations)], 1_000_000 + 1_000 * n) for n in range(TRANSFERS)
    ]
    batch = batch_build(
        province=share.province, tranches=tranches, execution_date=today(), actor=maker
    )
    batch_approve(batch=batch, actor=checker)
    expected = {
        lpa.schema_name: Transfer.objects.filter(lpa=lpa).aggregate(t=Sum("amount"))["t"]
        for lpa in lpas
    }

    port = free_port()
    bank_url = f"http://127.0.0.1:{port}"
    settings.BANK_FAKE_URL = bank_url
    with fake_bank_process(port=port, data_dir=tmp_path / "bank"):
        first = worker("first", bank_url)
        try:
            batch_send_task.delay(batch.pk)
            wait_until(
                lambda: TransferBatch.objects.get(pk=batch.pk).state == BatchState.SENT,
                "the batch sent",
            )
            confirmations_import_task.delay()
            wait_until(lambda: posted() > 0, "the first transfer posted")
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
        finally:
            if first.poll() is None:
                os.killpg(first.pid, signal.SIGKILL)
        at_kill = posted()
        assert 0 < at_kill < TRANSFERS, "the kill did not land while posting"

        second = worker("second", bank_url)
        try:
            wait_until(lambda: posted() == TRANSFERS, "every transfer posted", timeout=180)
        finally:
            os.killpg(second.pid, signal.SIGTERM)
            second.wait(timeout=60)

    assert TransferBatch.objects.get(pk=batch.pk).state == BatchState.DONE
    for lpa in lpas:
        transfers = dict(Transfer.objects.filter(lpa=lpa).values_list("pk", "entry_id"))
        with schema_context(lpa.schema_name):
            entries = dict(
                JournalEntry.objects.filter(source_key__startswith="transfer:").values_list(
                    "source_key", "pk"
                )
            )
            assert entries == {f"transfer:{pk}": entry for pk, entry in transfers.items()}
            assert account_balance(acc.BANK_RESERVE) == expected[lpa.schema_name]
            assert account_balance(acc.RESERVE_FUND) == -expected[lpa.schema_name]

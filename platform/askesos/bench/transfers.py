"""Subsidy transfers and nightly reconciliation at national scale, with ONE Celery
worker (a real process, solo pool, on the configured broker) and the fake bank:

1. posting: a batch of one transfer per LPA (2.000 by default) is sent to the fake
   bank, its confirmations imported, and each LPA's task posts its transfer into its
   books; timed from the import's commit to the last transfer posted;
2. reconciliation: each LPA gets `lines` ledger movements on its reserve account and a
   bank statement with the same lines plus a bank charge, imported; then the nightly
   `reconcile` job is dispatched to every LPA and timed until the last LPA is done.

The LPAs are `gen-88-*` in Sulawesi Tenggara (made by the generator on the first run,
reused afterwards). What the bench adds to the books stays (posted entries are never
deleted); its subsidy rows are replaced on each run.
"""

from __future__ import annotations

import os
import signal
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Min

from askesos.accounts.models import User
from askesos.accounts.services import government_scope_assign, user_get_or_create
from askesos.dates import today
from askesos.workers import worker_process
from programme.generator import lpas_generate
from programme.subsidies import models as sub
from programme.subsidies.batches import batch_approve, batch_build
from programme.subsidies.services import (
    budget_record,
    lpa_allocate_manual,
    province_allocate,
    rates_load_shipped,
)
from tenants.models import BankAccountPurpose, Lpa, LpaBankAccount
from tenants.selectors import lpa_each

SEED = 88
PROVINCE = "74"
DIPA = "BENCH-TRANSFERS"
AMOUNT = 18_250_000  # 50 participants x Rp 365.000


def _lpas(count: int) -> list[Lpa]:
    # Fresh connections every 50 LPAs: a backend's catalog caches grow with every
    # schema it touches (docs/decisions/0003).
    lpas = list(lpa_each(lpas_generate(count=count, seed=SEED, province=PROVINCE)))
    connection.set_schema_to_public()
    have = set(
        LpaBankAccount.objects.filter(lpa__in=lpas, purpose=BankAccountPurpose.RESERVE).values_list(
            "lpa_id", flat=True
        )
    )
    LpaBankAccount.objects.bulk_create(
        [
            LpaBankAccount(
                lpa=lpa,
                purpose=BankAccountPurpose.RESERVE,
                bank_name="Bank Bench",
                number=f"88{lpa.pk:08d}",
                holder=f"Tim Pengelola {lpa.name}",
            )
            for lpa in lpas
            if lpa.pk not in have
        ]
    )
    return lpas


def _officers() -> tuple[User, User, User]:
    people = []
    for name, level, province in (
        ("bench.kemensos", "ministry", None),
        ("bench.maker", "province", PROVINCE),
        ("bench.checker", "province", PROVINCE),
    ):
        user = user_get_or_create(username=name, password=os.urandom(12).hex(), full_name=name)
        government_scope_assign(user=user, level=level, role="officer", province_code=province)
        people.append(user)
    return tuple(people)  # type: ignore[return-value]


def _clear_previous_run() -> None:
    budgets = sub.Budget.objects.filter(dipa_reference=DIPA)
    transfers = sub.Transfer.objects.filter(allocation__province_allocation__budget__in=budgets)
    batches = sub.TransferBatch.objects.filter(transfers__in=transfers).distinct()
    sub.TransferEvent.objects.filter(transfer__in=transfers).delete()
    sub.BankFile.objects.filter(batch__in=batches).delete()
    batch_ids = list(batches.values_list("pk", flat=True))
    transfers.delete()
    sub.TransferBatch.objects.filter(pk__in=batch_ids).delete()
    sub.LpaAllocation.objects.filter(province_allocation__budget__in=budgets).delete()
    sub.ProvinceAllocation.objects.filter(budget__in=budgets).delete()
    budgets.delete()


def _wait(condition: Callable[[], bool], what: str, timeout: float = 1800) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.05)
    raise RuntimeError(f"timed out waiting for {what}")


def posting(*, lpas: list[Lpa], bank_url: str) -> list[str]:
    from programme.subsidies.tasks import batch_send_task, confirmations_import_task

    ministry, maker, checker = _officers()
    _clear_previous_run()
    rates_load_shipped()
    budget = budget_record(
        year=today().year,
        channel=sub.Channel.APBN,
        purpose=sub.Purpose.CLAIM_RESERVE,
        dipa_reference=DIPA,
        amount=AMOUNT * len(lpas),
        actor=ministry,
    )
    share = province_allocate(
        budget=budget, province_code=PROVINCE, amount=AMOUNT * len(lpas), actor=ministry
    )
    started = time.monotonic()
    allocations = [
        lpa_allocate_manual(share=share, lpa=lpa, amount=AMOUNT, reason="bench", actor=maker)
        for lpa in lpas
    ]
    batch = batch_build(
        province=share.province,
        tranches=[(a, None) for a in allocations],
        execution_date=today(),
        actor=maker,
    )
    batch_approve(batch=batch, actor=checker)
    prepare = time.monotonic() - started

    batch_send_task.delay(batch.pk)
    send = _wait(
        lambda: sub.TransferBatch.objects.get(pk=batch.pk).state == sub.BatchState.SENT,
        "the batch to be sent",
    )
    confirmations_import_task.delay()
    total = len(lpas)
    _wait(
        lambda: batch.transfers.filter(state=sub.TransferState.POSTED).count() == total,
        "every transfer to be posted",
    )
    last_posted = batch.transfers.aggregate(last=Max("posted_at"))["last"]
    imported = sub.TransferEvent.objects.filter(
        transfer__batch=batch, to_state=sub.TransferState.CONFIRMED
    ).aggregate(first=Min("at"))["first"]
    post_seconds = (last_posted - imported).total_seconds()
    return [
        f"| allocate {total} LPAs, build and approve the batch | {prepare:8.1f} s | "
        f"{1000 * prepare / total:6.1f} ms |",
        f"| send the batch to the bank (CSV)                | {send:8.1f} s |        |",
        f"| confirmations imported -> all {total} posted      | {post_seconds:8.1f} s | "
        f"{1000 * post_seconds / total:6.1f} ms |",
    ]


def run(*, lpas: int, lines: int, concurrency: int = 1) -> list[str]:
    from programme.bank.fakebank import fake_bank_process

    started = time.monotonic()
    chosen = _lpas(lpas)
    out = [
        f"transfers bench: {len(chosen)} LPAs (gen-{SEED}-*), {lines} statement lines each, "
        f"one Celery worker ({'solo pool' if concurrency == 1 else f'{concurrency} processes'}), "
        "fake bank",
        f"LPAs ready in {time.monotonic() - started:.1f} s",
        "",
        "| step | total | per LPA |",
        "|---|---:|---:|",
    ]
    with tempfile.TemporaryDirectory() as folder:
        with fake_bank_process(port=0, data_dir=Path(folder) / "bank") as url:
            settings.BANK_FAKE_URL = url
            worker = worker_process(
                name="bench", concurrency=concurrency, env={"BANK_FAKE_URL": url}
            )
            try:
                out += posting(lpas=chosen, bank_url=url)
                out += reconciliation(lpas=chosen, lines=lines, wait=_wait)
            finally:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(timeout=120)
    return out


def _statement_for(lpa: Lpa, *, lines: int, run: str, account_number: str) -> int:
    """In the LPA's schema: `lines - 2` payouts from the reserve account posted today,
    and the bank's statement of today with the transfer, those payouts and a charge the
    books do not have yet, imported without reconciling. Returns the statement lines."""
    from programme.bank.base import Statement, StatementLine
    from programme.bank.formats import statement_mt940_write
    from programme.banking.services import statement_file_import
    from programme.ledger import accounts as acc
    from programme.ledger.models import Account, EntryKind, JournalEntry, JournalLine
    from programme.ledger.services import account_balance

    connection.set_tenant(lpa)
    day = today()
    transfer = (
        sub.Transfer.objects.filter(lpa=lpa, state=sub.TransferState.POSTED).order_by("-pk").first()
    )
    payouts = [100_000 + 1_000 * n for n in range(max(0, lines - 2))]
    opening = account_balance(acc.BANK_RESERVE) - transfer.amount
    with transaction.atomic():
        codes = dict(Account.objects.values_list("code", "pk"))
        entries = JournalEntry.objects.bulk_create(
            [
                JournalEntry(
                    date=day,
                    kind=EntryKind.CLAIM,
                    source_key=f"bench:{run}:{n}",
                    description=f"Bench payout {run}-{n}",
                )
                for n in range(len(payouts))
            ]
        )
        JournalLine.objects.bulk_create(
            [
                line
                for entry, amount in zip(entries, payouts, strict=True)
                for line in (
                    JournalLine(entry=entry, account_id=codes[acc.CLAIMS_EXPENSE], amount=amount),
                    JournalLine(entry=entry, account_id=codes[acc.BANK_RESERVE], amount=-amount),
                )
            ]
        )
    bank_lines = [
        StatementLine(
            1, day, transfer.amount, "NTRF", transfer.reference, "B0", transfer.reference
        ),
        *(
            StatementLine(n + 2, day, -amount, "NTRF", f"PAY{run}{n}", f"B{n + 1}", "pembayaran")
            for n, amount in enumerate(payouts)
        ),
        StatementLine(lines, day, -6_500, "NCHG", "ADM", "BADM", "biaya administrasi"),
    ]
    closing = opening + sum(line.amount for line in bank_lines)
    content = statement_mt940_write(
        [
            Statement(
                account_number=account_number,
                number=run,
                opening_date=day,
                opening_balance=opening,
                closing_date=day,
                closing_balance=closing,
                lines=tuple(bank_lines),
            )
        ]
    )
    statement_file_import(
        name=f"{run}.sta", content=content, actor=None, source="bank", reconcile_after=False
    )
    connection.set_schema_to_public()
    return len(bank_lines)


def reconciliation(*, lpas: list[Lpa], lines: int, wait: Callable) -> list[str]:
    from tenants.models import JobRun, JobRunState
    from tenants.tasks import daily_job_dispatch

    run = f"{int(time.time()) % 100000:05d}"
    numbers = dict(
        LpaBankAccount.objects.filter(lpa__in=lpas, purpose=BankAccountPurpose.RESERVE).values_list(
            "lpa_id", "number"
        )
    )
    started = time.monotonic()
    statement_lines = sum(
        _statement_for(lpa, lines=lines, run=run, account_number=numbers[lpa.pk])
        for lpa in lpa_each(lpas)
    )
    setup = time.monotonic() - started
    day = today()
    JobRun.objects.filter(job="reconcile", day=day, lpa__in=lpas).delete()
    daily_job_dispatch.delay("reconcile", day.isoformat(), 0)
    done = JobRun.objects.filter(job="reconcile", day=day, lpa__in=lpas)
    seconds = wait(lambda: done.count() >= len(lpas), "every LPA reconciled")
    failed = done.filter(state=JobRunState.FAILED).count()
    return [
        f"| {statement_lines} statement lines imported ({len(lpas)} files), unreconciled "
        f"| {setup:8.1f} s | {1000 * setup / len(lpas):6.1f} ms |",
        f"| nightly reconcile job, {len(lpas)} LPAs ({failed} failed)       "
        f"| {seconds:8.1f} s | {1000 * seconds / len(lpas):6.1f} ms |",
    ]

"""Transfer batches: a province officer builds a batch of tranches from the LPA
allocations, another officer approves it (four eyes, PostgreSQL's
`batch_checker_is_not_maker`), a Celery job sends it to the bank, another imports the
bank's confirmations, and a per-LPA job posts each confirmed transfer into the LPA's
books.

States of a transfer: planned -> approved -> sent -> confirmed -> posted, or failed /
returned with the bank's reason. Every change writes a TransferEvent in the same
transaction. Every step is safe to run twice:
- sending: the batch row is locked and must be `approved`; the bank dedupes by the
  batch reference, so a crash after the bank took the file and before our commit
  sends the same reference again and is paid once;
- confirmations: a file is recognised by its SHA-256; a line for a transfer already
  in the state it reports is skipped; one that contradicts a final state is a problem
  of that line, kept in the file's report;
- posting: `transfer_post` runs in the LPA's schema; the ledger entry (source key
  `transfer:<id>`, unique in the LPA's journal) and the transfer's `posted` state are
  written in ONE transaction of one connection (public and the LPA's schema are in
  one database), so a killed worker leaves both or neither.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone

from askesos.dates import format_date, today
from askesos.errors import DomainError
from askesos.files import file_keep
from askesos.money import format_rupiah
from programme.bank.base import Confirmation, PaymentInstruction
from programme.subsidies.errors import SubsidyConflict, SubsidyError
from programme.subsidies.models import (
    FINAL_TRANSFER_STATES,
    BankFile,
    BankFileKind,
    BatchState,
    LpaAllocation,
    Purpose,
    Transfer,
    TransferBatch,
    TransferEvent,
    TransferState,
)
from tenants.models import BankAccountPurpose, LpaBankAccount

logger = logging.getLogger(__name__)

# How far ahead a batch may be dated for the bank to execute.
EXECUTION_DAYS_AHEAD = 30
NO_REASON = "-"


def account_purpose_for(purpose: str) -> str:
    """Claim-reserve aid goes to the reserve account, premium aid to the savings
    account (it is held for BPJS Ketenagakerjaan)."""
    if purpose == Purpose.CLAIM_RESERVE:
        return BankAccountPurpose.RESERVE
    return BankAccountPurpose.SAVINGS


def _next_ids(model: Any, count: int) -> list[int]:
    """Primary keys taken in advance, so that a reference made from the key is written
    with the row (a transfer's reference never changes: PostgreSQL guards it)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [f"public.{table}", count],
        )
        return [row[0] for row in cursor.fetchall()]


def allocations_paid(allocation_ids: Any) -> dict[int, int]:
    """What each allocation's transfers that did not fail carry, by allocation id."""
    return dict(
        Transfer.objects.filter(allocation_id__in=allocation_ids)
        .exclude(state__in=[TransferState.FAILED, TransferState.RETURNED])
        .values_list("allocation_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )


def batch_build(
    *,
    province: Any,
    tranches: list[tuple[LpaAllocation, int | None]],
    execution_date: datetime.date,
    actor: Any,
) -> TransferBatch:
    """A planned batch paying each (allocation, amount) given; an amount of None pays
    what is left of the allocation. Each LPA must have the account its purpose needs."""
    if not tranches:
        raise SubsidyError("batch_empty", field="allocations")
    now = today()
    last = now + datetime.timedelta(days=EXECUTION_DAYS_AHEAD)
    if not isinstance(execution_date, datetime.date) or not now <= execution_date <= last:
        raise SubsidyError(
            "execution_date_invalid",
            field="execution_date",
            last=format_date(last),
            value=execution_date,
        )
    with transaction.atomic():
        ids = {allocation.pk for allocation, _amount in tranches}
        locked = {
            a.pk: a
            for a in LpaAllocation.objects.select_for_update()
            .select_related("lpa", "province_allocation__budget", "province_allocation__province")
            .filter(pk__in=ids)
        }
        accounts = {
            (a.lpa_id, a.purpose): a
            for a in LpaBankAccount.objects.filter(lpa_id__in=[a.lpa_id for a in locked.values()])
        }
        paid = allocations_paid(ids)
        rows = []
        left: dict[int, int] = {}
        for allocation, amount in tranches:
            allocation = locked[allocation.pk]
            share = allocation.province_allocation
            if share.province_id != province.code:
                raise SubsidyError(
                    "allocation_elsewhere",
                    field="allocations",
                    lpa=allocation.lpa.name,
                    province=province.name,
                )
            if allocation.pk not in left:
                left[allocation.pk] = allocation.amount - paid.get(allocation.pk, 0)
            amount = left[allocation.pk] if amount is None else amount
            if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
                raise SubsidyError(
                    "allocation_fully_paid", field="allocations", lpa=allocation.lpa.name
                )
            if amount > left[allocation.pk]:
                raise SubsidyConflict(
                    "over_allocation",
                    field="allocations",
                    lpa=allocation.lpa.name,
                    paid=format_rupiah(allocation.amount - left[allocation.pk] + amount),
                    allocation=format_rupiah(allocation.amount),
                    left=format_rupiah(left[allocation.pk]),
                )
            left[allocation.pk] -= amount
            purpose = account_purpose_for(share.budget.purpose)
            account = accounts.get((allocation.lpa_id, purpose))
            if account is None:
                raise SubsidyError(
                    "no_reserve_account",
                    field="allocations",
                    lpa=allocation.lpa.name,
                    account=BankAccountPurpose(purpose).label,
                )
            rows.append((allocation, amount, purpose, account))
        (batch_id,) = _next_ids(TransferBatch, 1)
        batch = TransferBatch.objects.create(
            pk=batch_id,
            reference=f"ASKB{batch_id:08d}",
            province=province,
            execution_date=execution_date,
            created_by=actor,
        )
        transfers = [
            Transfer(
                pk=pk,
                batch=batch,
                allocation=allocation,
                lpa_id=allocation.lpa_id,
                reference=f"ASKTRF{pk:09d}",
                amount=amount,
                account_purpose=purpose,
                account_number=account.number,
                bank_name=account.bank_name,
                holder=account.holder,
            )
            for pk, (allocation, amount, purpose, account) in zip(
                _next_ids(Transfer, len(rows)), rows, strict=True
            )
        ]
        Transfer.objects.bulk_create(transfers)
        _events(transfers, "", TransferState.PLANNED, actor=actor)
        return batch


def _events(
    transfers: list[Transfer],
    from_state: str,
    to_state: str,
    *,
    actor: Any = None,
    bank_file: BankFile | None = None,
    note: str = "",
) -> None:
    TransferEvent.objects.bulk_create(
        [
            TransferEvent(
                transfer=t,
                from_state=from_state,
                to_state=to_state,
                actor=actor,
                bank_file=bank_file,
                note=note[:300],
            )
            for t in transfers
        ]
    )


def _batch_locked(batch: TransferBatch) -> TransferBatch:
    return TransferBatch.objects.select_for_update().get(pk=batch.pk)


def _state_refused(batch: TransferBatch, action: str) -> SubsidyConflict:
    return SubsidyConflict(
        "batch_state",
        batch=batch.reference,
        state=BatchState(batch.state).label.lower(),
        action=action,
    )


def batch_approve(*, batch: TransferBatch, actor: Any) -> TransferBatch:
    """The checker's act: another officer than the one who built the batch."""
    with transaction.atomic():
        batch = _batch_locked(batch)
        if batch.state != BatchState.PLANNED:
            raise _state_refused(batch, "approved")
        if batch.created_by_id == actor.pk:
            raise SubsidyConflict("maker_cannot_approve", batch=batch.reference)
        batch.state = BatchState.APPROVED
        batch.approved_by = actor
        batch.approved_at = timezone.now()
        batch.save(update_fields=["state", "approved_by", "approved_at"])
        transfers = list(batch.transfers.filter(state=TransferState.PLANNED))
        batch.transfers.filter(state=TransferState.PLANNED).update(state=TransferState.APPROVED)
        _events(transfers, TransferState.PLANNED, TransferState.APPROVED, actor=actor)
        return batch


def batch_send_request(*, batch: TransferBatch, actor: Any) -> TransferBatch:
    """Queue the batch for the bank (the job sends it once the request commits)."""
    from programme.subsidies.tasks import batch_send_task

    if batch.state != BatchState.APPROVED:
        raise _state_refused(batch, "sent")
    transaction.on_commit(lambda: batch_send_task.delay(batch.pk))
    return batch


def _store(kind: str, name: str, content: bytes) -> tuple[str, str]:
    """Keep a bank file under MEDIA_ROOT/public/bank/ (the province's files; no LPA's),
    named by its hash so the same file is kept once."""
    sha = hashlib.sha256(content).hexdigest()
    suffix = Path(name).suffix[:10] or ".txt"
    return sha, file_keep(f"public/bank/{kind}/{sha}{suffix}", content)


def batch_send(*, batch_id: int) -> TransferBatch:
    """Send an approved batch to the bank (the job's work). A batch already sent is
    left as it is."""
    from programme.bank.connectors import connector

    with transaction.atomic():
        batch = TransferBatch.objects.select_for_update().get(pk=batch_id)
        if batch.state != BatchState.APPROVED:
            return batch
        transfers = list(batch.transfers.filter(state=TransferState.APPROVED).order_by("pk"))
        outgoing = connector().batch_send(
            batch_reference=batch.reference,
            instructions=[
                PaymentInstruction(
                    reference=t.reference,
                    account_number=t.account_number,
                    account_holder=t.holder,
                    bank_name=t.bank_name,
                    amount=t.amount,
                    purpose=f"ASKESOS {batch.reference} {t.reference}",
                )
                for t in transfers
            ],
        )
        sha, path = _store("batch", outgoing.name, outgoing.content)
        bank_file, _created = BankFile.objects.get_or_create(
            sha256=sha,
            defaults={
                "kind": BankFileKind.BATCH,
                "name": outgoing.name[:200],
                "size": len(outgoing.content),
                "path": path,
                "batch": batch,
                "lines": len(transfers),
                "used": len(transfers),
            },
        )
        batch.transfers.filter(pk__in=[t.pk for t in transfers]).update(state=TransferState.SENT)
        _events(transfers, TransferState.APPROVED, TransferState.SENT, bank_file=bank_file)
        batch.state = BatchState.SENT
        batch.sent_at = timezone.now()
        batch.save(update_fields=["state", "sent_at"])
        return batch


def confirmations_import() -> list[BankFile]:
    """Fetch the bank's confirmation files and apply each (the job's work)."""
    from programme.bank.connectors import connector

    return [
        confirmation_file_apply(name=incoming.name, content=incoming.content)
        for incoming in connector().confirmations_fetch()
    ]


def confirmation_file_apply(*, name: str, content: bytes) -> BankFile:
    """Apply one confirmations file: kept with its report; the same file twice is
    applied once (by its hash)."""
    from programme.bank.formats import confirmations_csv_parse

    sha = hashlib.sha256(content).hexdigest()
    existing = BankFile.objects.filter(sha256=sha).first()
    if existing is not None:
        return existing
    parsed = confirmations_csv_parse(content)
    problems = [p.as_dict() for p in parsed.problems]
    with transaction.atomic():
        _sha, path = _store("confirmations", name, content)
        bank_file = BankFile.objects.create(
            kind=BankFileKind.CONFIRMATIONS,
            name=name[:200],
            sha256=sha,
            size=len(content),
            path=path,
            lines=len(parsed.confirmations) + len(parsed.problems),
        )
        # The file's transfers, locked, in one query; changed ones written in one UPDATE.
        locked = {
            t.reference: t
            for t in Transfer.objects.select_for_update()
            .filter(reference__in=[c.reference for c in parsed.confirmations])
            .order_by("pk")
        }
        changed: list[Transfer] = []
        for confirmation in parsed.confirmations:
            try:
                _confirmation_apply(confirmation, locked.get(confirmation.reference), changed)
            except SubsidyError as exc:
                problems.append(
                    {
                        "line": confirmation.line,
                        "code": exc.code,
                        "params": {k: str(v) for k, v in exc.params.items()},
                        "text": confirmation.reference,
                    }
                )
        Transfer.objects.bulk_update(
            changed, ["state", "bank_reference", "value_date", "reason", "updated_at"]
        )
        TransferEvent.objects.bulk_create(
            [
                TransferEvent(
                    transfer=t,
                    from_state=TransferState.SENT,
                    to_state=t.state,
                    bank_file=bank_file,
                    note=t.reason[:300],
                )
                for t in changed
            ]
        )
        bank_file.used = len(changed)
        bank_file.problems = sorted(problems, key=lambda p: p["line"])
        bank_file.save(update_fields=["used", "problems"])
        _batches_finish()
        transaction.on_commit(_posting_dispatch)
    return bank_file


def _confirmation_apply(
    confirmation: Confirmation, transfer: Transfer | None, changed: list[Transfer]
) -> None:
    """What one line of the bank's file does to its transfer (appended to `changed`),
    or SubsidyError for the file's report. A line saying what is already so is nothing."""
    if transfer is None:
        raise SubsidyError("transfer_unknown", reference=confirmation.reference)
    status = confirmation.status
    if status not in (TransferState.CONFIRMED, TransferState.FAILED, TransferState.RETURNED):
        raise SubsidyError("status_unknown", value=status)
    already = transfer.state == status or (
        status == TransferState.CONFIRMED and transfer.state == TransferState.POSTED
    )
    if already:
        return
    if transfer.state in (*FINAL_TRANSFER_STATES, TransferState.CONFIRMED):
        raise SubsidyConflict(
            "transfer_final",
            reference=transfer.reference,
            state=TransferState(transfer.state).label.lower(),
        )
    if transfer.state != TransferState.SENT:
        raise SubsidyError(
            "transfer_not_sent",
            reference=transfer.reference,
            state=TransferState(transfer.state).label.lower(),
        )
    if status == TransferState.CONFIRMED and confirmation.amount not in (None, transfer.amount):
        raise SubsidyError(
            "amount_mismatch",
            reference=transfer.reference,
            bank=format_rupiah(confirmation.amount),
            ours=format_rupiah(transfer.amount),
        )
    value_date = confirmation.value_date or today()
    transfer.state = status
    transfer.bank_reference = (confirmation.bank_reference or "")[:60]
    transfer.value_date = min(value_date, today())
    if status != TransferState.CONFIRMED:
        transfer.reason = (confirmation.reason or NO_REASON)[:300]
    transfer.updated_at = timezone.now()
    changed.append(transfer)


def _batches_finish(batch_ids: set[int] | None = None) -> None:
    """A sent batch whose transfers are all final is done (after each confirmations
    file, and after each LPA's postings for the batch of its last transfer)."""
    open_batches = TransferBatch.objects.filter(state=BatchState.SENT)
    if batch_ids is not None:
        open_batches = open_batches.filter(pk__in=batch_ids)
    waiting = Transfer.objects.filter(batch=OuterRef("pk")).exclude(state__in=FINAL_TRANSFER_STATES)
    open_batches.exclude(Exists(waiting)).update(state=BatchState.DONE)


def _posting_dispatch() -> None:
    from programme.subsidies.tasks import transfers_post_dispatch

    transfers_post_dispatch.delay()


# --- posting, in the LPA's schema ---------------------------------------------------------


def transfer_post(*, transfer_id: int) -> Transfer:
    """Post one confirmed transfer into the books of the LPA whose schema the connection
    is in, and mark it posted, in one transaction. Posted already: nothing happens. A
    refusal by the books (a closed month) is kept on the transfer for people to see."""
    from programme.ledger import accounts as acc
    from programme.ledger.models import EntryKind
    from programme.ledger.notes import ENTRY_NOTES
    from programme.ledger.services import Line, entry_post

    try:
        with transaction.atomic():
            transfer = (
                Transfer.objects.select_for_update(of=("self",))
                .select_related("lpa")
                .get(pk=transfer_id)
            )
            if transfer.lpa.schema_name != connection.schema_name:
                raise RuntimeError(
                    f"transfer {transfer.reference} belongs to {transfer.lpa.schema_name}, "
                    f"not {connection.schema_name}"
                )
            if transfer.state != TransferState.CONFIRMED:
                return transfer
            if transfer.account_purpose == BankAccountPurpose.RESERVE:
                kind, note = EntryKind.SUBSIDY, "subsidy"
                lines = [
                    Line(acc.BANK_RESERVE, transfer.amount),
                    Line(acc.RESERVE_FUND, -transfer.amount),
                ]
            else:
                kind, note = EntryKind.PREMIUM_AID, "premium_aid"
                lines = [
                    Line(acc.BANK_SAVINGS, transfer.amount),
                    Line(acc.PREMIUM_AID, -transfer.amount),
                ]
            entry = entry_post(
                date=transfer.value_date,
                kind=kind,
                source_key=f"transfer:{transfer.pk}",
                note=ENTRY_NOTES(note, reference=transfer.reference),
                lines=lines,
            )
            transfer.state = TransferState.POSTED
            transfer.entry_id = entry.pk
            transfer.posted_at = timezone.now()
            transfer.post_error = ""
            transfer.save(
                update_fields=["state", "entry_id", "posted_at", "post_error", "updated_at"]
            )
            _events([transfer], TransferState.CONFIRMED, TransferState.POSTED)
            return transfer
    except DomainError as exc:
        logger.warning("transfer %s not posted in %s: %s", transfer_id, connection.schema_name, exc)
        Transfer.objects.filter(pk=transfer_id).update(post_error=exc.message[:500])
        return Transfer.objects.get(pk=transfer_id)


def transfers_post_here() -> dict[str, int]:
    """Every confirmed transfer of the LPA whose schema the connection is in, each in
    its own transaction (the per-LPA job's work)."""
    from tenants.selectors import lpa_current

    lpa = lpa_current()
    batches: set[int] = set()  # of the transfers posted
    posted = failed = 0
    pending = Transfer.objects.filter(lpa=lpa, state=TransferState.CONFIRMED).order_by("pk")
    for pk, batch_id in pending.values_list("pk", "batch_id"):
        if transfer_post(transfer_id=pk).state == TransferState.POSTED:
            posted += 1
            batches.add(batch_id)
        else:
            failed += 1
    if batches:
        _batches_finish(batch_ids=batches)
    return {"posted": posted, "not_posted": failed}

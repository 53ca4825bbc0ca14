"""Demo subsidies: the LPAs' bank accounts, this year's claim-reserve budget shared to
Sulawesi Tenggara and allocated by the rule; a first batch of half of each allocation
paid through the fake bank and posted; a second batch waiting for the checker."""

from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django_tenants.utils import schema_context

from askesos.dates import today
from programme.subsidies.batches import (
    batch_approve,
    batch_build,
    batch_send,
    confirmations_import,
    transfers_post_here,
)
from programme.subsidies.models import Budget, Channel, Purpose
from programme.subsidies.services import (
    budget_record,
    lpa_allocations_by_rule,
    province_allocate,
    rates_load_shipped,
)
from tenants.models import BankAccountPurpose
from tenants.services import lpa_bank_account_set

BANK = "Bank Rakyat Indonesia"


def demo_bank_number(index: int, purpose: str) -> str:
    return f"0{index:03d}01{purpose}5"


def demo_subsidies_create(*, lpas: list[Any], ministry: Any, maker: Any, checker: Any) -> None:
    connection.set_schema_to_public()
    for index, lpa in enumerate(lpas, start=1):
        for purpose in BankAccountPurpose.values:
            lpa_bank_account_set(
                lpa=lpa,
                purpose=purpose,
                bank_name=BANK,
                number=demo_bank_number(index, purpose),
                holder=f"Tim Pengelola ASKESOS {lpa.name}",
            )
    rates_load_shipped()
    if Budget.objects.exists():
        return
    year = today().year
    budget = budget_record(
        year=year,
        channel=Channel.DEKONSENTRASI,
        purpose=Purpose.CLAIM_RESERVE,
        dipa_reference=f"DIPA-027.05.1.{year}",
        amount=5_000_000_000,
        actor=ministry,
    )
    share = province_allocate(budget=budget, province_code="74", amount=750_000_000, actor=ministry)
    allocations = lpa_allocations_by_rule(share=share, actor=maker)
    first = batch_build(
        province=share.province,
        tranches=[(a, a.amount // 2) for a in allocations],
        execution_date=today(),
        actor=maker,
    )
    batch_approve(batch=first, actor=checker)
    batch_send(batch_id=first.pk)
    confirmations_import()
    for lpa in lpas:
        with schema_context(lpa.schema_name):
            transfers_post_here()
    batch_build(
        province=share.province,
        tranches=[(a, None) for a in allocations],
        execution_date=today(),
        actor=maker,
    )
    for lpa in lpas:
        _demo_bank_history(lpa)


def _demo_bank_history(lpa: Any) -> None:
    """What the bank saw on the reserve account besides the transfer (the subsidy the
    demo's claims drew on, the claims paid) and its monthly charge, which the books do
    not have yet; then the nightly jobs' work: fetch the statements and reconcile. The
    Bendahara finds one line to post in one click."""
    from programme.bank.connectors import connector
    from programme.banking.tasks import reconcile_day, statements_fetch_day
    from programme.ledger import accounts as acc
    from programme.ledger.models import JournalLine

    bank = connector()
    number = lpa.bank_accounts.get(purpose=BankAccountPurpose.RESERVE).number
    with schema_context(lpa.schema_name):
        lines = (
            JournalLine.objects.filter(account__code=acc.BANK_RESERVE)
            .exclude(entry__source_key__startswith="transfer:")
            .select_related("entry")
            .order_by("entry__date", "pk")
        )
        for line in lines:
            bank.entry_add(
                account_number=number,
                date=line.entry.date,
                amount=line.amount,
                kind="NTRF",
                reference=re.sub(r"[^A-Za-z0-9-]", "", line.entry.source_key)[-16:] or "NONREF",
                text=re.sub(r"[^A-Za-z0-9 .,/-]", " ", line.entry.description)[:60],
            )
        bank.entry_add(
            account_number=number,
            date=today(),
            amount=-6_500,
            kind="NCHG",
            reference="ADM",
            text="BIAYA ADMINISTRASI",
        )
        statements_fetch_day(on=today())
        reconcile_day(on=today())

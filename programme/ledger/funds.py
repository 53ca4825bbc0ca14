"""The other funds: revolving-fund loans (dana talangan), grants (hibah), the
claim-reserve subsidy and operating expenses. Each movement is one ledger entry."""

from __future__ import annotations

import datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from askesos.dates import date_not_before, money_date
from askesos.money import rupiah_check
from programme.ledger import accounts as acc
from programme.ledger.errors import LedgerConflict, LedgerError
from programme.ledger.models import EntryKind, Grant, JournalEntry, Loan, LoanInstallment
from programme.ledger.notes import ENTRY_NOTES
from programme.ledger.services import (
    Line,
    entry_post,
    text_required,
    transfer_post,
)

REFERENCE = _("Reference")


def revolving_capital_add(
    *, amount: int, date: datetime.date, reference: str, actor: Any = None
) -> JournalEntry:
    reference = text_required(reference, field="reference", label=REFERENCE, limit=60)
    return transfer_post(
        debit=acc.BANK_REVOLVING,
        credit=acc.REVOLVING_CAPITAL,
        amount=amount,
        date=date,
        kind=EntryKind.GRANT,
        source_key=f"revolving-capital:{reference}",
        note=ENTRY_NOTES("revolving_capital", reference=reference),
        actor=actor,
    )


def subsidy_receive(
    *, amount: int, date: datetime.date, reference: str, actor: Any = None
) -> JournalEntry:
    """The government claim-reserve subsidy arriving in the reserve account."""
    reference = text_required(reference, field="reference", label=REFERENCE, limit=60)
    return transfer_post(
        debit=acc.BANK_RESERVE,
        credit=acc.RESERVE_FUND,
        amount=amount,
        date=date,
        kind=EntryKind.SUBSIDY,
        source_key=f"subsidy:{reference}",
        note=ENTRY_NOTES("subsidy", reference=reference),
        actor=actor,
    )


def loan_disburse(
    *,
    participant: Any,
    principal: int,
    fee: int,
    installments: int,
    purpose: str,
    date: datetime.date,
    actor: Any = None,
) -> Loan:
    """Lend from the revolving fund, repaid in equal monthly installments; the fee is
    the fund's profit and pays for operations."""
    principal = rupiah_check(principal, field="principal")
    fee = rupiah_check(fee, field="fee", zero_allowed=True)
    purpose = text_required(purpose, field="purpose", label=_("Purpose"), limit=200)
    if not 1 <= installments <= 36:
        raise LedgerError("loan_terms", field="installments")
    with transaction.atomic():
        entry = entry_post(
            date=date,
            kind=EntryKind.LOAN,
            source_key=f"loan:{participant.pk}:{date.isoformat()}:{principal}",
            note=ENTRY_NOTES("loan", name=participant.name, purpose=purpose),
            lines=[
                Line(acc.LOANS_RECEIVABLE, principal, participant.pk),
                Line(acc.BANK_REVOLVING, -principal),
            ],
            actor=actor,
        )
        loan = Loan.objects.create(
            participant=participant,
            purpose=purpose[:200],
            principal=principal,
            fee=fee,
            installments=installments,
            disbursed_on=date,
            entry=entry,
        )
        LoanInstallment.objects.bulk_create(
            [
                LoanInstallment(
                    loan=loan,
                    number=n,
                    due_on=date + relativedelta(months=n),
                    principal=_share(principal, installments, n),
                    fee=_share(fee, installments, n),
                )
                for n in range(1, installments + 1)
            ]
        )
        return loan


def _share(total: int, parts: int, number: int) -> int:
    """Equal whole-rupiah parts; the remainder goes to the first installments."""
    base, remainder = divmod(total, parts)
    return base + (1 if number <= remainder else 0)


def loan_repay(
    *, installment: LoanInstallment, date: datetime.date, actor: Any = None
) -> LoanInstallment:
    with transaction.atomic():
        installment = (
            LoanInstallment.objects.select_for_update()
            .select_related("loan__participant")
            .get(pk=installment.pk)
        )
        if installment.paid_on is not None:
            raise LedgerConflict("installment_paid", number=installment.number)
        loan = installment.loan
        date = money_date(date, field="date", label=_("Date paid"))
        date_not_before(
            date, loan.disbursed_on, field="date", label=_("Date paid"), step=_("the loan")
        )
        lines = [
            Line(acc.BANK_REVOLVING, installment.principal + installment.fee),
            Line(acc.LOANS_RECEIVABLE, -installment.principal, loan.participant_id),
        ]
        if installment.fee:
            lines.append(Line(acc.LOAN_INCOME, -installment.fee))
        entry = entry_post(
            date=date,
            kind=EntryKind.REPAYMENT,
            source_key=f"repayment:{installment.pk}",
            note=ENTRY_NOTES("repayment", number=installment.number, name=loan.participant.name),
            lines=lines,
            actor=actor,
        )
        installment.paid_on = date
        installment.entry = entry
        installment.save(update_fields=["paid_on", "entry"])
        return installment


def loans_in_arrears(*, on: datetime.date | None = None):
    """Installments past their due date and unpaid."""
    on = on or timezone.localdate()
    return LoanInstallment.objects.filter(paid_on__isnull=True, due_on__lt=on).select_related(
        "loan__participant"
    )


def grant_receive(
    *, donor: str, purpose: str, amount: int, date: datetime.date, reference: str, actor: Any = None
) -> Grant:
    amount = rupiah_check(amount)
    donor = text_required(donor, field="donor", label=_("Donor"), limit=150)
    purpose = text_required(purpose, field="purpose", label=_("Purpose"))
    reference = text_required(reference, field="reference", label=REFERENCE, limit=60)
    with transaction.atomic():
        entry = entry_post(
            date=date,
            kind=EntryKind.GRANT,
            source_key=f"grant:{reference}",
            note=ENTRY_NOTES("grant", donor=donor, purpose=purpose),
            lines=[Line(acc.BANK_GRANTS, amount), Line(acc.GRANT_FUND, -amount)],
            actor=actor,
        )
        grant, _created = Grant.objects.get_or_create(
            entry=entry,
            defaults={
                "donor": donor[:150],
                "purpose": purpose[:300],
                "amount": amount,
                "received_on": date,
            },
        )
        return grant


def grant_spend(
    *,
    grant: Grant,
    amount: int,
    description: str,
    date: datetime.date,
    reference: str,
    actor: Any = None,
) -> JournalEntry:
    description = text_required(description, field="description", label=_("For"))
    reference = text_required(reference, field="reference", label=REFERENCE, limit=60)
    date = money_date(date, field="date", label=_("Date spent"))
    date_not_before(
        date, grant.received_on, field="date", label=_("Date spent"), step=_("the grant")
    )
    return transfer_post(
        debit=acc.GRANT_SPENDING,
        credit=acc.BANK_GRANTS,
        amount=amount,
        date=date,
        kind=EntryKind.GRANT_USE,
        source_key=f"grant-use:{reference}",
        note=ENTRY_NOTES("grant_use", donor=grant.donor, description=description),
        actor=actor,
    )


def expense_record(
    *, amount: int, description: str, date: datetime.date, reference: str, actor: Any = None
) -> JournalEntry:
    description = text_required(description, field="description", label=_("For"))
    reference = text_required(reference, field="reference", label=REFERENCE, limit=60)
    return transfer_post(
        debit=acc.OPERATING_EXPENSE,
        credit=acc.CASH,
        amount=amount,
        date=date,
        kind=EntryKind.EXPENSE,
        source_key=f"expense:{reference}",
        description=description[:300],
        actor=actor,
    )

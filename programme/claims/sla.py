"""Service level of claims, and the findings the LPA and its district see.

The clock runs from complete submission (every required document in) to payment, or
to the referral for BPJS Ketenagakerjaan benefits, in working days: Monday to Friday
without the public holidays on record. A claim waiting longer than
CLAIM_SLA_WORKING_DAYS is overdue; the daily job (tasks.claims_sla_dispatch) writes
one finding per overdue claim into public, and payment, rejection or return resolves
it at once. A reserve that cannot pay an approved request is a finding too.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from askesos.workdays.services import holidays_between, working_days_between
from programme.claims.models import WAITING_STATUSES, Claim, PaymentRequest
from programme.ledger import accounts as acc
from programme.ledger.services import account_balance
from reporting.findings import finding_raise, finding_resolve, findings_open_for_lpa
from reporting.models import Finding
from tenants.selectors import lpa_current

RESERVE_SUBJECT = "reserve"


def sla_limit() -> int:
    return settings.CLAIM_SLA_WORKING_DAYS


def _lpa() -> Any:
    return lpa_current()


def service_days(claim: Claim, until: datetime.date) -> int | None:
    """Working days from complete submission to `until`; None while incomplete."""
    if claim.complete_at is None:
        return None
    return working_days_between(timezone.localdate(claim.complete_at), until)


@dataclass(frozen=True)
class Waiting:
    claim: Claim
    days: int

    @property
    def overdue(self) -> bool:
        return self.days > sla_limit()


def claim_waiting(claim: Claim, *, on: datetime.date) -> Waiting | None:
    """One claim's wait, if the LPA still owes it an answer (the claim's own page)."""
    if claim.status not in WAITING_STATUSES or claim.complete_at is None:
        return None
    return Waiting(claim, service_days(claim, on))


def claims_waiting(*, on: datetime.date) -> list[Waiting]:
    """Complete claims the LPA has not paid (or referred) yet, longest wait first."""
    claims = list(
        Claim.objects.filter(status__in=WAITING_STATUSES, complete_at__isnull=False)
        .select_related("policy__participant")
        .order_by("complete_at")
    )
    if not claims:
        return []
    first = timezone.localdate(claims[0].complete_at)
    holidays = holidays_between(first, on)
    waiting = [
        Waiting(
            claim,
            working_days_between(timezone.localdate(claim.complete_at), on, holidays=holidays),
        )
        for claim in claims
    ]
    return sorted(waiting, key=lambda w: -w.days)


def _subject(claim: Claim) -> str:
    return f"claim:{claim.number}"


def sla_check_run(*, on: datetime.date) -> dict[str, int]:
    """Raise a finding for every overdue claim, resolve the rest. Safe to run twice."""
    lpa = _lpa()
    overdue = {}
    for waiting in claims_waiting(on=on):
        if not waiting.overdue:
            continue
        claim = waiting.claim
        overdue[_subject(claim)] = finding_raise(
            lpa=lpa,
            kind=Finding.Kind.CLAIM_OVERDUE,
            subject=_subject(claim),
            summary=claim.benefit,
            amount=claim.amount,
            days=waiting.days,
        )
    resolved = 0
    for finding in findings_open_for_lpa(lpa=lpa).filter(kind=Finding.Kind.CLAIM_OVERDUE):
        if finding.subject not in overdue:
            resolved += finding_resolve(
                lpa=lpa, kind=Finding.Kind.CLAIM_OVERDUE, subject=finding.subject
            )
    reserve_check()
    return {"overdue": len(overdue), "resolved": resolved}


def overdue_clear(claim: Claim) -> None:
    """The LPA answered (paid, referred, rejected, returned): no longer overdue."""
    finding_resolve(lpa=_lpa(), kind=Finding.Kind.CLAIM_OVERDUE, subject=_subject(claim))


def approved_unpaid_total() -> int:
    return (
        PaymentRequest.objects.filter(status=PaymentRequest.Status.APPROVED).aggregate(
            t=Sum("total")
        )["t"]
        or 0
    )


def reserve_check(*, attempted: PaymentRequest | None = None) -> None:
    """Approved requests the reserve cannot cover open the finding (naming the request
    a Bendahara just failed to pay, else the oldest waiting one); once the reserve
    covers them (a subsidy arrived, a request was paid), the finding is resolved."""
    owed, balance = approved_unpaid_total(), account_balance(acc.BANK_RESERVE)
    if owed <= balance:
        finding_resolve(lpa=_lpa(), kind=Finding.Kind.RESERVE_SHORT, subject=RESERVE_SUBJECT)
        return
    request = attempted or (
        PaymentRequest.objects.filter(status=PaymentRequest.Status.APPROVED)
        .order_by("approved_at")
        .first()
    )
    finding_raise(
        lpa=_lpa(),
        kind=Finding.Kind.RESERVE_SHORT,
        subject=RESERVE_SUBJECT,
        summary=request.number,
        amount=owed - balance,
    )

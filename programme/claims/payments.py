"""Payment requests (rekapitulasi): Urusan Klaim gathers verified claims, the Ketua
approves the withdrawal, the Bendahara pays it from the claim reserve. Two signatures,
two different people (PostgreSQL checks it too); the reserve never goes negative, and
a reserve that cannot pay raises a finding for the district."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from askesos.dates import date_not_before, money_date, today
from askesos.money import format_rupiah
from askesos.permissions import Action, ensure
from programme.claims.errors import ClaimConflict, ClaimError
from programme.claims.labels import STEP_LABELS
from programme.claims.models import Claim, ClaimStatus, PaymentRequest
from programme.claims.services import claim_event_record, claim_state_refusal, number_take
from programme.claims.sla import (
    overdue_clear,
    reserve_check,
    service_days,
)
from programme.ledger import accounts as acc
from programme.ledger.errors import LedgerError
from programme.ledger.models import EntryKind
from programme.ledger.notes import ENTRY_NOTES
from programme.ledger.services import Line, account_balance, entry_post

S = ClaimStatus


def _request_locked(request: PaymentRequest) -> PaymentRequest:
    return PaymentRequest.objects.select_for_update().get(pk=request.pk)


def _refuse_request(request: PaymentRequest, action: str) -> ClaimError:
    return ClaimConflict(
        "request_state",
        number=request.number,
        state=PaymentRequest.Status(request.status).label.lower(),
        action=STEP_LABELS[action],
    )


def payment_request_create(*, claims: Sequence[Claim], actor: Any) -> PaymentRequest:
    """Urusan Klaim's recapitulation of verified claims for the Ketua and Bendahara."""
    ensure(actor, Action.CLAIM_VERIFY)
    if not claims:
        raise ClaimError("request_empty", field="claims")
    with transaction.atomic():
        locked = list(
            Claim.objects.select_for_update().filter(pk__in=[c.pk for c in claims]).order_by("pk")
        )
        for claim in locked:
            if claim.is_referral:
                raise ClaimConflict("referral_not_paid", number=claim.number)
            if claim.status != S.VERIFIED:
                raise claim_state_refusal(claim, "recapitulate")
        pk, number = number_take(PaymentRequest, "RKP", 4)
        request = PaymentRequest.objects.create(
            pk=pk,
            number=number,
            total=sum(c.amount for c in locked),
            created_by_id=actor.pk,
        )
        for claim in locked:
            claim.status = S.RECAPITULATED
            claim.payment_request = request
            claim.save(update_fields=["status", "payment_request"])
            claim_event_record(claim, "recapitulate", S.VERIFIED, actor, number)
        return request


def payment_request_approve(*, request: PaymentRequest, actor: Any) -> PaymentRequest:
    """The Ketua's signature on the withdrawal."""
    ensure(actor, Action.CLAIM_APPROVE)
    with transaction.atomic():
        request = _request_locked(request)
        if request.status != PaymentRequest.Status.OPEN:
            raise _refuse_request(request, "approve")
        request.status = PaymentRequest.Status.APPROVED
        request.approved_by_id = actor.pk
        request.approved_at = timezone.now()
        request.approved_on = today()
        request.save(update_fields=["status", "approved_by", "approved_at", "approved_on"])
        for claim in request.claims.select_for_update():
            claim.status = S.APPROVED
            claim.save(update_fields=["status"])
            claim_event_record(claim, "approve", S.RECAPITULATED, actor, request.number)
        return request


def payment_request_refuse(*, request: PaymentRequest, reason: str, actor: Any) -> PaymentRequest:
    """The Ketua does not sign: the request ends refused with the reason, and its claims
    go back to Urusan Klaim as verified (to correct and recapitulate again, or reject)."""
    ensure(actor, Action.CLAIM_APPROVE)
    reason = (reason or "").strip()
    if not reason:
        raise ClaimError("refusal_reason_required", field="reason")
    with transaction.atomic():
        request = _request_locked(request)
        if request.status != PaymentRequest.Status.OPEN:
            raise _refuse_request(request, "refuse")
        request.status = PaymentRequest.Status.REFUSED
        request.refused_by_id = actor.pk
        request.refused_at = timezone.now()
        request.refusal_reason = reason[:300]
        claims = list(request.claims.select_for_update().order_by("pk"))
        request.refused_claims = [claim.pk for claim in claims]
        request.save(
            update_fields=["status", "refused_by", "refused_at", "refusal_reason", "refused_claims"]
        )
        for claim in claims:
            claim.status = S.VERIFIED
            claim.payment_request = None
            claim.save(update_fields=["status", "payment_request"])
            claim_event_record(
                claim, "refuse", S.RECAPITULATED, actor, f"{request.number}: {reason}"
            )
        return request


def payment_request_pay(
    *, request: PaymentRequest, paid_on: datetime.date, actor: Any, reference: str = ""
) -> PaymentRequest:
    """The Bendahara's signature and the money: one ledger entry per claim from the
    reserve bank account to claims expense. The ledger refuses to overdraw the reserve
    (entry_post), and the request is paid in one transaction, so a reserve that cannot
    cover all of it pays none of it; the district then gets a finding. It is dated on
    or after the Ketua's approval, never after today, and names the bank's reference."""
    ensure(actor, Action.CLAIM_PAY)
    paid_on = money_date(paid_on, field="paid_on", label=_("Paid on"))
    if not (reference or "").strip():
        raise ClaimError("payment_reference_required", field="reference")
    try:
        return _pay(request=request, paid_on=paid_on, actor=actor, reference=reference)
    except LedgerError as exc:
        if exc.code != "insufficient_funds":
            raise
    # Outside the payment's transaction, so that the finding stays when payment does not.
    reserve_check(attempted=request)
    balance = account_balance(acc.BANK_RESERVE)
    raise ClaimError(
        "reserve_short",
        number=request.number,
        balance=format_rupiah(balance),
        amount=format_rupiah(request.total),
    )


def _pay(
    *, request: PaymentRequest, paid_on: datetime.date, actor: Any, reference: str
) -> PaymentRequest:
    with transaction.atomic():
        request = _request_locked(request)
        if request.status != PaymentRequest.Status.APPROVED:
            raise _refuse_request(request, "pay")
        if request.approved_by_id == actor.pk:
            raise ClaimError("same_person", number=request.number)
        date_not_before(
            paid_on,
            request.approved_on or request.approved_at,
            field="paid_on",
            label=_("Paid on"),
            step=_("the Ketua's approval"),
        )
        now = timezone.now()
        claims = list(
            request.claims.select_for_update().select_related("policy__participant").order_by("pk")
        )
        for claim in claims:
            claim.entry = entry_post(
                date=paid_on,
                kind=EntryKind.CLAIM,
                source_key=f"claim:{claim.pk}",
                note=ENTRY_NOTES(
                    "claim_paid",
                    number=claim.number,
                    benefit=claim.benefit,
                    name=claim.policy.participant.name,
                ),
                lines=[
                    Line(acc.CLAIMS_EXPENSE, claim.amount, claim.policy.participant_id),
                    Line(acc.BANK_RESERVE, -claim.amount),
                ],
                actor=actor,
            )
            claim.status = S.PAID
            claim.paid_at = now
            claim.service_days = service_days(claim, paid_on)
            claim.save(update_fields=["entry", "status", "paid_at", "service_days"])
            claim_event_record(claim, "pay", S.APPROVED, actor, reference)
            overdue_clear(claim)
        request.status = PaymentRequest.Status.PAID
        request.paid_by_id = actor.pk
        request.paid_at = now
        request.paid_on = paid_on
        request.reference = (reference or "").strip()[:60]
        request.save(update_fields=["status", "paid_by", "paid_at", "paid_on", "reference"])
        reserve_check()
        return request

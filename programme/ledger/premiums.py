"""Premiums: receipts at the field, hand-over to the Bendahara, bank deposit,
government premium aid, arrears and lapse, and the savings paid back.

Coverage month k (0-based) of a policy is the k-th month from its start month. A
receipt covers `months` consecutive months after those already paid (advance payment
allowed). A month is in arrears once it has fully passed unpaid; the scheme's grace
rule (Buku Saku: 3 consecutive months) ends the membership.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from askesos.dates import date_not_before, format_date, money_date
from askesos.errors import DomainError
from askesos.money import format_rupiah, rupiah_check
from programme.ledger import accounts as acc
from programme.ledger.errors import LedgerConflict, LedgerError
from programme.ledger.models import (
    CashHandover,
    EntryKind,
    JournalLine,
    Payout,
    PremiumReceipt,
    ReceiptStatus,
)
from programme.ledger.notes import ENTRY_NOTES
from programme.ledger.services import (
    Line,
    entry_post,
    entry_reverse,
    text_required,
    transfer_post,
)
from programme.participants.lifecycle import policy_transition
from programme.participants.models import OPEN_STATUSES, Policy, PolicyStatus
from programme.participants.notes import POLICY_NOTES
from programme.schemes.models import SchemeVersion
from programme.schemes.rules import coverage_months, grace_months, monthly_premium


def months_between(start: datetime.date, day: datetime.date) -> int:
    """Whole coverage months that have fully passed between `start`'s month and `day`."""
    return (day.year - start.year) * 12 + (day.month - start.month)


def paid_months(policy: Policy) -> int:
    total = (
        PremiumReceipt.objects.filter(policy=policy)
        .exclude(status=ReceiptStatus.REVERSED)
        .aggregate(m=Sum("months"))["m"]
    )
    return total or 0


def arrears_months(*, start: datetime.date, rules: dict, paid: int, on: datetime.date) -> int:
    """Coverage months fully passed unpaid on `on` (never beyond the coverage)."""
    due = min(months_between(start, on), coverage_months(rules))
    return max(0, due - paid)


def receipt_amount(*, rules: dict, already: int, months: int) -> int:
    """What `months` more months cost, or LedgerError if coverage has fewer left."""
    left = coverage_months(rules) - already
    if months < 1 or months > left:
        raise LedgerError("receipt_beyond_coverage", field="months", left=left, months=months)
    return months * monthly_premium(rules)


def premiums_lock() -> None:
    """Serialise premium postings within one LPA (held to the end of the transaction):
    a receipt and a batch for the same policy cannot both count the months already
    paid. One advisory lock instead of a row lock on every policy of a batch."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"{connection.schema_name}:premiums"]
        )


RECEIPT_NUMBER_MAX = PremiumReceipt._meta.get_field("number").max_length


def receipt_number_next(*, on: datetime.date) -> str:
    """The next generated receipt number of the month, `KW-2611-00042`: short enough to
    copy onto a paper receipt, unique in the LPA. Call it holding `premiums_lock`, so
    that two receipts cannot take the same number."""
    from django.db import connection

    prefix = f"KW-{on:%y%m}-"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT max(substring(number from %s)::bigint) FROM ledger_premiumreceipt "
            "WHERE number LIKE %s AND substring(number from %s) ~ '^[0-9]{1,12}$'",
            [len(prefix) + 1, prefix + "%", len(prefix) + 1],
        )
        last = cursor.fetchone()[0] or 0
    return f"{prefix}{last + 1:05d}"


def premium_receipt_record(
    *,
    number: str = "",
    policy: Policy,
    months: int,
    amount: int,
    received_on: datetime.date,
    actor: Any = None,
    request_key: str = "",
) -> PremiumReceipt:
    """A field officer's receipt. The first premium activates a registered policy.
    Without a number the receipt gets the next `KW-<yymm>-<n>`; with a `request_key`
    already used, the receipt written for it then is returned and nothing is posted."""
    received_on = money_date(received_on, field="received_on", label=gettext_lazy("Date received"))
    number = (number or "").strip()
    amount = rupiah_check(amount)
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise LedgerError("amount_invalid", field="months", value=months)
    if len(number) > RECEIPT_NUMBER_MAX:
        raise LedgerError("receipt_number_long", field="number", limit=RECEIPT_NUMBER_MAX)
    with transaction.atomic():
        premiums_lock()
        if request_key:
            done = PremiumReceipt.objects.filter(request_key=request_key).first()
            if done is not None and done.policy_id == policy.pk:
                return done
        if not number:
            number = receipt_number_next(on=received_on)
        policy = (
            Policy.objects.select_for_update().select_related("scheme_version").get(pk=policy.pk)
        )
        if policy.status not in OPEN_STATUSES:
            raise LedgerError(
                "receipt_policy_closed",
                field="policy",
                policy=policy.number,
                state=PolicyStatus(policy.status).label.lower(),
            )
        date_not_before(
            received_on,
            policy.start_date,
            field="received_on",
            label=gettext_lazy("Date received"),
            step=gettext_lazy("the start of policy %(number)s") % {"number": policy.number},
        )
        if PremiumReceipt.objects.filter(number=number).exists():
            raise LedgerConflict("receipt_number_taken", field="number", number=number)
        rules = policy.scheme_version.rules
        premium = monthly_premium(rules)
        if amount != months * premium:
            raise LedgerError(
                "receipt_amount_mismatch",
                field="amount",
                months=months,
                premium=format_rupiah(premium),
                expected=format_rupiah(months * premium),
                amount=format_rupiah(amount),
            )
        already = paid_months(policy)
        receipt_amount(rules=rules, already=already, months=months)
        entry = entry_post(
            date=received_on,
            kind=EntryKind.PREMIUM,
            source_key=f"receipt:{number}",
            note=ENTRY_NOTES("premium_receipt", policy=policy.number, number=number, months=months),
            lines=[
                Line(acc.CASH_OFFICERS, amount),
                Line(acc.PREMIUM_SAVINGS, -amount, policy.participant_id),
            ],
            actor=actor,
        )
        try:
            with transaction.atomic():
                receipt = PremiumReceipt.objects.create(
                    number=number,
                    policy=policy,
                    first_month=already,
                    months=months,
                    amount=amount,
                    received_on=received_on,
                    entry=entry,
                    collected_by_id=getattr(actor, "pk", None),
                    request_key=request_key,
                )
        except IntegrityError as exc:
            raise LedgerConflict("receipt_number_taken", field="number", number=number) from exc
        if policy.status == PolicyStatus.REGISTERED:
            policy_transition(
                policy=policy,
                to_status=PolicyStatus.ACTIVE,
                actor=actor,
                note=POLICY_NOTES("first_premium", number=number),
                effective_date=received_on,
            )
        return receipt


def premium_receipt_reverse(
    *, receipt: PremiumReceipt, date: datetime.date, reason: str, actor: Any = None
) -> PremiumReceipt:
    """Correct a receipt typed in by mistake, while it is still with the officer: the
    entry is reversed (never edited) and the receipt no longer counts as paid."""
    with transaction.atomic():
        receipt = (
            PremiumReceipt.objects.select_for_update().select_related("entry").get(pk=receipt.pk)
        )
        if receipt.status != ReceiptStatus.COLLECTED:
            raise LedgerError("receipt_not_collected", number=receipt.number)
        if not receipt.entry.source_key.startswith("receipt:"):
            raise LedgerError("receipt_in_batch", number=receipt.number)
        entry_reverse(entry=receipt.entry, date=date, actor=actor, reason=reason)
        receipt.status = ReceiptStatus.REVERSED
        receipt.save(update_fields=["status"])
        return receipt


@dataclass(frozen=True)
class ReceiptRow:
    number: str  # empty: generated
    policy_number: str  # as typed: any case, spaces around
    months: int
    amount: int
    request_key: str = ""


@dataclass
class BatchResult:
    recorded: list[PremiumReceipt]
    errors: list[tuple[int, str]]  # (row index, message)
    by_row: dict[int, PremiumReceipt] = field(default_factory=dict)


def policy_number_clean(number: str) -> str:
    """Policy numbers are written `AKS-7471-0001-0000042`; people type them in any case."""
    return (number or "").strip().upper()


def premium_receipts_batch(
    *, rows: Sequence[ReceiptRow], received_on: datetime.date, actor: Any = None
) -> BatchResult:
    """The meeting screen and the collection sheet: each row stands alone, so one bad
    receipt loses no other."""
    result = BatchResult(recorded=[], errors=[])
    policies = {
        p.number: p
        for p in Policy.objects.filter(
            number__in=[policy_number_clean(r.policy_number) for r in rows]
        ).select_related("scheme_version")
    }
    for index, row in enumerate(rows):
        policy = policies.get(policy_number_clean(row.policy_number))
        if policy is None:
            result.errors.append(
                (index, _("unknown policy number %(number)s") % {"number": row.policy_number})
            )
            continue
        try:
            receipt = premium_receipt_record(
                number=row.number,
                policy=policy,
                months=row.months,
                amount=row.amount,
                received_on=received_on,
                actor=actor,
                request_key=row.request_key,
            )
        except DomainError as exc:
            result.errors.append((index, exc.message))
        else:
            result.recorded.append(receipt)
            result.by_row[index] = receipt
    return result


def cash_handover(
    *, receipts: Sequence[PremiumReceipt], handed_by: Any, actor: Any, date: datetime.date
) -> CashHandover:
    """The Bendahara takes the officer's receipts and cash (Buku Kas Harian)."""
    if not receipts:
        raise LedgerError("handover_empty")
    date = money_date(date, field="date", label=gettext_lazy("Hand-over date"))
    with transaction.atomic():
        locked = list(
            PremiumReceipt.objects.select_for_update().filter(pk__in=[r.pk for r in receipts])
        )
        for receipt in locked:
            if receipt.status != ReceiptStatus.COLLECTED:
                raise LedgerError("receipt_not_collected", number=receipt.number)
            date_not_before(
                date,
                receipt.received_on,
                field="date",
                label=gettext_lazy("Hand-over date"),
                step=gettext_lazy("receipt %(number)s") % {"number": receipt.number},
            )
        total = sum(r.amount for r in locked)
        first = min(r.pk for r in locked)
        entry = entry_post(
            date=date,
            kind=EntryKind.HANDOVER,
            source_key=f"handover:{first}:{len(locked)}",
            note=ENTRY_NOTES("handover", count=len(locked)),
            lines=[Line(acc.CASH, total), Line(acc.CASH_OFFICERS, -total)],
            actor=actor,
        )
        handover = CashHandover.objects.create(
            handed_by_id=getattr(handed_by, "pk", None),
            received_by_id=getattr(actor, "pk", None),
            date=date,
            amount=total,
            entry=entry,
        )
        PremiumReceipt.objects.filter(pk__in=[r.pk for r in locked]).update(
            status=ReceiptStatus.HANDED_OVER, handover=handover
        )
        return handover


def bank_deposit(
    *, handover: CashHandover, date: datetime.date, bank_reference: str, actor: Any
) -> CashHandover:
    """The Bendahara deposits a hand-over into the premium savings account (Buku Bank)."""
    date = money_date(date, field="date", label=gettext_lazy("Deposit date"))
    bank_reference = (bank_reference or "").strip()
    if not bank_reference:
        raise LedgerError("reference_required", field="bank_reference")
    with transaction.atomic():
        handover = CashHandover.objects.select_for_update().get(pk=handover.pk)
        if handover.deposit_entry_id:
            raise LedgerConflict("already_deposited")
        date_not_before(
            date,
            handover.date,
            field="date",
            label=gettext_lazy("Deposit date"),
            step=gettext_lazy("the hand-over"),
        )
        entry = entry_post(
            date=date,
            kind=EntryKind.DEPOSIT,
            source_key=f"deposit:{handover.pk}",
            note=ENTRY_NOTES("deposit", reference=bank_reference),
            lines=[Line(acc.BANK_SAVINGS, handover.amount), Line(acc.CASH, -handover.amount)],
            actor=actor,
        )
        handover.deposit_entry = entry
        handover.bank_reference = bank_reference[:60]
        handover.save(update_fields=["deposit_entry", "bank_reference"])
        handover.receipts.update(status=ReceiptStatus.DEPOSITED)
        return handover


def premium_aid_record(
    *, amount: int, date: datetime.date, reference: str, actor: Any = None
) -> Any:
    """Government premium aid (bantuan iuran) arriving in the bank: its own source."""
    reference = text_required(reference, field="reference", label=gettext_lazy("Reference"))
    return transfer_post(
        debit=acc.BANK_SAVINGS,
        credit=acc.PREMIUM_AID,
        amount=amount,
        date=date,
        kind=EntryKind.PREMIUM_AID,
        source_key=f"premium-aid:{reference}",
        note=ENTRY_NOTES("premium_aid", reference=reference),
        actor=actor,
    )


def participant_savings(participant_id: int) -> int:
    """What the LPA owes the participant: premiums paid in, less savings paid out."""
    total = (
        JournalLine.objects.filter(
            account__code=acc.PREMIUM_SAVINGS, participant_id=participant_id
        ).aggregate(t=Sum("amount"))["t"]
        or 0
    )
    return -total


def savings_payout(
    *,
    policy: Policy,
    reason: str,
    paid_on: datetime.date,
    actor: Any = None,
    withdrawal_request: str = "",
) -> Payout:
    """Pay the saved premiums back: at the end of coverage (the policy matures) or on a
    written withdrawal request (the policy is withdrawn). One payout per policy."""
    paid_on = money_date(paid_on, field="paid_on", label=gettext_lazy("Paid on"))
    if reason not in Payout.Reason.values:
        raise LedgerError("payout_reason", field="reason")
    with transaction.atomic():
        policy = (
            Policy.objects.select_for_update().select_related("scheme_version").get(pk=policy.pk)
        )
        if Payout.objects.filter(policy=policy).exists():
            raise LedgerConflict("payout_done", policy=policy.number)
        if policy.status != PolicyStatus.ACTIVE and not (
            reason == Payout.Reason.WITHDRAWAL and policy.status == PolicyStatus.REGISTERED
        ):
            raise LedgerError(
                "payout_policy_state",
                policy=policy.number,
                state=PolicyStatus(policy.status).label.lower(),
            )
        if reason == Payout.Reason.MATURITY and paid_on < policy.end_date:
            raise LedgerError(
                "payout_not_due", policy=policy.number, date=format_date(policy.end_date)
            )
        date_not_before(
            paid_on,
            policy.start_date,
            field="paid_on",
            label=gettext_lazy("Paid on"),
            step=gettext_lazy("the start of policy %(number)s") % {"number": policy.number},
        )
        amount = participant_savings(policy.participant_id)
        kind = EntryKind.MATURITY if reason == Payout.Reason.MATURITY else EntryKind.WITHDRAWAL
        entry = None
        if amount > 0:  # nothing saved (never paid): no money moves, nothing to post
            entry = entry_post(
                date=paid_on,
                kind=kind,
                source_key=f"payout:{policy.pk}",
                note=ENTRY_NOTES("savings_returned", policy=policy.number),
                lines=[
                    Line(acc.PREMIUM_SAVINGS, amount, policy.participant_id),
                    Line(acc.BANK_SAVINGS, -amount),
                ],
                actor=actor,
            )
        target = (
            PolicyStatus.MATURED if reason == Payout.Reason.MATURITY else (PolicyStatus.WITHDRAWN)
        )
        policy_transition(
            policy=policy,
            to_status=target,
            actor=actor,
            reason=withdrawal_request,
            note=None if withdrawal_request else POLICY_NOTES("end_of_coverage"),
            effective_date=paid_on,
        )
        return Payout.objects.create(
            policy=policy,
            reason=reason,
            amount=max(amount, 0),
            paid_on=paid_on,
            paid_by_id=getattr(actor, "pk", None),
            entry=entry,
        )


@dataclass(frozen=True)
class ArrearsReport:
    lapsed: list[str]
    near_lapse: list[str]


def _arrears(*, on: datetime.date):
    """(policy, months in arrears, grace months) for every active policy."""
    paid = dict(
        PremiumReceipt.objects.exclude(status=ReceiptStatus.REVERSED)
        .values_list("policy_id")
        .annotate(m=Sum("months"))
    )
    active = Policy.objects.filter(status=PolicyStatus.ACTIVE).select_related("participant")
    # Each scheme's rules read once, not a copy of its JSON per policy (the daily job and
    # the field officer's home page walk every active policy).
    schemes = dict(
        SchemeVersion.objects.filter(
            pk__in=active.values("scheme_version_id").distinct()
        ).values_list("pk", "rules")
    )
    for policy in active.iterator(chunk_size=2000):
        rules = schemes[policy.scheme_version_id]
        arrears = arrears_months(
            start=policy.start_date, rules=rules, paid=paid.get(policy.pk, 0), on=on
        )
        yield policy, arrears, grace_months(rules)


def arrears_run(*, on: datetime.date, actor: Any = None) -> ArrearsReport:
    """Lapse every active policy whose arrears reached the scheme's grace rule; list
    those one month from it. Safe to run twice (a lapsed policy is no longer active)."""
    lapsed, near = [], []
    for policy, arrears, grace in list(_arrears(on=on)):
        if arrears >= grace:
            policy_transition(
                policy=policy,
                to_status=PolicyStatus.LAPSED,
                actor=actor,
                effective_date=on,
                note=POLICY_NOTES("arrears", months=arrears),
            )
            lapsed.append(policy.number)
        elif arrears == grace - 1:
            near.append(policy.number)
    return ArrearsReport(lapsed=lapsed, near_lapse=near)


def policies_near_lapse(*, on: datetime.date) -> list[Policy]:
    """For the field officers: active policies one unpaid month from lapsing."""
    return [policy for policy, arrears, grace in _arrears(on=on) if arrears == grace - 1]

"""Posting to the ledger, reversing, and closing months.

`entry_post` is the one way money moves. It is idempotent by source key (a retried
job gets the entry it already posted), refuses amounts that are not whole positive
rupiah within the ceiling (askesos.money), refuses to pay more out of a cash or bank
account than it holds (the account row is locked while checking), and says in words
when a month is locked; PostgreSQL enforces balance, locked months and immutability
underneath.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from askesos.dates import (
    DateError,
    date_not_before,
    format_date,
    lpa_start,
    money_date,
    month_in_range,
    today,
)
from askesos.money import format_rupiah, rupiah_check
from askesos.notes import StoredNote
from programme.ledger.accounts import account_name
from programme.ledger.errors import LedgerConflict, LedgerError
from programme.ledger.models import (
    Account,
    JournalEntry,
    JournalLine,
    Period,
    PeriodEvent,
    PeriodStatus,
)
from programme.ledger.notes import ENTRY_NOTES, entry_text


@dataclass(frozen=True)
class Line:
    account: str  # account code
    amount: int  # debit > 0, credit < 0
    participant_id: int | None = None


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    """The first day of the month after `month`'s."""
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _month_label(month: datetime.date) -> str:
    return date_format(month, "F Y")


def period_state(month: datetime.date) -> str:
    period = Period.objects.filter(month=month_of(month)).first()
    return period.status if period else PeriodStatus.OPEN


def period_ensure_open(day: datetime.date) -> None:
    state = period_state(day)
    if state != PeriodStatus.OPEN:
        raise LedgerError(
            "period_locked",
            month=_month_label(month_of(day)),
            state=PeriodStatus(state).label.lower(),
        )


def text_required(value: Any, *, field: str, label: Any, limit: int = 300) -> str:
    """A text a posting needs (a reference, a donor, a purpose): trimmed, not empty."""
    text = " ".join(str(value or "").split())
    if not text:
        raise LedgerError("field_required", field=field, label=label)
    return text[:limit]


def account_balance(code: str, *, until: datetime.date | None = None) -> int:
    lines = JournalLine.objects.filter(account__code=code)
    if until is not None:
        lines = lines.filter(entry__date__lte=until)
    return lines.aggregate(total=Sum("amount"))["total"] or 0


def balances(*, until: datetime.date | None = None) -> dict[str, int]:
    """Every account's balance (debit positive), by code."""
    lines = JournalLine.objects.all()
    if until is not None:
        lines = lines.filter(entry__date__lte=until)
    totals = dict(lines.values_list("account__code").annotate(total=Sum("amount")))
    return {code: totals.get(code, 0) for code in Account.objects.values_list("code", flat=True)}


def entry_post(
    *,
    date: datetime.date,
    kind: str,
    source_key: str,
    lines: Sequence[Line],
    description: str = "",
    note: StoredNote | None = None,
    actor: Any = None,
    reverses: JournalEntry | None = None,
) -> JournalEntry:
    """Post a balanced entry; the same source key twice returns the first entry. What
    the system says about it is a `note` (ENTRY_NOTES), read in each reader's
    language; a `description` people typed is stored and shown as typed. The services
    check their own dates at their fields first; the date check here is the last word."""
    if note is not None:
        description = ENTRY_NOTES.stored_text(note)
    existing = JournalEntry.objects.filter(source_key=source_key).first()
    if existing is not None:
        return _same_or_refused(existing, lines)
    date = money_date(date, field="date", label=_("Date"))
    for line in lines:
        # Debits are positive, credits negative: each side is an amount in range.
        amount = line.amount
        rupiah_check(-amount if isinstance(amount, int) and amount < 0 else amount)
    difference = sum(line.amount for line in lines)
    if difference or len(lines) < 2:
        raise LedgerError("unbalanced", difference=format_rupiah(difference))
    period_ensure_open(date)
    try:
        with transaction.atomic():
            accounts = _lock_money_accounts(lines)
            _ensure_covered(lines, accounts)
            entry = JournalEntry.objects.create(
                date=date,
                kind=kind,
                source_key=source_key,
                description=description[:300],
                note=note,
                created_by_id=getattr(actor, "pk", None),
                reverses=reverses,
            )
            JournalLine.objects.bulk_create(
                [  # one INSERT: the balance check sees it whole
                    JournalLine(
                        entry=entry,
                        account_id=accounts[line.account].pk,
                        amount=line.amount,
                        participant_id=line.participant_id,
                    )
                    for line in lines
                ]
            )
            return entry
    except IntegrityError:
        existing = JournalEntry.objects.filter(source_key=source_key).first()
        if existing is None:
            raise
        return existing


def _same_or_refused(existing: JournalEntry, lines: Sequence[Line]) -> JournalEntry:
    """A cause posts once: the same posting again (a retried job, a form sent twice)
    gets the entry it already made; other money under the same cause (a reference
    typed twice for two grants) is refused, never silently dropped."""
    posted = sorted(existing.lines.values_list("account__code", "amount", "participant_id"))
    asked = sorted((line.account, line.amount, line.participant_id) for line in lines)
    if posted != asked:
        raise LedgerConflict("source_taken", field="reference", date=format_date(existing.date))
    return existing


def transfer_post(
    *,
    debit: str,
    credit: str,
    amount: Any,
    date: datetime.date,
    kind: str,
    source_key: str,
    description: str = "",
    note: StoredNote | None = None,
    actor: Any = None,
) -> JournalEntry:
    """The common two-line entry: `amount` (whole, positive rupiah) from `credit` to `debit`."""
    amount = rupiah_check(amount)
    return entry_post(
        date=date,
        kind=kind,
        source_key=source_key,
        description=description,
        note=note,
        lines=[Line(debit, amount), Line(credit, -amount)],
        actor=actor,
    )


def _lock_money_accounts(lines: Iterable[Line]) -> dict[str, Account]:
    lines = list(lines)
    codes = sorted({line.account for line in lines})
    accounts = {a.code: a for a in Account.objects.filter(code__in=codes)}
    movement: dict[str, int] = {}
    for line in lines:
        movement[line.account] = movement.get(line.account, 0) + line.amount
    outgoing = sorted(c for c in codes if accounts[c].is_money and movement[c] < 0)
    # Lock the money accounts being paid from, in a fixed order, so that two payouts
    # cannot both see the same balance. Money coming in needs no lock.
    if outgoing:
        list(Account.objects.select_for_update().filter(code__in=outgoing).order_by("code"))
    return accounts


def _ensure_covered(lines: Iterable[Line], accounts: dict[str, Account]) -> None:
    movement: dict[str, int] = {}
    for line in lines:
        movement[line.account] = movement.get(line.account, 0) + line.amount
    for code, amount in movement.items():
        if amount < 0 and accounts[code].is_money:
            held = account_balance(code)
            if held + amount < 0:
                raise LedgerError(
                    "insufficient_funds",
                    account=account_name(code, accounts[code].name),
                    balance=format_rupiah(held),
                    amount=format_rupiah(-amount),
                )


def entry_reverse(
    *, entry: JournalEntry, date: datetime.date, actor: Any = None, reason: str = ""
) -> JournalEntry:
    """The correction: an entry with every line negated, linked to the original."""
    if JournalEntry.objects.filter(reverses=entry).exists():
        raise LedgerConflict("already_reversed")
    date = money_date(date, field="date", label=_("Correction date"))
    date_not_before(
        date, entry.date, field="date", label=_("Correction date"), step=entry_text(entry)
    )
    lines = [
        Line(line.account.code, -line.amount, line.participant_id)
        for line in entry.lines.select_related("account")
    ]
    return entry_post(
        date=date,
        kind="reversal",
        source_key=f"reversal:{entry.pk}",
        note=ENTRY_NOTES(
            "correction", entry={**(entry.note or {}), "text": entry.description}, reason=reason
        ),
        lines=lines,
        actor=actor,
        reverses=entry,
    )


def _period_for_update(month: datetime.date) -> Period:
    period, _created = Period.objects.get_or_create(month=month_of(month))
    return Period.objects.select_for_update().get(pk=period.pk)


def period_prepare(*, month: datetime.date, actor: Any) -> Period:
    """The Bendahara closes the month's books; from now on nothing dated in it posts.
    Months are closed in order: every earlier month with postings must be closed, and
    a month is closed once it is over (closing it earlier would lock its last days)."""
    month = month_in_range(month, field="month", label=_("Month"))
    if next_month(month) > today():
        raise DateError("month_not_over", field="month", month=_month_label(month))
    with transaction.atomic():
        oldest = _oldest_posting()
        if oldest is not None:
            closed = set(
                Period.objects.filter(month__lt=month, status=PeriodStatus.CLOSED).values_list(
                    "month", flat=True
                )
            )
            for earlier in _months(month_of(oldest), month):
                if earlier not in closed:
                    raise LedgerError("period_earlier_open", month=_month_label(earlier))
        period = _period_for_update(month)
        if period.status != PeriodStatus.OPEN:
            raise LedgerError(
                "period_state",
                month=_month_label(month),
                state=PeriodStatus(period.status).label.lower(),
                action="prepared",
            )
        period.status = PeriodStatus.PREPARED
        period.prepared_by_id = getattr(actor, "pk", None)
        period.prepared_at = timezone.now()
        period.save(update_fields=["status", "prepared_by", "prepared_at"])
        PeriodEvent.objects.create(period=period, action="prepare", actor_id=period.prepared_by_id)
        return period


def last_month_over() -> datetime.date:
    """The latest month that has ended (the one a Bendahara closes now)."""
    return month_of(month_of(today()) - datetime.timedelta(days=1))


def months_to_prepare() -> list[datetime.date]:
    """Months that are over and still open, from the first month with postings: the
    Bendahara's closing work, oldest first (months are closed in order)."""
    oldest = _oldest_posting()
    if oldest is None:
        return []
    locked = set(Period.objects.exclude(status=PeriodStatus.OPEN).values_list("month", flat=True))
    return [m for m in _months(month_of(oldest), next_month(last_month_over())) if m not in locked]


def _oldest_posting() -> datetime.date | None:
    """The date of the oldest entry within the LPA's time in the programme: months are
    closed in order from its month. An entry dated 0001-01-01 (written before PostgreSQL
    refused such dates) once asked for 24.000 months to be closed first, so that no
    month was ever closed; such an entry is left for a correction, not waited for."""
    return (
        JournalEntry.objects.filter(date__gte=lpa_start())
        .order_by("date")
        .values_list("date", flat=True)
        .first()
    )


def _months(start: datetime.date, stop: datetime.date) -> list[datetime.date]:
    months, current = [], start
    while current < stop:
        months.append(current)
        current = next_month(current)
    return months


def period_sign(*, month: datetime.date, actor: Any) -> Period:
    """The Ketua signs the prepared month: it is closed, with the balances signed."""
    month = month_in_range(month, field="month", label=_("Month"))
    with transaction.atomic():
        period = _period_for_update(month)
        if period.status != PeriodStatus.PREPARED:
            raise LedgerError(
                "period_state",
                month=_month_label(month),
                state=PeriodStatus(period.status).label.lower(),
                action="signed",
            )
        if period.prepared_by_id == getattr(actor, "pk", None):
            raise LedgerError("period_same_person")
        last_day = next_month(month) - datetime.timedelta(days=1)
        period.status = PeriodStatus.CLOSED
        period.signed_by_id = getattr(actor, "pk", None)
        period.signed_at = timezone.now()
        period.signed_balances = balances(until=last_day)
        period.save(update_fields=["status", "signed_by", "signed_at", "signed_balances"])
        PeriodEvent.objects.create(period=period, action="sign", actor_id=period.signed_by_id)
        return period


def period_reopen(*, month: datetime.date, actor: Any, reason: str) -> Period:
    """Only the Ketua reopens, with a reason that stays in the month's history."""
    month = month_in_range(month, field="month", label=_("Month"))
    reason = (reason or "").strip()
    if not reason:
        from programme.participants.errors import ParticipantError

        raise ParticipantError("reason_required", field="reason", target="reopen")
    with transaction.atomic():
        period = _period_for_update(month)
        if period.status == PeriodStatus.OPEN:
            raise LedgerError(
                "period_state",
                month=_month_label(month),
                state=PeriodStatus(period.status).label.lower(),
                action="reopened",
            )
        later = Period.objects.filter(month__gt=month).exclude(status=PeriodStatus.OPEN)
        for later_period in later.select_for_update():
            later_period.status = PeriodStatus.OPEN
            later_period.save(update_fields=["status"])
            PeriodEvent.objects.create(
                period=later_period,
                action="reopen",
                actor_id=getattr(actor, "pk", None),
                reason=f"{_month_label(month)}: {reason}",
            )
        period.status = PeriodStatus.OPEN
        period.save(update_fields=["status"])
        PeriodEvent.objects.create(
            period=period, action="reopen", actor_id=getattr(actor, "pk", None), reason=reason[:300]
        )
        return period

"""Property-based: any sequence of receipts, payouts, reversals and closings keeps every
entry balanced, every book consistent with the ledger, money accounts non-negative and
closed months unchanged. Runs on the real PostgreSQL, each example rolled back."""

import datetime

from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from askesos.errors import DomainError
from programme.ledger import accounts as acc
from programme.ledger import books
from programme.ledger.models import JournalLine, Payout, PremiumReceipt
from programme.ledger.premiums import (
    bank_deposit,
    cash_handover,
    premium_receipt_record,
    premium_receipt_reverse,
    savings_payout,
)
from programme.ledger.services import (
    account_balance,
    next_month,
    period_prepare,
    period_sign,
)
from programme.participants.services import participant_register
from tests.programme.conftest import person

START = datetime.date(2026, 1, 1)

operations = st.lists(
    st.one_of(
        st.tuples(st.just("receipt"), st.integers(0, 2), st.integers(1, 3), st.integers(0, 27)),
        st.tuples(st.just("handover_deposit"), st.integers(0, 27)),
        st.tuples(st.just("reverse"), st.integers(0, 40)),
        st.tuples(st.just("withdraw"), st.integers(0, 2)),
        st.tuples(st.just("close")),
    ),
    max_size=30,
)


def _closed_snapshot(months):
    lines = JournalLine.objects.filter(entry__date__lt=max(months) + relativedelta(months=1))
    return sorted(lines.values_list("entry_id", "account__code", "amount", "participant_id"))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_any_sequence_keeps_the_books_true(lpa_a, make_staff, ops):
    bendahara, ketua = make_staff(lpa_a, "bendahara"), make_staff(lpa_a, "ketua")
    connection.set_tenant(lpa_a)
    with transaction.atomic():
        policies = [
            participant_register(data=person(serial=n, name=f"P {n}"), start_date=START)
            for n in range(3)
        ]
        month, closed, snapshot, counter = START, [], None, 0
        for op in ops:
            counter += 1
            try:
                with transaction.atomic():
                    if op[0] == "receipt":
                        _, which, months, day = op
                        premium_receipt_record(
                            number=f"K{counter}",
                            policy=policies[which],
                            months=months,
                            amount=5000 * months,
                            received_on=month + datetime.timedelta(days=day),
                        )
                    elif op[0] == "handover_deposit":
                        day = month + datetime.timedelta(days=op[1])
                        waiting = list(PremiumReceipt.objects.filter(status="collected"))
                        handover = cash_handover(
                            receipts=waiting, handed_by=None, actor=bendahara, date=day
                        )
                        bank_deposit(
                            handover=handover,
                            date=day,
                            bank_reference=f"B{counter}",
                            actor=bendahara,
                        )
                    elif op[0] == "reverse":
                        receipts = list(PremiumReceipt.objects.order_by("pk"))
                        if receipts:
                            premium_receipt_reverse(
                                receipt=receipts[op[1] % len(receipts)],
                                date=month + datetime.timedelta(days=27),
                                reason="salah ketik",
                            )
                    elif op[0] == "withdraw":
                        savings_payout(
                            policy=policies[op[1]],
                            reason=Payout.Reason.WITHDRAWAL,
                            paid_on=month + datetime.timedelta(days=27),
                            withdrawal_request="surat",
                        )
                    else:
                        period_prepare(month=month, actor=bendahara)
                        period_sign(month=month, actor=ketua)
                        closed.append(month)
                        snapshot = _closed_snapshot(closed)
                        month = month + relativedelta(months=1)
            except DomainError:
                pass  # refused with a reason: the books must be as before

        # 1. Every entry balances (PostgreSQL checks at insert; check the whole again).
        unbalanced = JournalLine.objects.values("entry_id").annotate(t=Sum("amount")).exclude(t=0)
        assert not unbalanced.exists()
        # 2. Money never below zero.
        for code in (acc.CASH, acc.CASH_OFFICERS, acc.BANK_SAVINGS):
            assert account_balance(code) >= 0
        # 3. The premium book agrees with the receipts and payouts.
        receipts = (
            PremiumReceipt.objects.exclude(status="reversed").aggregate(t=Sum("amount"))["t"] or 0
        )
        payouts = Payout.objects.aggregate(t=Sum("amount"))["t"] or 0
        assert -account_balance(acc.PREMIUM_SAVINGS) == receipts - payouts
        for m in {START, month}:
            last_day = next_month(m) - datetime.timedelta(days=1)
            for slug in ("kas-harian", "bank", "besar-premi"):
                book = books.book_get(slug, m)
                for section, code in zip(book.sections, books.BOOKS[slug].accounts, strict=True):
                    # Savings (a liability) are shown on their credit side.
                    sign = -1 if code == acc.PREMIUM_SAVINGS else 1
                    assert section.closing == sign * account_balance(code, until=last_day)
            assert books.book_get("neraca", m).difference == 0
        # 4. Closed months are exactly as signed.
        if closed:
            assert _closed_snapshot(closed) == snapshot
        transaction.set_rollback(True)

"""The books the programme's manuals prescribe, as views over the ledger.

Nothing here stores numbers: every book is read from journal lines (or, for the Buku
Setoran Premi, from the receipts those lines came from), so a book cannot disagree
with the ledger. Each book is also a spreadsheet and a PDF (book_output.py).

Every column has a type, so that a page, a PDF and a spreadsheet write each cell the
same way: money as Rp 5.000 (a number with a rupiah format in Excel), dates as
22 Nov 2026 (a real date in Excel, shown d mmm yyyy), entry numbers and policy years
as plain numbers. A book is made of sections, each with its opening and closing
balance: one per account where a book follows several (a hand-over from the officers'
cash to the Bendahara's moves two balances, not one), one per kind of account in the
Neraca, which ends with its totals and says whether it balances.

A book is read in the reader's language: titles, headings, account names and the
descriptions the system wrote (programme/ledger/notes.py); what people typed stays
as typed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from askesos.money import format_rupiah
from programme.ledger import accounts as acc
from programme.ledger.models import Account, AccountKind, JournalLine, PremiumReceipt
from programme.ledger.notes import entry_text
from programme.ledger.services import month_of, next_month

MONEY, NUMBER, DATE, TEXT = "money", "number", "date", "text"
CODE = "code"  # a short identifier (an account code): text that never wraps

# Accounts whose balance is a credit (what the LPA owes or earned): their books show
# the balance credit-positive, as a treasurer reads it.
CREDIT_KINDS = {AccountKind.LIABILITY, AccountKind.EQUITY, AccountKind.INCOME}


@dataclass(frozen=True)
class Column:
    title: Any  # lazily translated
    type: str = TEXT


@dataclass(frozen=True)
class BookSpec:
    slug: str
    title: Any
    accounts: tuple[str, ...]


LEDGER_BOOKS = (
    BookSpec("kas-harian", pgettext_lazy("book", "Daily Cash Book"), (acc.CASH, acc.CASH_OFFICERS)),
    BookSpec(
        "bank",
        pgettext_lazy("book", "Bank Book"),
        (acc.BANK_RESERVE, acc.BANK_SAVINGS, acc.BANK_REVOLVING, acc.BANK_GRANTS),
    ),
    BookSpec("besar-premi", pgettext_lazy("book", "Premium Ledger"), (acc.PREMIUM_SAVINGS,)),
    BookSpec("besar-pinjaman", pgettext_lazy("book", "Loan Ledger"), (acc.LOANS_RECEIVABLE,)),
    BookSpec("besar-keuntungan", pgettext_lazy("book", "Profit Ledger"), (acc.LOAN_INCOME,)),
    BookSpec("hibah", pgettext_lazy("book", "Grants Book"), (acc.BANK_GRANTS,)),
)
BOOKS = {b.slug: b for b in LEDGER_BOOKS}
ALL_SLUGS = ("setoran-premi", *BOOKS, "klaim", "neraca")
TITLES = {
    "setoran-premi": pgettext_lazy("book", "Premium Deposit Book"),
    "klaim": pgettext_lazy("book", "Claims Book"),
    "neraca": pgettext_lazy("book", "Balance Sheet"),
    **{b.slug: b.title for b in LEDGER_BOOKS},
}


@dataclass
class Section:
    """Rows under one heading, with the balance before and after them (None where the
    section has none)."""

    title: str
    rows: list[list] = field(default_factory=list)
    opening: int | None = None
    closing: int | None = None


@dataclass
class Book:
    slug: str
    title: str
    month: datetime.date
    columns: list[Column]
    sections: list[Section] = field(default_factory=list)
    # The column under which a section's opening and closing figures belong.
    figure_column: int = -1
    opening_label: str = ""
    closing_label: str = ""
    # Labelled figures under the book (the Neraca's sides), and what they mean.
    totals: list[tuple[str, int]] = field(default_factory=list)
    verdict: str = ""
    difference: int | None = None  # the Neraca's: assets less the other side
    # Shown instead of the month (a report over a quarter, a semester, a year).
    period_label: str = ""

    @property
    def rows(self) -> list[list]:
        return [row for section in self.sections for row in section.rows]

    @property
    def opening(self) -> int | None:
        """The sections' openings together (all cash, all banks); None for the Neraca,
        whose sections are totals of unlike kinds."""
        figures = [s.opening for s in self.sections if s.opening is not None]
        return sum(figures) if figures and self.difference is None else None

    @property
    def closing(self) -> int | None:
        figures = [s.closing for s in self.sections if s.closing is not None]
        return sum(figures) if figures and self.difference is None else None

    @property
    def month_label(self) -> str:
        return self.period_label or date_format(self.month, "F Y")


def _ledger_columns() -> list[Column]:
    return [
        Column(pgettext_lazy("book", "Date"), DATE),
        Column(pgettext_lazy("book", "Entry no."), NUMBER),
        Column(pgettext_lazy("book", "Description"), TEXT),
        Column(pgettext_lazy("book", "Debit"), MONEY),
        Column(pgettext_lazy("book", "Credit"), MONEY),
        Column(pgettext_lazy("book", "Balance"), MONEY),
    ]


def _balance_labels() -> dict[str, str]:
    return {
        "opening_label": str(pgettext_lazy("book", "Opening balance")),
        "closing_label": str(pgettext_lazy("book", "Closing balance")),
    }


def ledger_book(slug: str, month: datetime.date) -> Book:
    """A section per account: the account's lines in the month, each with the
    account's own running balance. Debits and credits as posted; the balance on the
    account's natural side (credit-positive for what the LPA owes or earned)."""
    spec = BOOKS[slug]
    month = month_of(month)
    end = next_month(month)
    accounts = list(Account.objects.filter(code__in=spec.accounts).order_by("code"))
    lines = JournalLine.objects.filter(account__code__in=spec.accounts)
    before = dict(
        lines.filter(entry__date__lt=month).values_list("account__code").annotate(t=Sum("amount"))
    )
    by_account: dict[str, list[JournalLine]] = {a.code: [] for a in accounts}
    for line in (
        lines.filter(entry__date__gte=month, entry__date__lt=end)
        .select_related("entry", "account")
        .order_by("entry__date", "entry_id", "pk")
    ):
        by_account[line.account.code].append(line)
    book = Book(
        slug,
        str(spec.title),
        month,
        _ledger_columns(),
        figure_column=5,
        **_balance_labels(),
    )
    for account in accounts:
        sign = -1 if account.kind in CREDIT_KINDS else 1
        opening = sign * before.get(account.code, 0)
        section = Section(
            f"{account.code} {acc.account_name(account.code, account.name)}", opening=opening
        )
        balance = opening
        for line in by_account[account.code]:
            balance += sign * line.amount
            section.rows.append(
                [
                    line.entry.date,
                    line.entry_id,
                    entry_text(line.entry),
                    max(line.amount, 0),
                    max(-line.amount, 0),
                    balance,
                ]
            )
        section.closing = balance
        book.sections.append(section)
    return book


def receipts_book(month: datetime.date) -> Book:
    """Buku Setoran Premi: every receipt of the month, with the premium it carried."""
    month = month_of(month)
    book = Book(
        "setoran-premi",
        str(TITLES["setoran-premi"]),
        month,
        [
            Column(pgettext_lazy("book", "Date"), DATE),
            Column(pgettext_lazy("book", "Receipt no."), TEXT),
            Column(pgettext_lazy("book", "Participant"), TEXT),
            Column(pgettext_lazy("book", "Policy no."), TEXT),
            Column(pgettext_lazy("book", "Months"), NUMBER),
            Column(pgettext_lazy("book", "Amount"), MONEY),
            Column(pgettext_lazy("book", "Status"), TEXT),
        ],
        figure_column=5,
        closing_label=str(pgettext_lazy("book", "Total received")),
    )
    section = Section("", closing=0)
    receipts = (
        PremiumReceipt.objects.filter(received_on__gte=month, received_on__lt=next_month(month))
        .select_related("policy__participant")
        .order_by("received_on", "pk")
    )
    for r in receipts:
        section.rows.append(
            [
                r.received_on,
                r.number,
                r.policy.participant.name,
                r.policy.number,
                r.months,
                r.amount,
                r.get_status_display(),
            ]
        )
        section.closing += r.amount
    book.sections.append(section)
    return book


def claims_book(month: datetime.date) -> Book:
    """Buku Klaim: every claim Urusan Klaim recorded (verified) or the Bendahara paid
    in the month. The paid column is read from the claim's journal line on the claims
    expense account, so the book's closing is that account's balance."""
    from programme.claims.checks import benefit_label
    from programme.claims.models import Claim

    month = month_of(month)
    end = next_month(month)
    lines = JournalLine.objects.filter(account__code=acc.CLAIMS_EXPENSE)
    opening = lines.filter(entry__date__lt=month).aggregate(t=Sum("amount"))["t"] or 0
    paid = dict(
        lines.filter(entry__date__gte=month, entry__date__lt=end).values_list("entry_id", "amount")
    )
    book = Book(
        "klaim",
        str(TITLES["klaim"]),
        month,
        [
            Column(pgettext_lazy("book", "Verified"), DATE),
            Column(pgettext_lazy("book", "Claim no."), TEXT),
            Column(pgettext_lazy("book", "Participant"), TEXT),
            Column(pgettext_lazy("book", "Policy no."), TEXT),
            Column(pgettext_lazy("book", "Type"), TEXT),
            Column(pgettext_lazy("book", "Policy year"), NUMBER),
            Column(pgettext_lazy("book", "Amount"), MONEY),
            Column(pgettext_lazy("book", "Paid"), MONEY),
            Column(pgettext_lazy("book", "Paid on"), DATE),
            Column(pgettext_lazy("book", "Status"), TEXT),
        ],
        figure_column=7,
        **_balance_labels(),
    )
    section = Section("", opening=opening, closing=opening + sum(paid.values()))
    claims = (
        Claim.objects.filter(
            Q(verified_at__date__gte=month, verified_at__date__lt=end) | Q(entry_id__in=paid)
        )
        .select_related("policy__participant", "entry")
        .order_by("verified_at", "pk")
    )
    for claim in claims:
        section.rows.append(
            [
                timezone.localdate(claim.verified_at) if claim.verified_at else None,
                claim.number,
                claim.policy.participant.name,
                claim.policy.number,
                benefit_label(claim.benefit),
                claim.policy_year,
                claim.amount,
                paid.get(claim.entry_id, 0),
                claim.entry.date if claim.entry else None,
                claim.get_status_display(),
            ]
        )
    book.sections.append(section)
    return book


NERACA_SECTIONS = (
    (AccountKind.ASSET, pgettext_lazy("book", "Assets")),
    (AccountKind.LIABILITY, pgettext_lazy("book", "Liabilities")),
    (AccountKind.EQUITY, pgettext_lazy("book", "Fund balances")),
    (AccountKind.INCOME, pgettext_lazy("book", "Income")),
    (AccountKind.EXPENSE, pgettext_lazy("book", "Expenses")),
)


def balance_sheet(month: datetime.date) -> Book:
    """Buku Neraca: every account's balance at the end of the month, by kind, on its
    natural side. Assets must equal liabilities plus fund balances plus the surplus
    (income less expenses): the ledger's debits and credits sum to zero."""
    month = month_of(month)
    totals = dict(
        JournalLine.objects.filter(entry__date__lt=next_month(month))
        .values_list("account__code")
        .annotate(t=Sum("amount"))
    )
    book = Book(
        "neraca",
        str(TITLES["neraca"]),
        month,
        [
            Column(pgettext_lazy("book", "Code"), CODE),
            Column(pgettext_lazy("book", "Account"), TEXT),
            Column(pgettext_lazy("book", "Balance"), MONEY),
        ],
        figure_column=2,
        closing_label=str(pgettext_lazy("book", "Total")),
    )
    accounts = list(Account.objects.order_by("code"))
    side: dict[str, int] = {}
    for kind, title in NERACA_SECTIONS:
        sign = -1 if kind in CREDIT_KINDS else 1
        section = Section(str(title), closing=0)
        for account in accounts:
            if account.kind != kind:
                continue
            amount = sign * totals.get(account.code, 0)
            section.rows.append(
                [account.code, acc.account_name(account.code, account.name), amount]
            )
            section.closing += amount
        side[kind] = section.closing
        book.sections.append(section)
    assets = side[AccountKind.ASSET]
    surplus = side[AccountKind.INCOME] - side[AccountKind.EXPENSE]
    other = side[AccountKind.LIABILITY] + side[AccountKind.EQUITY] + surplus
    book.totals = [
        (pgettext("book", "Total assets"), assets),
        (pgettext("book", "Liabilities"), side[AccountKind.LIABILITY]),
        (pgettext("book", "Fund balances"), side[AccountKind.EQUITY]),
        (pgettext("book", "Surplus (income less expenses)"), surplus),
        (pgettext("book", "Total liabilities, fund balances and surplus"), other),
    ]
    book.difference = assets - other
    book.verdict = balance_verdict(assets=assets, other=other)
    return book


def balance_verdict(*, assets: int, other: int) -> str:
    """The Neraca's last line: that it balances, or by how much it does not."""
    if assets == other:
        return _(
            "The balance sheet balances: assets equal liabilities, fund balances and "
            "surplus (%(amount)s)."
        ) % {"amount": format_rupiah(assets)}
    return _(
        "The balance sheet does not balance: assets are %(assets)s, liabilities, fund "
        "balances and surplus %(other)s; the difference is %(difference)s."
    ) % {
        "assets": format_rupiah(assets),
        "other": format_rupiah(other),
        "difference": format_rupiah(assets - other),
    }


def book_get(slug: str, month: datetime.date) -> Book:
    if slug == "setoran-premi":
        return receipts_book(month)
    if slug == "neraca":
        return balance_sheet(month)
    if slug == "klaim":
        return claims_book(month)
    return ledger_book(slug, month)

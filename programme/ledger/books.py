"""The books the programme's manuals prescribe, as views over the ledger.

Nothing here stores numbers: every book is read from journal lines (or, for the Buku
Setoran Premi, from the receipts those lines came from), so a book cannot disagree
with the ledger. Each book exports to XLSX and PDF.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils import timezone

from askesos.money import format_rupiah
from programme.ledger import accounts as acc
from programme.ledger.models import Account, AccountKind, JournalLine, PremiumReceipt
from programme.ledger.services import month_of, next_month


@dataclass(frozen=True)
class BookSpec:
    slug: str
    title: str
    accounts: tuple[str, ...]


LEDGER_BOOKS = (
    BookSpec("kas-harian", "Buku Kas Harian", (acc.CASH, acc.CASH_OFFICERS)),
    BookSpec(
        "bank",
        "Buku Bank",
        (acc.BANK_RESERVE, acc.BANK_SAVINGS, acc.BANK_REVOLVING, acc.BANK_GRANTS),
    ),
    BookSpec("besar-premi", "Buku Besar Premi", (acc.PREMIUM_SAVINGS,)),
    BookSpec("besar-pinjaman", "Buku Besar Pinjaman", (acc.LOANS_RECEIVABLE,)),
    BookSpec("besar-keuntungan", "Buku Besar Keuntungan", (acc.LOAN_INCOME,)),
    BookSpec("hibah", "Buku Hibah", (acc.BANK_GRANTS,)),
)
BOOKS = {b.slug: b for b in LEDGER_BOOKS}
ALL_SLUGS = ("setoran-premi", *BOOKS, "klaim", "neraca")
TITLES = {
    "setoran-premi": "Buku Setoran Premi",
    "klaim": "Buku Klaim",
    "neraca": "Buku Neraca",
    **{b.slug: b.title for b in LEDGER_BOOKS},
}


@dataclass
class Book:
    slug: str
    title: str
    month: datetime.date
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    opening: int = 0
    closing: int = 0


def ledger_book(slug: str, month: datetime.date) -> Book:
    """Lines of the book's accounts in the month with a running balance. Amounts are
    shown from the book's point of view: in (debit) and out (credit) for money
    accounts; for liabilities and income, receipts are credits."""
    spec = BOOKS[slug]
    month = month_of(month)
    end = next_month(month)
    lines = JournalLine.objects.filter(account__code__in=spec.accounts)
    opening = lines.filter(entry__date__lt=month).aggregate(t=Sum("amount"))["t"] or 0
    book = Book(
        slug,
        spec.title,
        month,
        ["Tanggal", "No.", "Uraian", "Akun", "Debet", "Kredit", "Saldo"],
        opening=opening,
    )
    balance = opening
    for line in (
        lines.filter(entry__date__gte=month, entry__date__lt=end)
        .select_related("entry", "account")
        .order_by("entry__date", "entry_id", "pk")
    ):
        balance += line.amount
        book.rows.append(
            [
                line.entry.date,
                line.entry_id,
                line.entry.description,
                line.account.name,
                max(line.amount, 0),
                max(-line.amount, 0),
                balance,
            ]
        )
    book.closing = balance
    return book


def receipts_book(month: datetime.date) -> Book:
    """Buku Setoran Premi: every receipt of the month, with the premium it carried."""
    month = month_of(month)
    book = Book(
        "setoran-premi",
        TITLES["setoran-premi"],
        month,
        ["Tanggal", "No. kuitansi", "Peserta", "No. polis", "Bulan", "Jumlah", "Status"],
    )
    receipts = (
        PremiumReceipt.objects.filter(received_on__gte=month, received_on__lt=next_month(month))
        .select_related("policy__participant")
        .order_by("received_on", "pk")
    )
    for r in receipts:
        book.rows.append(
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
        book.closing += r.amount
    return book


def claims_book(month: datetime.date) -> Book:
    """Buku Klaim: every claim Urusan Klaim recorded (verified) or the Bendahara paid
    in the month. The paid column is read from the claim's journal line on the claims
    expense account, so the book's closing is that account's balance."""
    from django.db.models import Q

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
        TITLES["klaim"],
        month,
        [
            "Diverifikasi",
            "No. klaim",
            "Peserta",
            "No. polis",
            "Jenis",
            "Tahun polis",
            "Jumlah",
            "Dibayar",
            "Tanggal bayar",
            "Status",
        ],
        opening=opening,
    )
    claims = (
        Claim.objects.filter(
            Q(verified_at__date__gte=month, verified_at__date__lt=end) | Q(entry_id__in=paid)
        )
        .select_related("policy__participant", "entry")
        .order_by("verified_at", "pk")
    )
    for claim in claims:
        book.rows.append(
            [
                timezone.localdate(claim.verified_at) if claim.verified_at else "",
                claim.number,
                claim.policy.participant.name,
                claim.policy.number,
                benefit_label(claim.benefit),
                claim.policy_year,
                claim.amount,
                paid.get(claim.entry_id, 0),
                claim.entry.date if claim.entry else "",
                claim.get_status_display(),
            ]
        )
    book.closing = opening + sum(paid.values())
    return book


def balance_sheet(month: datetime.date) -> Book:
    """Buku Neraca: every account's balance at the end of the month, by kind; the
    debits and credits of a balanced ledger sum to zero."""
    month = month_of(month)
    totals = dict(
        JournalLine.objects.filter(entry__date__lt=next_month(month))
        .values_list("account__code")
        .annotate(t=Sum("amount"))
    )
    book = Book("neraca", TITLES["neraca"], month, ["Kode", "Akun", "Jenis", "Debet", "Kredit"])
    for account in Account.objects.order_by("code"):
        amount = totals.get(account.code, 0)
        book.rows.append(
            [
                account.code,
                account.name,
                str(AccountKind(account.kind).label),
                max(amount, 0),
                max(-amount, 0),
            ]
        )
        book.closing += amount
    return book


def book_get(slug: str, month: datetime.date) -> Book:
    if slug == "setoran-premi":
        return receipts_book(month)
    if slug == "neraca":
        return balance_sheet(month)
    if slug == "klaim":
        return claims_book(month)
    return ledger_book(slug, month)


def book_xlsx(book: Book, lpa_name: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(book.title[:31])
    sheet.append([lpa_name])
    sheet.append([f"{book.title}, {book.month:%m/%Y}"])
    sheet.append(book.columns)
    for row in book.rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def book_pdf(book: Book, lpa_name: str) -> bytes:
    """A printable book page set with the signature lines the manual asks for."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"{book.title} {book.month:%m/%Y}",
        author=lpa_name,
    )

    def cell(value):
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, int):
            return format_rupiah(value).removeprefix("Rp ") if abs(value) >= 1000 else str(value)
        if isinstance(value, datetime.date):
            return value.strftime("%d-%m-%Y")
        return Paragraph(str(value), styles["BodyText"])

    data = [book.columns] + [[cell(v) for v in row] for row in book.rows]
    table = Table(data, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dfeee8")),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story = [
        Paragraph(f"<b>{lpa_name}</b>", styles["Title"]),
        Paragraph(f"{book.title} bulan {book.month:%m/%Y}", styles["Heading2"]),
        table,
        Spacer(1, 12 * mm),
        Table(
            [
                ["Disiapkan oleh Bendahara", "", "Disahkan oleh Ketua"],
                ["", "", ""],
                ["(.............................)", "", "(.............................)"],
            ],
            colWidths=[80 * mm, 80 * mm, 80 * mm],
            rowHeights=[6 * mm, 18 * mm, 6 * mm],
        ),
    ]
    doc.build(story)
    return out.getvalue()

"""The books as a page, a spreadsheet and a PDF, each cell written by its column's
type (programme/ledger/books.py): money as Rp 5.000, dates as 22 Nov 2026, numbers as
they are; in the spreadsheet money and dates stay real numbers and dates with display
formats, so that the sheet sums and sorts."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from askesos.dates import format_date
from askesos.money import format_rupiah
from askesos.spreadsheets import cell_safe
from programme.ledger.books import CODE, DATE, MONEY, NUMBER, TEXT, Book

# Excel formats: whole rupiah with thousands grouped (Excel shows the reader's
# separator: a dot in Indonesian), and a date as 22 Nov 2026.
XLSX_FORMATS = {MONEY: '"Rp" #,##0;-"Rp" #,##0', NUMBER: "0", DATE: "d mmm yyyy"}


def cell_text(value: Any, kind: str) -> str:
    """A cell as a page or a PDF writes it."""
    if value is None or value == "":
        return ""
    if kind == MONEY:
        return format_rupiah(value)
    if kind == DATE:
        return format_date(value)
    return str(value)


@dataclass(frozen=True)
class SectionView:
    title: str
    opening: str | None
    closing: str | None
    rows: list[list[tuple[str, str, str]]]  # (text, column type, column title)


def book_view(book: Book) -> list[SectionView]:
    """The book's sections with every cell written out, for the page and the PDF."""
    return [
        SectionView(
            title=section.title,
            opening=None if section.opening is None else format_rupiah(section.opening),
            closing=None if section.closing is None else format_rupiah(section.closing),
            rows=[
                [
                    (cell_text(v, c.type), c.type, str(c.title))
                    for v, c in zip(row, book.columns, strict=True)
                ]
                for row in section.rows
            ],
        )
        for section in book.sections
    ]


def book_as_dict(book: Book) -> dict[str, Any]:
    """The book for the API: raw values (ints, ISO dates) and the column types."""
    return {
        "title": book.title,
        "month": book.month,
        "columns": [str(c.title) for c in book.columns],
        "types": [c.type for c in book.columns],
        "sections": [
            {
                "title": s.title,
                "opening": s.opening,
                "closing": s.closing,
                "rows": s.rows,
            }
            for s in book.sections
        ],
        "rows": book.rows,
        "opening": book.opening,
        "closing": book.closing,
        "totals": [{"label": label, "amount": amount} for label, amount in book.totals],
        "verdict": book.verdict,
        "difference": book.difference,
    }


def _figure_row(book: Book, label: str, amount: int) -> list[Any]:
    """A labelled figure placed under the book's figure column."""
    row: list[Any] = [None] * len(book.columns)
    row[0] = label
    row[book.figure_column] = amount
    return row


def book_xlsx(book: Book, lpa_name: str) -> bytes:
    """One sheet: the LPA, the book and month, then each section with its opening
    row, column headings, lines and closing row; money and dates as real numbers and
    dates with display formats, so that the sheet can be summed and sorted."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.workbook.child import INVALID_TITLE_REGEX

    workbook = Workbook()
    sheet = workbook.active
    # A sheet name may not hold : / ? * [ ] or a backslash (a report's title has ":").
    sheet.title = INVALID_TITLE_REGEX.sub(" ", book.title).strip()[:31] or "Sheet"
    bold = Font(bold=True)
    sheet.append([lpa_name])
    sheet.append([f"{book.title}, {book.month_label}"])
    sheet["A1"].font = sheet["A2"].font = bold

    def typed_row(values: Sequence[Any], *, font: Font | None = None) -> None:
        sheet.append(list(values))
        for index, column in enumerate(book.columns):
            cell = sheet.cell(row=sheet.max_row, column=index + 1)
            if column.type in XLSX_FORMATS and not isinstance(cell.value, str):
                cell.number_format = XLSX_FORMATS[column.type]
            if font is not None:
                cell.font = font

    for section in book.sections:
        sheet.append([])
        if section.title:
            sheet.append([section.title])
            sheet.cell(row=sheet.max_row, column=1).font = bold
        if section.opening is not None:
            typed_row(_figure_row(book, book.opening_label, section.opening))
        sheet.append([str(c.title) for c in book.columns])
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for row in section.rows:
            typed_row(row)
        if section.closing is not None:
            typed_row(_figure_row(book, book.closing_label, section.closing), font=bold)
    if book.totals:
        sheet.append([])
        for label, amount in book.totals:
            typed_row(_figure_row(book, label, amount))
    if book.verdict:
        sheet.append([book.verdict])
        sheet.cell(row=sheet.max_row, column=1).font = bold
    # Nothing in a book is a formula: text a person typed that a spreadsheet would run
    # (a participant named "=HYPERLINK(...)", a donor, a report's narrative) stays text
    # by the one escaping rule of every export.
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str):
                cell.value = cell_safe(cell.value)
    widths = {MONEY: 16, NUMBER: 9, CODE: 9, DATE: 13, TEXT: 28}
    for index, column in enumerate(book.columns):
        sheet.column_dimensions[get_column_letter(index + 1)].width = widths[column.type]
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def book_pdf(book: Book, lpa_name: str, *, signatures: tuple[str, str] | None = None) -> bytes:
    """A printable book with each section's opening and closing balance, the totals
    and the signature lines the manual asks for (the Bendahara's and the Ketua's, or
    `signatures`)."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
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
        title=f"{book.title} {book.month_label}",
        author=lpa_name,
    )
    body = styles["BodyText"]
    cell_style = ParagraphStyle("cell", parent=body, fontSize=8, leading=10)
    right = [
        (
            "ALIGN",
            (index, 0),
            (index, -1),
            "RIGHT",
        )
        for index, column in enumerate(book.columns)
        if column.type in (MONEY, NUMBER)
    ]

    # Fixed widths for dates, numbers and money; text columns share what is left.
    fixed = {DATE: 24 * mm, NUMBER: 18 * mm, CODE: 18 * mm, MONEY: 30 * mm}
    text_columns = sum(1 for c in book.columns if c.type == TEXT)
    left = doc.width - sum(fixed.get(c.type, 0) for c in book.columns)
    widths = [fixed.get(c.type, left / max(text_columns, 1)) for c in book.columns]

    def table(rows: list[list[Any]]) -> Table:
        result = Table(rows, colWidths=widths, repeatRows=1)
        result.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dfeee8")),
                    ("FONTSIZE", (0, 0), (-1, -1), 8),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    *right,
                ]
            )
        )
        return result

    def figure(label: str, amount: str, *, strong: bool = False) -> Paragraph:
        text = f"{escape(label)}: {escape(amount)}"
        return Paragraph(f"<b>{text}</b>" if strong else text, body)

    story: list[Any] = [
        Paragraph(f"<b>{escape(lpa_name)}</b>", styles["Title"]),
        Paragraph(escape(f"{book.title}, {book.month_label}"), styles["Heading2"]),
    ]
    header = [str(c.title) for c in book.columns]
    for section in book_view(book):
        if section.title:
            story.append(Paragraph(escape(section.title), styles["Heading3"]))
        if section.opening is not None:
            story.append(figure(book.opening_label, section.opening))
        cells = [
            [
                Paragraph(escape(text), cell_style) if kind == TEXT and text else text
                for text, kind, _title in row
            ]
            for row in section.rows
        ]
        if not cells:
            cells = [[_("Nothing this month.")] + [""] * (len(header) - 1)]
        story.append(table([header, *cells]))
        if section.closing is not None:
            story.append(figure(book.closing_label, section.closing, strong=True))
        story.append(Spacer(1, 4 * mm))
    if book.totals:
        summary = Table(
            [[label, format_rupiah(amount)] for label, amount in book.totals],
            colWidths=[110 * mm, 45 * mm],
            hAlign="LEFT",
        )
        summary.setStyle(
            TableStyle(
                [
                    ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black),
                    ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                    ("FONTSIZE", (0, 0), (-1, -1), 9),
                ]
            )
        )
        story.append(summary)
    if book.verdict:
        story.append(Paragraph(f"<b>{escape(book.verdict)}</b>", body))
    left_signature, right_signature = signatures or (
        pgettext("book", "Prepared by the Bendahara"),
        pgettext("book", "Approved by the Ketua"),
    )
    story += [
        Spacer(1, 12 * mm),
        Table(
            [
                [
                    left_signature,
                    "",
                    right_signature,
                ],
                ["", "", ""],
                ["(.............................)", "", "(.............................)"],
            ],
            colWidths=[80 * mm, 80 * mm, 80 * mm],
            rowHeights=[6 * mm, 18 * mm, 6 * mm],
        ),
    ]
    doc.build(story)
    return out.getvalue()

"""What every reader of a bank file shares: the size and encoding check, the problems
a line can have (stable codes, translated messages), and the rule that leaves out a
statement with a bad line or one that does not add up."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from askesos.money import format_rupiah
from programme.bank.base import (
    BankFileError,
    LineProblem,
    Statement,
    StatementLine,
)

MAX_FILE_BYTES = 5 * 1024 * 1024
CURRENCY = "IDR"
CSV_DELIMITER = ";"  # Excel in an Indonesian locale splits on ';' (its decimal mark is ',')
REFERENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,15}$")  # fits MT940 :61: 16x
PURPOSE_MAX = 140

# Stable codes of LineProblem; the UI shows problem_message(problem).
PROBLEM_MESSAGES: dict[str, Any] = {
    "no_statement": _("The file holds no statement."),
    "line_unreadable": _(
        "This line belongs to no field: it does not start with a tag such as :61:."
    ),
    "tag_outside_statement": _("The %(tag)s line comes before the first :20: line."),
    "tag_unknown": _("Unknown field %(tag)s."),
    "tag_unreadable": _("The %(tag)s line cannot be read: %(value)s"),
    "tag_missing": _("The statement that starts here has no %(tag)s line."),
    "tag_repeated": _("The statement has a second %(tag)s line."),
    "tag_order": _(
        "The %(tag)s line is out of place: a statement runs :20:, :25:, :28C:, :60F:, "
        "then :61: and :86: lines, then :62F:."
    ),
    "account_missing": _("The account number has no digits: %(value)s"),
    "currency_not_idr": _("The currency is %(currency)s; only rupiah (IDR) are accepted."),
    "amount_fraction": _("The amount %(value)s has a fraction of a rupiah; only whole rupiah."),
    "amount_invalid": _("%(value)s is not an amount in whole rupiah written as digits (150000)."),
    "amount_missing": _("The amount is missing."),
    "date_invalid": _("%(value)s is not a date written as %(format)s."),
    "date_missing": _("The date is missing."),
    "reference_missing": _("The reference is missing."),
    "status_unknown": _("Unknown status %(value)s: expected confirmed, failed or returned."),
    "columns_count": _("The line has %(found)s columns where the header has %(columns)s."),
    "record_unknown": _("Unknown record %(value)s: expected opening, line or closing."),
    "record_outside_statement": _(
        "This %(record)s row belongs to no statement: a statement starts with an opening "
        "row and ends with a closing row."
    ),
    "record_account_changed": _(
        "Account %(value)s differs from the statement's opening row (%(account)s)."
    ),
    "statement_unfinished": _("The statement that starts here has no closing row."),
    "balance_mismatch": _(
        "The statement does not add up: opening balance %(opening)s plus its lines "
        "%(lines)s gives %(expected)s, but its closing balance says %(stated)s."
    ),
    "statement_not_read": _(
        "Statement %(number)s of account %(account)s (lines %(first)s to %(last)s) was "
        "not read because of the problems reported on its lines; correct the file and "
        "import it again."
    ),
}
_MONEY_PARAMS = {"opening", "lines", "expected", "stated"}


def problem_message(problem: LineProblem) -> str:
    """The reader's-language message of a LineProblem (money parameters as Rp 5.000)."""
    template = PROBLEM_MESSAGES.get(problem.code)
    if template is None:
        return problem.code
    params = {
        key: format_rupiah(value) if key in _MONEY_PARAMS and isinstance(value, int) else value
        for key, value in problem.params.items()
    }
    return str(template) % params if params else str(template)


# --- text, size and cells ----------------------------------------------------------------


def file_text(content: bytes) -> str:
    """The file as text: size checked before anything is decoded; UTF-8 (ASCII is a part
    of it, and SWIFT's character set a part of that) with an optional BOM."""
    if len(content) > MAX_FILE_BYTES:
        raise BankFileError("file_too_large", limit="5 MB")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise BankFileError("file_encoding") from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise BankFileError("file_empty")
    return text


# --- statements: what both layouts share -------------------------------------------------


@dataclass
class StatementDraft:
    """A statement being read: its lines, and what was wrong with them."""

    first_line: int
    account_number: str = ""
    number: str = ""
    reference: str = ""
    opening: tuple[datetime.date, int] | None = None
    closing: tuple[datetime.date, int] | None = None
    closing_line: int = 0
    last_line: int = 0
    lines: list[StatementLine] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)


def statement_finish(draft: StatementDraft, problems: list[LineProblem]) -> Statement | None:
    """The statement, or None with the problems that leave it out."""
    if draft.problems:
        problems.extend(draft.problems)
    elif draft.opening is not None and draft.closing is not None:
        total = sum(line.amount for line in draft.lines)
        expected = draft.opening[1] + total
        if expected == draft.closing[1]:
            return Statement(
                account_number=draft.account_number,
                number=draft.number,
                opening_date=draft.opening[0],
                opening_balance=draft.opening[1],
                closing_date=draft.closing[0],
                closing_balance=draft.closing[1],
                lines=tuple(draft.lines),
                reference=draft.reference,
            )
        problems.append(
            LineProblem(
                draft.closing_line,
                "balance_mismatch",
                {
                    "opening": draft.opening[1],
                    "lines": total,
                    "expected": expected,
                    "stated": draft.closing[1],
                },
            )
        )
    problems.append(
        LineProblem(
            draft.first_line,
            "statement_not_read",
            {
                "number": draft.number or "?",
                "account": draft.account_number or "?",
                "first": draft.first_line,
                "last": draft.last_line or draft.first_line,
            },
        )
    )
    return None


def by_line(problems: list[LineProblem]) -> tuple[LineProblem, ...]:
    """In file order; at one line, "statement not read" before why."""
    return tuple(sorted(problems, key=lambda p: (p.line, p.code != "statement_not_read")))

# stand-in, replaced by the bank branch
"""A minimal stand-in for the bank branch's file formats: just enough MT940 for the
reconciliation tests (statement_parse, problem_message). The lead takes the bank
branch's module at merge."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import mt940
from django.utils.translation import gettext_lazy as _

from programme.bank.base import BankFileError, LineProblem, ParsedFile, Statement, StatementLine

PROBLEM_MESSAGES = {
    "line_unreadable": _("Line %(line)s cannot be read."),
    "balance_mismatch": _(
        "Statement %(number)s: the opening balance %(opening)s and its lines do not add up "
        "to the closing balance %(closing)s."
    ),
}

_LINE_61 = re.compile(r"^:61:\d{6}(\d{4})?(C|D|RC|RD)[A-Z]?\d+(,\d{0,2})?[A-Z][A-Z0-9]{3}")


def _rupiah(amount) -> int:
    return int(Decimal(str(amount.amount)))


def _date(value) -> datetime.date:
    return datetime.date(value.year, value.month, value.day)


def statement_parse(name: str, content: bytes) -> ParsedFile:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BankFileError("file_encoding") from exc
    if not text.strip():
        raise BankFileError("file_empty")
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith(":20:")]
    if not starts:
        raise BankFileError("file_format", format="MT940", reason=":20:")
    statements, problems = [], []
    for index, start in enumerate(starts):
        stop = starts[index + 1] if index + 1 < len(starts) else len(lines)
        block = lines[start:stop]
        line_numbers = [start + 1 + i for i, line in enumerate(block) if line.startswith(":61:")]
        broken = [
            LineProblem(line=start + 1 + i, code="line_unreadable", text=line)
            for i, line in enumerate(block)
            if line.startswith(":61:") and not _LINE_61.match(line)
        ]
        if broken:
            problems.extend(broken)
            continue
        parsed = mt940.parse_statements("\n".join(block) + "\n")[0]
        data = parsed.data
        opening, closing = data["final_opening_balance"], data["final_closing_balance"]
        number = data.get("statement_number", "")
        if data.get("sequence_number"):
            number = f"{number}/{data['sequence_number']}"
        statement_lines = tuple(
            StatementLine(
                line=line_no,
                value_date=_date(t.data["date"]),
                amount=_rupiah(t.data["amount"]),
                kind=t.data.get("id") or "",
                reference=(t.data.get("customer_reference") or "").replace("NONREF", ""),
                bank_reference=t.data.get("bank_reference") or "",
                text=t.data.get("transaction_details") or "",
            )
            for line_no, t in zip(line_numbers, parsed, strict=False)
        )
        opening_amount, closing_amount = _rupiah(opening.amount), _rupiah(closing.amount)
        if opening_amount + sum(line.amount for line in statement_lines) != closing_amount:
            problems.append(
                LineProblem(
                    line=start + 1,
                    code="balance_mismatch",
                    params={"number": number, "opening": opening_amount, "closing": closing_amount},
                )
            )
            continue
        statements.append(
            Statement(
                account_number=data["account_identification"].strip(),
                number=number,
                opening_date=_date(opening.date),
                opening_balance=opening_amount,
                closing_date=_date(closing.date),
                closing_balance=closing_amount,
                lines=statement_lines,
            )
        )
    return ParsedFile(statements=tuple(statements), problems=tuple(problems))


def problem_message(problem: LineProblem) -> str:
    from askesos.money import format_rupiah

    message = PROBLEM_MESSAGES.get(problem.code)
    if message is None:
        return problem.code
    params = {"line": problem.line, **problem.params}
    for key in ("opening", "closing"):
        if isinstance(params.get(key), int):
            params[key] = format_rupiah(params[key])
    return str(message) % params

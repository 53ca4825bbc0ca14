"""The CSV layouts: the outgoing batch, the confirmations, and statements (column
tables in docs/subsystems/bank.md). ';' between cells, a header row naming the
columns, UTF-8, amounts as plain whole rupiah, dates as YYYY-MM-DD."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from askesos.spreadsheets import FORMULA_START, cell_safe
from programme.bank.base import (
    CONFIRMATION_STATES,
    BankFileError,
    BatchFile,
    Confirmation,
    LineProblem,
    OutgoingFile,
    ParsedFile,
    PaymentInstruction,
    Statement,
    StatementLine,
)
from programme.bank.reading import (
    CSV_DELIMITER,
    CURRENCY,
    PURPOSE_MAX,
    REFERENCE_RE,
    StatementDraft,
    by_line,
    file_text,
    statement_finish,
)


def _cell_in(value: str) -> str:
    """Undo `cell_safe`: the apostrophe was ours, not the sender's."""
    value = value.strip()
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def _csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _csv_rows(
    content: bytes, *, columns: tuple[str, ...], format_name: str
) -> Iterator[tuple[int, dict[str, str] | None, LineProblem | None]]:
    """(line, cells by column name, problem) for each non-blank row after the header.
    The header names the columns (any order, extra columns ignored); ';' or ','."""
    text = file_text(content)
    first = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = ";" if ";" in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    last_line = 0
    for cells in reader:
        line, last_line = last_line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in cells]
            missing = [name for name in columns if name not in header]
            if missing:
                raise BankFileError(
                    "file_format",
                    format=format_name,
                    reason=_("its first row must name the columns %(columns)s")
                    % {"columns": ", ".join(columns)},
                )
            continue
        if len(cells) != len(header):
            yield (
                line,
                None,
                LineProblem(
                    line,
                    "columns_count",
                    {"found": len(cells), "columns": len(header)},
                    delimiter.join(cells),
                ),
            )
            continue
        yield line, dict(zip(header, cells, strict=True)), None
    if header is None:
        raise BankFileError(
            "file_format",
            format=format_name,
            reason=_("its first row must name the columns %(columns)s")
            % {"columns": ", ".join(columns)},
        )


_WHOLE_RUPIAH = re.compile(r"^-?\d{1,15}$")


def _csv_amount(value: str, *, signed: bool) -> int | str:
    """An int, or the problem code: plain digits only, since '1.000' is a thousand to an
    Indonesian and one to a computer."""
    value = value.strip()
    if not value:
        return "amount_missing"
    if not _WHOLE_RUPIAH.match(value) or (not signed and value.startswith("-")):
        return "amount_invalid"
    return int(value)


def _csv_date(value: str) -> datetime.date | str:
    value = value.strip()
    if not value:
        return "date_missing"
    try:
        return datetime.date.fromisoformat(value) if len(value) == 10 else "date_invalid"
    except ValueError:
        return "date_invalid"


def _line_problem(line: int, code: str, value: str, text: str) -> LineProblem:
    params: dict[str, Any] = {"value": value}
    if code == "date_invalid":
        params["format"] = "YYYY-MM-DD"
    return LineProblem(line, code, params, text)


# --- outgoing batch ---------------------------------------------------------------------

BATCH_COLUMNS = (
    "batch_reference",
    "line",
    "reference",
    "bank_name",
    "account_number",
    "account_holder",
    "amount",
    "currency",
    "purpose",
    "execution_date",
)


def _instruction_refusal(instruction: PaymentInstruction, seen: set[str]) -> Any:
    if not REFERENCE_RE.match(instruction.reference):
        return _("its reference must be 1 to 16 letters, digits or '-'")
    if instruction.reference in seen:
        return _("its reference is already in this batch")
    if not instruction.account_number.isdigit():
        return _("the account number must be digits only")
    if not instruction.account_holder.strip():
        return _("the account holder is missing")
    amount = instruction.amount
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        return _("the amount must be whole rupiah above zero")
    if len(instruction.purpose) > PURPOSE_MAX:
        return _("the purpose is longer than 140 characters")
    return None


def batch_csv_write(
    *,
    batch_reference: str,
    instructions: list[PaymentInstruction],
    execution_date: datetime.date,
) -> OutgoingFile:
    """The batch as the bank reads it (layout in docs/subsystems/bank.md). Refuses a batch
    a bank would half-pay: no lines, or a line whose reference could not come back on a
    statement, a duplicate reference, a non-digit account or a non-positive amount."""
    if not REFERENCE_RE.match(batch_reference):
        raise BankFileError(
            "instruction_invalid",
            number=0,
            reference=batch_reference,
            reason=_("a batch reference must be 1 to 16 letters, digits or '-'"),
        )
    if not instructions:
        raise BankFileError("batch_empty")
    seen: set[str] = set()
    rows = []
    for number, instruction in enumerate(instructions, start=1):
        reason = _instruction_refusal(instruction, seen)
        if reason is not None:
            raise BankFileError(
                "instruction_invalid",
                number=number,
                reference=instruction.reference,
                reason=reason,
            )
        seen.add(instruction.reference)
        rows.append(
            [
                batch_reference,
                number,
                instruction.reference,
                cell_safe(instruction.bank_name),
                instruction.account_number,
                cell_safe(instruction.account_holder),
                instruction.amount,
                CURRENCY,
                cell_safe(" ".join(instruction.purpose.split())),
                execution_date.isoformat(),
            ]
        )
    return OutgoingFile(
        name=f"batch-{batch_reference}.csv",
        content=_csv_bytes(list(BATCH_COLUMNS), rows),
        media_type="text/csv",
    )


def batch_csv_parse(content: bytes) -> BatchFile:
    """A batch CSV read back, as the fake bank (or a test) reads it. All or nothing: a
    bank refuses a batch with a bad line, so this raises BankFileError for one."""

    def refuse(line: int, what: str) -> BankFileError:
        return BankFileError("file_format", format="batch CSV", reason=f"line {line}: {what}")

    references: set[str] = set()
    instructions = []
    batch_reference, execution_date = "", None
    for line, cells, problem in _csv_rows(content, columns=BATCH_COLUMNS, format_name="CSV"):
        if problem is not None or cells is None:
            raise refuse(line, "wrong number of columns")
        reference = _cell_in(cells["reference"])
        amount = _csv_amount(cells["amount"], signed=False)
        day = _csv_date(cells["execution_date"])
        if not isinstance(amount, int) or amount <= 0:
            raise refuse(line, "amount")
        if not isinstance(day, datetime.date):
            raise refuse(line, "execution_date")
        if cells["currency"].strip() != CURRENCY:
            raise refuse(line, "currency")
        if not reference or reference in references:
            raise refuse(line, "reference missing or repeated")
        this_batch = _cell_in(cells["batch_reference"])
        if batch_reference and (this_batch, day) != (batch_reference, execution_date):
            raise refuse(line, "one batch reference and execution date per file")
        batch_reference, execution_date = this_batch, day
        references.add(reference)
        instructions.append(
            PaymentInstruction(
                reference=reference,
                account_number=cells["account_number"].strip(),
                account_holder=_cell_in(cells["account_holder"]),
                bank_name=_cell_in(cells["bank_name"]),
                amount=amount,
                purpose=_cell_in(cells["purpose"]),
            )
        )
    if not instructions or execution_date is None:
        raise BankFileError("batch_empty")
    return BatchFile(batch_reference, execution_date, tuple(instructions))


# --- confirmations ----------------------------------------------------------------------

CONFIRMATION_COLUMNS = ("reference", "status", "bank_reference", "value_date", "amount", "reason")


def confirmations_csv_write(confirmations: list[Confirmation]) -> bytes:
    """What the bank says of each instruction (the fake bank's answer, tests)."""
    return _csv_bytes(
        list(CONFIRMATION_COLUMNS),
        [
            [
                cell_safe(c.reference),
                c.status,
                cell_safe(c.bank_reference),
                c.value_date.isoformat() if c.value_date else "",
                "" if c.amount is None else c.amount,
                cell_safe(c.reason),
            ]
            for c in confirmations
        ],
    )


def confirmations_csv_parse(content: bytes) -> ParsedFile:
    """Confirmations, one per line; a bad line is a problem and the others still count.
    A failed transfer may leave value date and amount empty; the others need both."""
    confirmations, problems = [], []
    rows = _csv_rows(content, columns=CONFIRMATION_COLUMNS, format_name="CSV")
    for line, cells, problem in rows:
        if problem is not None or cells is None:
            problems.append(problem)
            continue
        raw = CSV_DELIMITER.join(cells[name] for name in CONFIRMATION_COLUMNS)
        found: list[LineProblem] = []
        reference = _cell_in(cells["reference"])
        if not reference:
            found.append(LineProblem(line, "reference_missing", {}, raw))
        status = cells["status"].strip().lower()
        if status not in CONFIRMATION_STATES:
            found.append(_line_problem(line, "status_unknown", cells["status"].strip(), raw))
        day = _csv_date(cells["value_date"])
        amount = _csv_amount(cells["amount"], signed=False)
        optional = status == "failed"
        if isinstance(day, str):
            if not (optional and day == "date_missing"):
                found.append(_line_problem(line, day, cells["value_date"].strip(), raw))
            day = None
        if isinstance(amount, str):
            if not (optional and amount == "amount_missing"):
                found.append(_line_problem(line, amount, cells["amount"].strip(), raw))
            amount = None
        if found:
            problems.extend(found)
            continue
        confirmations.append(
            Confirmation(
                line=line,
                reference=reference,
                status=status,
                bank_reference=_cell_in(cells["bank_reference"]),
                value_date=day,
                amount=amount,
                reason=_cell_in(cells["reason"]),
            )
        )
    return ParsedFile(confirmations=tuple(confirmations), problems=tuple(problems))


# --- statements in CSV ------------------------------------------------------------------

STATEMENT_COLUMNS = (
    "account_number",
    "statement",
    "record",
    "date",
    "amount",
    "kind",
    "reference",
    "bank_reference",
    "text",
)
STATEMENT_OPTIONAL_COLUMNS = ("reversal",)
_RECORDS = ("opening", "line", "closing")


def statement_csv_write(statements: list[Statement]) -> bytes:
    """Statements in the CSV layout: per statement an opening row, its lines, a
    closing row (the fake bank's `?format=csv`, tests)."""
    rows: list[list[Any]] = []
    for s in statements:
        rows.append(
            [
                s.account_number,
                s.number,
                "opening",
                s.opening_date.isoformat(),
                s.opening_balance,
                "",
                "",
                "",
                "",
                "",
            ]
        )
        for line in s.lines:
            rows.append(
                [
                    s.account_number,
                    s.number,
                    "line",
                    line.value_date.isoformat(),
                    line.amount,
                    cell_safe(line.kind),
                    cell_safe(line.reference),
                    cell_safe(line.bank_reference),
                    cell_safe(line.text),
                    "yes" if line.reversal else "",
                ]
            )
        rows.append(
            [
                s.account_number,
                s.number,
                "closing",
                s.closing_date.isoformat(),
                s.closing_balance,
                "",
                "",
                "",
                "",
                "",
            ]
        )
    return _csv_bytes([*STATEMENT_COLUMNS, *STATEMENT_OPTIONAL_COLUMNS], rows)


def _csv_dated_amount(
    line: int, cells: dict[str, str], raw: str, draft: StatementDraft
) -> tuple[datetime.date, int] | None:
    day = _csv_date(cells["date"])
    amount = _csv_amount(cells["amount"], signed=True)
    if isinstance(day, str):
        draft.problems.append(_line_problem(line, day, cells["date"].strip(), raw))
    if isinstance(amount, str):
        draft.problems.append(_line_problem(line, amount, cells["amount"].strip(), raw))
    if isinstance(day, str) or isinstance(amount, str):
        return None
    return day, amount


def statement_csv_parse(content: bytes) -> ParsedFile:
    """Statements in the CSV layout (docs/subsystems/bank.md): each an opening row, its
    line rows and a closing row, with the same checks as MT940."""
    problems: list[LineProblem] = []
    statements: list[Statement] = []
    draft: StatementDraft | None = None

    def finish(current: StatementDraft) -> None:
        statement = statement_finish(current, problems)
        if statement is not None:
            statements.append(statement)

    rows = _csv_rows(content, columns=STATEMENT_COLUMNS, format_name="CSV")
    for line, cells, problem in rows:
        if problem is not None or cells is None:
            (draft.problems if draft else problems).append(problem)
            continue
        raw = CSV_DELIMITER.join(cells[name] for name in STATEMENT_COLUMNS)
        record = cells["record"].strip().lower()
        account = re.sub(r"\D", "", cells["account_number"])
        number = cells["statement"].strip()
        if record not in _RECORDS:
            problem = _line_problem(line, "record_unknown", cells["record"].strip(), raw)
            (draft.problems if draft else problems).append(problem)
            continue
        if record == "opening":
            if draft is not None:
                draft.problems.append(LineProblem(draft.first_line, "statement_unfinished"))
                finish(draft)
            draft = StatementDraft(
                first_line=line, last_line=line, account_number=account, number=number
            )
            if not account:
                draft.problems.append(
                    LineProblem(line, "account_missing", {"value": cells["account_number"]}, raw)
                )
            draft.opening = _csv_dated_amount(line, cells, raw, draft)
            continue
        if draft is None:
            problems.append(LineProblem(line, "record_outside_statement", {"record": record}, raw))
            continue
        draft.last_line = line
        if (account, number) != (draft.account_number, draft.number):
            draft.problems.append(
                LineProblem(
                    line,
                    "record_account_changed",
                    {
                        "value": f"{account} {number}",
                        "account": f"{draft.account_number} {draft.number}",
                    },
                    raw,
                )
            )
        dated = _csv_dated_amount(line, cells, raw, draft)
        if record == "closing":
            draft.closing, draft.closing_line = dated, line
            finish(draft)
            draft = None
        elif dated is not None:
            draft.lines.append(
                StatementLine(
                    line=line,
                    value_date=dated[0],
                    amount=dated[1],
                    kind=_cell_in(cells["kind"]),
                    reference=_cell_in(cells["reference"]),
                    bank_reference=_cell_in(cells["bank_reference"]),
                    text=_cell_in(cells["text"]),
                    reversal=cells.get("reversal", "").strip().lower() in ("yes", "y", "1", "true"),
                )
            )
    if draft is not None:
        draft.problems.append(LineProblem(draft.first_line, "statement_unfinished"))
        finish(draft)
    if not statements and not problems:
        problems.append(LineProblem(1, "no_statement"))
    return ParsedFile(statements=tuple(statements), problems=by_line(problems))

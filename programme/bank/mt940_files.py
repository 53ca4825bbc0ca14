"""Statements in MT940, read with mt-940 (`parse_statements`, every fix of
`mt940.Options` on) behind checks of our own that give each problem its line, and
written with mt940-writer for the fake bank and tests. The pitfalls handled are
listed in docs/decisions/0005-bank-files-csv-and-mt940.md."""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass

import mt940
import mt940_writer

from programme.bank.base import (
    LineProblem,
    ParsedFile,
    Statement,
    StatementLine,
)
from programme.bank.reading import (
    CURRENCY,
    REFERENCE_RE,
    StatementDraft,
    by_line,
    file_text,
    statement_finish,
)

# --- statements in MT940 ----------------------------------------------------------------

# Every fix of mt-940 5.x switched on: RC signed as the debit it is, :86: never cut.
MT940_OPTIONS = mt940.Options.all()
TAG_LINE = re.compile(r"^:(?P<tag>\d{2}[A-Z]?|NS):(?P<value>.*)$")
_CONTINUED = {"61": 1, "86": 100, "NS": 100}  # tags whose value may run on more lines
_BALANCE_RE = re.compile(
    r"^(?P<mark>[DC])(?P<date>\d{6})(?P<currency>[A-Z]{3})(?P<amount>\d+(,\d*)?)$"
)
_LINE_RE = re.compile(
    r"^(?P<date>\d{6})(?P<entry>\d{4})?(?P<mark>R?[DC])(?P<funds>[A-Z])?(?P<amount>\d+(,\d*)?)"
)
_OPENING = ("60F", "60M", "60")
_CLOSING = ("62F", "62M", "62")
_OTHER_BALANCES = ("64", "65")


@dataclass
class _Tag:
    line: int
    tag: str
    lines: list[str]  # the value's first line, then its continuation lines

    @property
    def value(self) -> str:
        return "\n".join(self.lines)

    @property
    def raw(self) -> str:
        return f":{self.tag}:" + self.value


def _known_tag(tag: str) -> bool:
    known = mt940.tags.TAG_BY_ID
    return tag in known or (tag[:2].isdigit() and int(tag[:2]) in known) or tag == "NS"


def _mt940_tags(text: str, problems: list[LineProblem]) -> list[_Tag]:
    """The fields of the file with their line numbers, without the SWIFT envelope
    ({1:..}{2:..}{4: and -}), each continuation line joined to its field."""
    tags: list[_Tag] = []
    current: _Tag | None = None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(lines, start=1):
        line = line.rstrip()
        if line.startswith("{"):
            current = None
            if "{4:" not in line:
                continue
            line = line.split("{4:", 1)[1]
        if not line.strip():
            continue
        if line.strip() in ("-", "-}") or line.startswith(("-}", "{5:")):
            current = None
            continue
        match = TAG_LINE.match(line)
        if match:
            current = _Tag(number, match["tag"], [match["value"]])
            tags.append(current)
        elif current is not None and len(current.lines) <= _CONTINUED.get(current.tag, 0):
            current.lines.append(line)
        else:
            problems.append(LineProblem(number, "line_unreadable", {}, line))
    return tags


def _date(yymmdd: str) -> datetime.date | None:
    try:
        return datetime.date(2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6]))
    except ValueError:
        return None


def _mt940_amount(tag: _Tag, amount: str, draft: StatementDraft) -> int | None:
    whole, _comma, fraction = amount.partition(",")
    if fraction.strip("0"):
        draft.problems.append(LineProblem(tag.line, "amount_fraction", {"value": amount}, tag.raw))
        return None
    return int(whole)


def _mt940_balance(tag: _Tag, draft: StatementDraft) -> tuple[datetime.date, int] | None:
    match = _BALANCE_RE.match(tag.value.strip())
    if not match:
        draft.problems.append(
            LineProblem(
                tag.line, "tag_unreadable", {"tag": f":{tag.tag}:", "value": tag.value}, tag.raw
            )
        )
        return None
    if match["currency"] != CURRENCY:
        draft.problems.append(
            LineProblem(tag.line, "currency_not_idr", {"currency": match["currency"]}, tag.raw)
        )
        return None
    day = _date(match["date"])
    if day is None:
        draft.problems.append(
            LineProblem(
                tag.line, "date_invalid", {"value": match["date"], "format": "YYMMDD"}, tag.raw
            )
        )
        return None
    amount = _mt940_amount(tag, match["amount"], draft)
    if amount is None:
        return None
    return day, -amount if match["mark"] == "D" else amount


def _mt940_line_check(tag: _Tag, draft: StatementDraft) -> None:
    """What mt-940 would let through: impossible dates (it moves 30 Feb to 28 Feb) and
    fractions of a rupiah."""
    match = _LINE_RE.match(tag.lines[0].strip())
    if not match:
        draft.problems.append(
            LineProblem(tag.line, "tag_unreadable", {"tag": ":61:", "value": tag.value}, tag.raw)
        )
        return
    if _date(match["date"]) is None:
        draft.problems.append(
            LineProblem(
                tag.line, "date_invalid", {"value": match["date"], "format": "YYMMDD"}, tag.raw
            )
        )
    elif match["entry"] and _date("00" + match["entry"]) is None:
        draft.problems.append(
            LineProblem(
                tag.line, "date_invalid", {"value": match["entry"], "format": "MMDD"}, tag.raw
            )
        )
    else:
        _mt940_amount(tag, match["amount"], draft)


def _mt940_check(block: list[_Tag], draft: StatementDraft) -> list[_Tag]:
    """Checks the statement's fields in order; returns the fields mt-940 should read."""
    seen: set[str] = set()
    for_library: list[_Tag] = []
    after = ""  # the last of :60:, :61:, :62: seen, for the order
    for tag in block:
        kind = tag.tag
        label = f":{kind}:"
        if not _known_tag(kind):
            draft.problems.append(LineProblem(tag.line, "tag_unknown", {"tag": label}, tag.raw))
            continue
        group = "60" if kind in _OPENING else "62" if kind in _CLOSING else kind
        if group in {"20", "25", "28C", "60", "62"} and group in seen:
            draft.problems.append(LineProblem(tag.line, "tag_repeated", {"tag": label}, tag.raw))
            continue
        seen.add(group)
        if kind == "86" and for_library and for_library[-1].tag != "61":
            continue  # about the statement, not a line: mt-940 would glue it to the last line
        if (
            (group == "61" and after != "60" and after != "61")
            or (group in {"25", "28C", "60"} and after)
            or (group == "62" and after not in {"60", "61"})
        ):
            draft.problems.append(LineProblem(tag.line, "tag_order", {"tag": label}, tag.raw))
        if group in {"60", "61", "62"}:
            after = group
        for_library.append(tag)
        if kind == "25":
            draft.account_number = re.sub(r"\D", "", tag.value)
            if not draft.account_number:
                draft.problems.append(
                    LineProblem(tag.line, "account_missing", {"value": tag.value}, tag.raw)
                )
        elif kind == "28C":
            draft.number = tag.value.strip()
            if not re.match(r"^\d{1,5}(/\d{1,5})?$", draft.number):
                draft.problems.append(
                    LineProblem(
                        tag.line, "tag_unreadable", {"tag": label, "value": tag.value}, tag.raw
                    )
                )
        elif kind == "20":
            draft.reference = tag.value.strip()
        elif group == "60":
            draft.opening = _mt940_balance(tag, draft)
        elif group == "62":
            draft.closing = _mt940_balance(tag, draft)
            draft.closing_line = tag.line
        elif kind in _OTHER_BALANCES:
            _mt940_balance(tag, draft)
        elif kind == "61":
            _mt940_line_check(tag, draft)
    for group, label in (("25", ":25:"), ("28C", ":28C:"), ("60", ":60F:"), ("62", ":62F:")):
        if group not in seen:
            draft.problems.append(LineProblem(draft.first_line, "tag_missing", {"tag": label}))
    return for_library


def _mt940_locate(error: Exception, tags: list[_Tag]) -> _Tag | None:
    """The field mt-940 choked on: its RuntimeError carries the tag and the value."""
    if len(error.args) >= 3 and isinstance(error.args[2], str):
        tag_id, value = getattr(error.args[1], "id", None), error.args[2].strip()
        for tag in tags:
            if tag.value.strip() == value and str(tag_id) in (tag.tag, tag.tag[:2]):
                return tag
    return None


def _mt940_read(tags: list[_Tag], draft: StatementDraft) -> None:
    """The statement's lines as mt-940 reads them (one statement per call, so a broken
    statement does not take the file's others with it)."""
    statement_lines = [tag for tag in tags if tag.tag == "61"]
    try:
        # A file handle, never the text itself: mt-940 reads a str that names an
        # existing file as that file's path.
        parsed = mt940.parse_statements(
            io.StringIO("\n".join(tag.raw for tag in tags)), options=MT940_OPTIONS
        )
        if len(parsed) != 1 or len(parsed[0].transactions) != len(statement_lines):
            raise ValueError("statement lines do not match")
        transactions = parsed[0].transactions
    except Exception as error:  # a third-party parser on a bank's file: report, never raise
        tag = _mt940_locate(error, tags) or tags[0]
        draft.problems.append(
            LineProblem(
                tag.line, "tag_unreadable", {"tag": f":{tag.tag}:", "value": tag.value}, tag.raw
            )
        )
        return
    details = {}
    for before, tag in zip(tags, tags[1:], strict=False):
        if tag.tag == "86" and before.tag == "61":
            details[before.line] = "".join(tag.lines).strip()
    for tag, transaction in zip(statement_lines, transactions, strict=True):
        data = transaction.data
        day = data["date"]
        reference = (data.get("customer_reference") or "").strip()
        draft.lines.append(
            StatementLine(
                line=tag.line,
                value_date=datetime.date(day.year, day.month, day.day),
                amount=int(data["amount"].amount),
                kind=(data.get("id") or "").strip(),
                reference="" if reference.upper() == "NONREF" else reference,
                bank_reference=(data.get("bank_reference") or "").strip(),
                text=details.get(tag.line, ""),
                reversal=str(data.get("status") or "").upper().startswith("R"),
            )
        )


def statement_mt940_parse(content: bytes) -> ParsedFile:
    """Every statement of an MT940 file (one per :20:), each with its own balances,
    checked: account digits, IDR, whole rupiah, real dates, fields in order, and
    opening + lines = closing. A statement with a problem is left out whole."""
    text = file_text(content)
    loose: list[LineProblem] = []
    tags = _mt940_tags(text, loose)
    blocks: list[list[_Tag]] = []
    problems: list[LineProblem] = []
    for tag in tags:
        if tag.tag == "20":
            blocks.append([tag])
        elif blocks:
            blocks[-1].append(tag)
        else:
            problems.append(
                LineProblem(tag.line, "tag_outside_statement", {"tag": f":{tag.tag}:"}, tag.raw)
            )
    starts = [block[0].line for block in blocks]
    for problem in loose:  # a stray line inside a statement spoils that statement
        if not starts or problem.line < starts[0]:
            problems.append(problem)
    if not blocks:
        problems.append(LineProblem(1, "no_statement"))
        return ParsedFile(problems=by_line(problems))
    statements = []
    for index, block in enumerate(blocks):
        end = starts[index + 1] if index + 1 < len(starts) else None
        strays = [p for p in loose if p.line >= starts[index] and (end is None or p.line < end)]
        last = max(tag.line + len(tag.lines) - 1 for tag in block)
        draft = StatementDraft(
            first_line=block[0].line,
            last_line=max([last, *(p.line for p in strays)]),
            problems=list(strays),
        )
        for_library = _mt940_check(block, draft)
        if not draft.problems:
            _mt940_read(for_library, draft)
        statement = statement_finish(draft, problems)
        if statement is not None:
            statements.append(statement)
    return ParsedFile(statements=tuple(statements), problems=by_line(problems))


# --- statements out in MT940 (the fake bank, tests) --------------------------------------

KIND_RE = re.compile(r"^[A-Z][A-Z0-9]{3}$")


def _mt940file_text(text: str, width: int = 65) -> str:
    """:86: text as lines of 65 characters that read back as the same text: no line
    starts with ':' (a tag), '-' (end of message) or '{' (a header block), and none
    ends with a space (trailing spaces are not kept)."""
    text = " ".join(text.split())
    chunks = []
    while len(text) > width:
        cut = width
        while cut > 1 and (text[cut - 1] == " " or text[cut] in ":-{"):
            cut -= 1
        chunks.append(text[:cut])
        text = text[cut:]
    chunks.append(text)
    return "\n".join(chunks)


def _mt940_amountfile_text(amount: int) -> str:
    return f"{abs(amount)},00"


class _WrittenLine(mt940_writer.Transaction):
    """A :61: line with our kind code and the reversal marks RD/RC, which
    mt940_writer's Transaction (C/D and a fixed list of types) cannot write."""

    def __init__(self, line: StatementLine) -> None:
        if not KIND_RE.match(line.kind):
            raise ValueError(f"statement line kind must be 4 letters/digits: {line.kind!r}")
        if line.reference and not REFERENCE_RE.match(line.reference):
            raise ValueError(f"customer reference must fit 16x: {line.reference!r}")
        if len(line.bank_reference) > 16 or "/" in line.bank_reference:
            raise ValueError(f"bank reference must fit 16x: {line.bank_reference!r}")
        narrative = line.reference or "NONREF"
        if line.bank_reference:
            narrative += "//" + line.bank_reference
        info = mt940_writer.TransactionAdditionalInfo(_mt940file_text(line.text))
        super().__init__(line.value_date, line.amount, None, narrative, info)
        self.line = line

    def __str__(self) -> str:
        line = self.line
        money_in = line.amount >= 0
        mark = ("RD" if money_in else "RC") if line.reversal else ("C" if money_in else "D")
        day = line.value_date
        return (
            f"{day:%y%m%d}{day:%m%d}{mark}{_mt940_amountfile_text(line.amount)}"
            f"{line.kind}{self.narrative}"
        )


def statement_mt940_write(statements: list[Statement]) -> bytes:
    """Statements as one MT940 file (the fake bank's, and tests'), written so that
    `statement_mt940_parse` reads back the same statements: our reference as the
    :61: customer reference, the bank's after '//', the text in :86:."""
    blocks = []
    for statement in statements:
        if not re.match(r"^\d{1,5}(/\d{1,5})?$", statement.number):
            raise ValueError(f"statement number must be n or n/n: {statement.number!r}")
        reference = statement.reference or f"{statement.account_number[-10:]}-{statement.number}"
        block = mt940_writer.Statement(
            reference[:16].replace("/", "-"),
            statement.account_number,
            statement.number,
            mt940_writer.Balance(statement.opening_balance, statement.opening_date, CURRENCY),
            mt940_writer.Balance(statement.closing_balance, statement.closing_date, CURRENCY),
            [_WrittenLine(line) for line in statement.lines],
        )
        blocks.append(str(block))
    return ("\n".join(blocks) + "\n").encode("ascii", errors="replace")

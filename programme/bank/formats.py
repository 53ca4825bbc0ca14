"""The files a bank and the platform exchange, read and written here and nowhere else.

Out: a batch of transfers as CSV (`batch_csv_write`). In: confirmations as CSV
(`confirmations_csv_parse`), statements as MT940 or CSV (`statement_parse` picks).
The layouts are documented in docs/subsystems/bank.md; why CSV and MT940 in
docs/decisions/0005-bank-files-csv-and-mt940.md.

A parser never raises for a bad line: it returns what it could read and a
`LineProblem` (line number, stable code, parameters) for each line it could not, so
the file and its report can be kept and nothing is lost. It raises `BankFileError`
only for a file it cannot read at all: too large (checked before anything else), not
UTF-8 text, empty, or a CSV without its header. A statement with any bad line, or
whose lines do not add up from its opening to its closing balance, is left out whole:
half a statement would reconcile wrongly.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from programme.bank.base import BankFileError, ParsedFile
from programme.bank.csv_files import (
    batch_csv_parse,
    batch_csv_write,
    confirmations_csv_parse,
    confirmations_csv_write,
    statement_csv_parse,
    statement_csv_write,
)
from programme.bank.mt940_files import TAG_LINE, statement_mt940_parse, statement_mt940_write
from programme.bank.reading import MAX_FILE_BYTES, PROBLEM_MESSAGES, file_text, problem_message

__all__ = [
    "MAX_FILE_BYTES",
    "PROBLEM_MESSAGES",
    "batch_csv_parse",
    "batch_csv_write",
    "confirmations_csv_parse",
    "confirmations_csv_write",
    "problem_message",
    "statement_csv_parse",
    "statement_csv_write",
    "statement_mt940_parse",
    "statement_mt940_write",
    "statement_parse",
]


def statement_parse(name: str, content: bytes) -> ParsedFile:
    """A statement file in either layout, told apart by its content: MT940 begins with a
    tag (`:20:`), perhaps after a SWIFT header block `{1:...}` or blank lines. `name`
    only names the file in a refusal."""
    text = file_text(content)
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if first.startswith("{") or TAG_LINE.match(first):
        return statement_mt940_parse(content)
    try:
        return statement_csv_parse(content)
    except BankFileError as error:
        if error.code != "file_format":
            raise
        raise BankFileError(
            "file_format",
            format="MT940 / CSV",
            reason=_("%(name)s starts neither with :20: nor with the CSV header") % {"name": name},
        ) from None

"""What the platform and a bank exchange, as plain data, whatever the file format or
the connector. Amounts are whole rupiah (int); a statement line is positive for
money in (credit) and negative for money out (debit), as the ledger's bank lines are.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.translation import gettext_lazy as _

from askesos.errors import DomainError


class BankFileError(DomainError):
    """A file from or for a bank that cannot be used as a whole (not one line)."""

    messages = {
        "file_empty": _("The file is empty."),
        "file_too_large": _("The file is larger than %(limit)s."),
        "file_encoding": _("The file is not text in UTF-8 or ASCII."),
        "file_format": _("The file is not %(format)s: %(reason)s"),
        "file_duplicate": _("This file was already imported on %(date)s (%(name)s)."),
        "account_unknown": _("Account %(number)s is not a bank account of %(lpa)s."),
        "connector_unknown": _("Unknown bank connector %(name)s."),
        "bank_unreachable": _("The bank could not be reached: %(reason)s"),
        "bank_refused": _("The bank refused the request: %(reason)s"),
        "batch_empty": _("The batch has no payments."),
        "instruction_invalid": _("Payment %(number)s (%(reference)s) cannot be sent: %(reason)s"),
    }


@dataclass(frozen=True)
class LineProblem:
    """One line of a file that could not be used: where, why (a code and its
    parameters, so it is shown in the reader's language), and what the line said."""

    line: int
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    text: str = ""

    def as_dict(self) -> dict[str, Any]:
        """As a file's report keeps it (JSON): dates as ISO text, anything unusual as text."""
        return {
            "line": self.line,
            "code": self.code,
            "params": {str(k): _plain(v) for k, v in self.params.items()},
            "text": str(self.text or "")[:400],
        }


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


@dataclass(frozen=True)
class PaymentInstruction:
    """One transfer the bank is asked to make."""

    reference: str  # ours, unique for ever: "ASKTRF000123"; comes back on the statement
    account_number: str  # the LPA's account, digits
    account_holder: str
    bank_name: str
    amount: int
    purpose: str  # shown to the receiver (max 140 characters)


@dataclass(frozen=True)
class OutgoingFile:
    name: str
    content: bytes
    media_type: str


@dataclass(frozen=True)
class Confirmation:
    """What the bank says became of one instruction."""

    line: int
    reference: str  # our PaymentInstruction.reference
    status: str  # "confirmed", "failed" or "returned"
    bank_reference: str
    value_date: datetime.date | None
    amount: int | None
    reason: str  # the bank's words for failed / returned


CONFIRMATION_STATES = ("confirmed", "failed", "returned")


@dataclass(frozen=True)
class StatementLine:
    line: int  # where in the file it starts (1-based)
    value_date: datetime.date
    amount: int  # + credit (money in), - debit (money out)
    kind: str  # the bank's transaction type: NTRF, NCHG (charge), NINT (interest), ...
    reference: str  # the customer reference (ours, when we made the payment)
    bank_reference: str
    text: str  # :86: information to the account owner
    # A reversal (MT940 RD/RC): a debit or credit taken back; `amount` is already
    # signed as money in (RD) or out (RC).
    reversal: bool = False


@dataclass(frozen=True)
class Statement:
    account_number: str
    number: str  # :28C: statement/sequence number
    opening_date: datetime.date
    opening_balance: int
    closing_date: datetime.date
    closing_balance: int
    lines: tuple[StatementLine, ...]
    reference: str = ""  # the bank's reference of the statement (MT940 :20:)


@dataclass(frozen=True)
class ParsedFile:
    """What a parser made of a file: the statements (or confirmations) it could read,
    and the problems of the lines it could not. A statement whose lines do not add up
    to its closing balance is a problem and is left out."""

    statements: tuple[Statement, ...] = ()
    confirmations: tuple[Confirmation, ...] = ()
    problems: tuple[LineProblem, ...] = ()


@dataclass(frozen=True)
class BatchFile:
    """An outgoing batch read back from its CSV (what the bank, or the fake, sees)."""

    reference: str
    execution_date: datetime.date
    instructions: tuple[PaymentInstruction, ...]


@dataclass(frozen=True)
class IncomingFile:
    name: str
    content: bytes


class BankConnector(Protocol):
    """A bank as the platform uses it. `programme.bank.connectors.connector()` gives the
    one configured by BANK_CONNECTOR (the fake bank in tests and the demo)."""

    def batch_send(
        self, *, batch_reference: str, instructions: list[PaymentInstruction]
    ) -> OutgoingFile:
        """Hand a batch to the bank; returns the file sent. Sending the same batch
        reference again must not pay twice (the bank, or the fake, dedupes by it)."""
        ...

    def confirmations_fetch(self) -> list[IncomingFile]:
        """Confirmation files the bank has for us and we have not fetched yet (a file
        fetched twice is recognised by its hash and skipped)."""
        ...

    def statements_fetch(
        self, *, account_number: str, since: datetime.date | None
    ) -> list[IncomingFile]:
        """Statement files of one account for days after `since` (all when None)."""
        ...

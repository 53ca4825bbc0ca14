"""MT940 statements for reconciliation tests, written as a bank writes them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Movement:
    day: datetime.date
    amount: int  # + in, - out
    kind: str = "NTRF"
    reference: str = "NONREF"
    bank_reference: str = ""
    text: str = ""


def _balance(tag: str, amount: int, day: datetime.date) -> str:
    side = "C" if amount >= 0 else "D"
    return f":{tag}:{side}{day:%y%m%d}IDR{abs(amount)},00"


def mt940_statement(
    account: str,
    number: str,
    opening_date: datetime.date,
    opening: int,
    lines: list[Movement],
    *,
    closing_date: datetime.date | None = None,
    closing: int | None = None,
    reference: str = "STMT",
) -> bytes:
    """One statement (:20: to the closing balance). The closing balance follows from
    the lines unless `closing` says otherwise (a statement that does not add up)."""
    closing_date = closing_date or max([opening_date, *(m.day for m in lines)])
    closing = opening + sum(m.amount for m in lines) if closing is None else closing
    out = [
        f":20:{reference}",
        f":25:{account}",
        f":28C:{number}",
        _balance("60F", opening, opening_date),
    ]
    for m in lines:
        side = "C" if m.amount >= 0 else "D"
        tail = f"//{m.bank_reference}" if m.bank_reference else ""
        out.append(
            f":61:{m.day:%y%m%d}{m.day:%m%d}{side}{abs(m.amount)},00{m.kind}{m.reference}{tail}"
        )
        if m.text:
            out.append(f":86:{m.text}")
    out.append(_balance("62F", closing, closing_date))
    out.append("-")
    return ("\n".join(out) + "\n").encode()

"""Cells that leave the platform in a spreadsheet or a CSV file.

A spreadsheet program runs a cell that starts with = + - @ (or a tab or carriage
return before one) as a formula: a participant named "=HYPERLINK(...)" would become a
link on the auditor's screen (OWASP's CSV injection). Every text cell the platform
writes into a CSV or XLSX file passes through `cell_safe`, which keeps it text by
putting an apostrophe in front, as spreadsheet programs themselves do.
"""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell_safe(value: Any) -> Any:
    """`value` unchanged unless it is text a spreadsheet would run as a formula;
    numbers, dates and None stay what they are (a negative amount is a number)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value

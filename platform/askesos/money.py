"""Rupiah are integers; this is the one place that formats them."""

from __future__ import annotations


def format_rupiah(amount: int) -> str:
    """Format as Indonesians write it: ``Rp 5.000``, ``-Rp 1.250.000``."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"rupiah amounts are int, got {type(amount).__name__}")
    digits = format_number(abs(amount))
    return f"-Rp {digits}" if amount < 0 else f"Rp {digits}"


def format_number(number: int) -> str:
    """Thousands with a dot, as Indonesians write them: 83762 -> 83.762"""
    return f"{int(number):,}".replace(",", ".")

"""Rupiah are integers; this is the one place that formats them."""

from __future__ import annotations


def format_rupiah(amount: int) -> str:
    """Format as Indonesians write it: ``Rp 5.000``, ``-Rp 1.250.000``."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"rupiah amounts are int, got {type(amount).__name__}")
    digits = f"{abs(amount):,}".replace(",", ".")
    return f"-Rp {digits}" if amount < 0 else f"Rp {digits}"

"""Rupiah are integers. This module formats them, and it is the one rule for every
amount that comes in, whatever door it comes through (an API field, a form, a
service): whole rupiah, above zero (or zero where zero means something: a loan
without a fee, a participant without income), and at most a ceiling.

The ceilings are far above anything the programme moves and far below PostgreSQL's
bigint (9,2 x 10^18), so a typo or a probe (10^30) is refused in words at its field
instead of overflowing the database:
- AMOUNT_CEILING, Rp 10.000.000.000.000 (10 triliun): any one amount of money (a
  receipt, a grant, a loan, a subsidy, a budget line, a transfer). The programme's
  whole yearly budget is well below it.
- INCOME_CEILING, Rp 1.000.000.000 (1 miliar): a participant's monthly income.
The README's API section lists them.

Services call `rupiah_check` (an int only); API serializers use `RupiahField` and
forms `RupiahFormField`, which also read amounts as people write them ("5.000",
"Rp 5.000") through `rupiah_parse`.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from askesos.errors import DomainError

AMOUNT_CEILING = 10_000_000_000_000
INCOME_CEILING = 1_000_000_000
# More figures than any ceiling has: refused before Python turns them into an int
# (100.000 digits would take long and then fail).
_MAX_DIGITS = 19


class MoneyError(DomainError):
    messages = {
        "amount_not_figures": _("Write the amount in figures, e.g. 5.000."),
        "amount_invalid": _("Amounts are whole rupiah above zero; got %(value)s."),
        "amount_negative": _("The amount cannot be below zero; got %(value)s."),
        "amount_not_whole": _("Amounts are whole rupiah, without cents; got %(value)s."),
        "amount_too_large": _("The amount can be at most %(limit)s."),
    }


def format_rupiah(amount: int) -> str:
    """Format as Indonesians write it: ``Rp 5.000``, ``-Rp 1.250.000``."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"rupiah amounts are int, got {type(amount).__name__}")
    digits = format_number(abs(amount))
    return f"-Rp {digits}" if amount < 0 else f"Rp {digits}"


def format_number(number: int) -> str:
    """Thousands with a dot, as Indonesians write them: 83762 -> 83.762"""
    return f"{int(number):,}".replace(",", ".")


def _shown(value: Any) -> str:
    """A refused value as the message repeats it: short, never a megabyte of input."""
    text = str(value)
    return text if len(text) <= 30 else text[:27] + "..."


def rupiah_check(
    amount: Any,
    *,
    field: str = "amount",
    zero_allowed: bool = False,
    ceiling: int = AMOUNT_CEILING,
) -> int:
    """`amount` if it is an int of whole rupiah in range, or MoneyError at `field`."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise MoneyError("amount_invalid", field=field, value=_shown(amount))
    if amount < 0 and zero_allowed:
        raise MoneyError("amount_negative", field=field, value=_shown(format_number(amount)))
    if amount < 0 or (amount == 0 and not zero_allowed):
        raise MoneyError("amount_invalid", field=field, value=_shown(format_number(amount)))
    if amount > ceiling:
        raise MoneyError("amount_too_large", field=field, limit=format_rupiah(ceiling))
    return amount


_RUPIAH = re.compile(r"^(?:rp\.?)?\s*(\d{1,3}(?:\.\d{3})+|\d+)(?:,0{1,2})?$", re.IGNORECASE)


def rupiah_parse(text: str, *, field: str = "amount", ceiling: int = AMOUNT_CEILING) -> int:
    """An amount as people write it: `5000`, `5.000`, `Rp 5.000`, `Rp5.000,00`; words
    ("lima ribu") or anything else get a message asking for figures. The range is
    `rupiah_check`'s (or the service's) to judge; only a number longer than any
    ceiling is refused here."""
    match = _RUPIAH.match((text or "").strip()) if isinstance(text, str) else None
    if match is None:
        raise MoneyError("amount_not_figures", field=field)
    digits = match.group(1).replace(".", "")
    if len(digits.lstrip("0")) > _MAX_DIGITS:
        raise MoneyError("amount_too_large", field=field, limit=format_rupiah(ceiling))
    return int(digits)


def rupiah_input(
    value: Any,
    *,
    field: str = "amount",
    zero_allowed: bool = False,
    ceiling: int = AMOUNT_CEILING,
) -> int:
    """An amount from outside (JSON, a form): a whole number, a JSON number without
    cents (5000.0), or text as people write it; checked by `rupiah_check`."""
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise MoneyError("amount_not_figures", field=field)
        if not value.is_integer():
            raise MoneyError("amount_not_whole", field=field, value=_shown(value))
        if abs(value) > ceiling:  # int(1e300) is fine, but say it at once
            raise MoneyError("amount_too_large", field=field, limit=format_rupiah(ceiling))
        value = int(value)
    elif isinstance(value, str):
        text = value.strip()
        negative = text.startswith("-")
        value = rupiah_parse(text[1:] if negative else text, field=field, ceiling=ceiling)
        value = -value if negative else value
    return rupiah_check(value, field=field, zero_allowed=zero_allowed, ceiling=ceiling)


class RupiahField(serializers.Field):
    """Whole rupiah in an API body: a JSON number, or text as people write it
    ("5.000", "Rp 5.000"); above zero (or zero with `zero_allowed`), at most `ceiling`.
    Refusals carry the rule's own codes (amount_invalid, amount_too_large, ...)."""

    def __init__(
        self, *, zero_allowed: bool = False, ceiling: int = AMOUNT_CEILING, **kwargs: Any
    ) -> None:
        self.zero_allowed = zero_allowed
        self.ceiling = ceiling
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        try:
            return rupiah_input(
                data,
                field=self.field_name or "amount",
                zero_allowed=self.zero_allowed,
                ceiling=self.ceiling,
            )
        except MoneyError as exc:
            raise serializers.ValidationError(exc.message, code=exc.code) from exc

    def to_representation(self, value: Any) -> Any:
        return value


class RupiahFieldSchema(OpenApiSerializerFieldExtension):
    """How drf-spectacular documents a RupiahField: its range, from the field itself."""

    target_class = RupiahField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        return {
            "oneOf": [
                {
                    "type": "integer",
                    "format": "int64",
                    "minimum": 0 if field.zero_allowed else 1,
                    "maximum": field.ceiling,
                    "example": 5000,
                },
                {"type": "string", "example": "Rp 5.000"},
            ],
            "description": (
                f"Whole rupiah, {'0' if field.zero_allowed else '1'} to {field.ceiling}: "
                '5000, "5.000" or "Rp 5.000".'
            ),
        }


class RupiahFormField(forms.CharField):
    """The same rule in a Django form: text as people write it, checked in range."""

    def __init__(
        self, *, zero_allowed: bool = False, ceiling: int = AMOUNT_CEILING, **kwargs: Any
    ) -> None:
        self.zero_allowed = zero_allowed
        self.ceiling = ceiling
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return rupiah_input(text, zero_allowed=self.zero_allowed, ceiling=self.ceiling)
        except MoneyError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc

    def prepare_value(self, value: Any) -> Any:
        return value

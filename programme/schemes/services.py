"""Publishing scheme versions from the shipped JSON files (or a ministry's new one)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction
from django_tenants.utils import get_public_schema_name, schema_context

from programme.schemes.models import SchemeVersion
from programme.schemes.rules import SchemeError, rules_validate

DATA_DIR = Path(__file__).resolve().parent / "data"
_META = ("code", "version", "name", "source", "is_default")
# Assumptions beside the rules, not part of them (publishing them does not make a new
# version): expected monthly claims per 1.000 active policies, by benefit, which the
# reserve adequacy check uses while an LPA has less than a year of its own history.
_ASSUMPTIONS = ("expected_monthly_claims_per_1000",)


def scheme_version_publish(*, document: dict[str, Any]) -> SchemeVersion:
    """Store a version; publishing the same document again is a no-op, publishing
    other rules under an existing code and version is refused."""
    rules = {k: v for k, v in document.items() if k not in _META + _ASSUMPTIONS}
    rules_validate(rules)
    _assumptions_validate(document, rules)
    with schema_context(get_public_schema_name()), transaction.atomic():
        existing = SchemeVersion.objects.filter(
            code=document["code"], version=document["version"]
        ).first()
        if existing is not None:
            if existing.rules != rules:
                raise SchemeError(
                    "version_changed", code=document["code"], version=document["version"]
                )
            return existing
        if document.get("is_default"):
            SchemeVersion.objects.filter(is_default=True).update(is_default=False)
        return SchemeVersion.objects.create(
            code=document["code"],
            version=document["version"],
            name=document["name"],
            source=document.get("source", ""),
            is_default=bool(document.get("is_default")),
            rules=rules,
        )


def _assumptions_validate(document: dict[str, Any], rules: dict[str, Any]) -> None:
    for benefit, rate in (document.get("expected_monthly_claims_per_1000") or {}).items():
        if benefit not in rules["benefits"]:
            raise SchemeError("rules_invalid", reason=f"claim rate for unknown benefit {benefit}")
        if isinstance(rate, bool) or not isinstance(rate, int | float) or rate < 0:
            raise SchemeError("rules_invalid", reason=f"claim rate of {benefit} must be >= 0")


def schemes_load_shipped() -> list[SchemeVersion]:
    return [
        scheme_version_publish(document=json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(DATA_DIR.glob("*.json"))
    ]


def scheme_default() -> SchemeVersion:
    with schema_context(get_public_schema_name()):
        return SchemeVersion.objects.get(is_default=True)


def scheme_latest(*, code: str) -> SchemeVersion:
    """The newest published version of a scheme (what an LPA choosing it gets)."""
    with schema_context(get_public_schema_name()):
        version = SchemeVersion.objects.filter(code=code).order_by("-version").first()
    if version is None:
        raise SchemeError("unknown", field="scheme", code=code)
    return version

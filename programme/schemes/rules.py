"""Reading a scheme version's rules: eligibility and the numbers other modules need.

Every amount comes from the version's data; nothing here knows a rupiah figure.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from askesos.errors import DomainError

MARITAL_STATUSES = ("belum_kawin", "kawin", "cerai_hidup", "cerai_mati")
POVERTY_STATUSES = ("miskin", "rentan_miskin", "tidak_miskin")
DOCUMENTS = (
    "ktp_or_domicile",
    "willingness_statement",
    "accident_certificate",
    "death_certificate",
    "medical_certificate",
)


class SchemeError(DomainError):
    messages = {
        "rules_invalid": _("The scheme data is invalid: %(reason)s"),
        "version_changed": _(
            "Scheme %(code)s version %(version)s is already published with other rules; "
            "publish a new version instead."
        ),
        "unknown": _("Unknown scheme version: %(code)s."),
    }


@dataclass(frozen=True)
class Violation:
    """One unmet eligibility rule; `code` is stable, `message` is for people."""

    code: str
    message: str


@dataclass(frozen=True)
class Applicant:
    birth_date: datetime.date
    marital_status: str
    monthly_income: int
    is_breadwinner: bool
    poverty_status: str
    documents: frozenset[str]


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def eligibility_check(
    rules: dict[str, Any], applicant: Applicant, *, on: datetime.date
) -> list[Violation]:
    """All the rules of `rules["eligibility"]` the applicant does not meet (empty = eligible)."""
    rule = rules["eligibility"]
    found: list[Violation] = []
    age = age_on(applicant.birth_date, on)
    waived = applicant.marital_status in (rule.get("age_min_waived_for_marital_status") or [])
    if age < rule["age_min"] and not waived:
        found.append(
            Violation(
                "age_below_min",
                str(
                    _("Age %(age)s is below the scheme's minimum of %(min)s.")
                    % {"age": age, "min": rule["age_min"]}
                ),
            )
        )
    if age > rule["age_max"]:
        found.append(
            Violation(
                "age_above_max",
                str(
                    _("Age %(age)s is above the scheme's maximum of %(max)s.")
                    % {"age": age, "max": rule["age_max"]}
                ),
            )
        )
    minimum = rule.get("min_monthly_income")
    if minimum is not None and applicant.monthly_income < minimum:
        from askesos.money import format_rupiah

        found.append(
            Violation(
                "income_below_min",
                str(
                    _("Monthly income %(income)s is below the scheme's minimum of %(min)s.")
                    % {
                        "income": format_rupiah(applicant.monthly_income),
                        "min": format_rupiah(minimum),
                    }
                ),
            )
        )
    if rule.get("breadwinner_required") and not applicant.is_breadwinner:
        found.append(
            Violation(
                "not_breadwinner",
                str(_("The scheme covers only the main breadwinner of a family.")),
            )
        )
    statuses = rule.get("poverty_statuses")
    if statuses and applicant.poverty_status not in statuses:
        found.append(
            Violation("poverty_status", str(_("The scheme covers only poor or near-poor workers.")))
        )
    missing = [d for d in rule.get("required_documents") or [] if d not in applicant.documents]
    if missing:
        found.append(
            Violation(
                "documents_missing",
                str(
                    _("Required documents missing: %(documents)s.")
                    % {"documents": ", ".join(str(DOCUMENT_LABELS.get(d, d)) for d in missing)}
                ),
            )
        )
    return found


DOCUMENT_LABELS = {
    "ktp_or_domicile": _("KTP or domicile letter"),
    "willingness_statement": _("statement of willingness to save and attend meetings"),
    "accident_certificate": _("accident certificate"),
    "death_certificate": _("death certificate"),
    "medical_certificate": _("doctor's or hospital letter stating the days of illness"),
}


def coverage_months(rules: dict[str, Any]) -> int:
    return int(rules["premium"]["coverage_months"])


def monthly_premium(rules: dict[str, Any]) -> int:
    return int(rules["premium"]["monthly_amount"])


def grace_months(rules: dict[str, Any]) -> int:
    return int(rules["grace_months"])


_REQUIRED = {
    "eligibility": dict,
    "premium": dict,
    "grace_months": int,
    "benefits": dict,
    "maturity": dict,
    "withdrawal": dict,
    "shared_claim_limits": list,
}
_ELIGIBILITY = {
    "age_min": int,
    "age_max": int,
    "breadwinner_required": bool,
    "required_documents": list,
}


def rules_validate(rules: dict[str, Any]) -> None:
    """Raise SchemeError unless `rules` has the shape the platform reads."""

    def fail(reason: str) -> None:
        raise SchemeError("rules_invalid", reason=reason)

    for key, kind in _REQUIRED.items():
        if not isinstance(rules.get(key), kind):
            fail(f"{key} must be {kind.__name__}")
    for key, kind in _ELIGIBILITY.items():
        if not isinstance(rules["eligibility"].get(key), kind):
            fail(f"eligibility.{key} must be {kind.__name__}")
    if rules["eligibility"]["age_min"] > rules["eligibility"]["age_max"]:
        fail("eligibility.age_min is above age_max")
    for status in rules["eligibility"].get("age_min_waived_for_marital_status") or []:
        if status not in MARITAL_STATUSES:
            fail(f"unknown marital status {status}")
    for document in rules["eligibility"]["required_documents"]:
        if document not in DOCUMENTS:
            fail(f"unknown document {document}")
    premium = rules["premium"]
    for key in ("monthly_amount", "coverage_months"):
        if not isinstance(premium.get(key), int) or premium[key] <= 0:
            fail(f"premium.{key} must be a positive whole number")
    if rules["grace_months"] < 1:
        fail("grace_months must be at least 1")
    for name, benefit in rules["benefits"].items():
        if benefit.get("payout") not in {"lpa", "bpjs_tk_referral"}:
            fail(f"benefits.{name}.payout must be lpa or bpjs_tk_referral")
        for key, value in benefit.items():
            if (
                key.startswith(("amount", "max_amount"))
                and key != "amount_by_policy_year"
                and (not isinstance(value, int) or value < 0)
            ):
                fail(f"benefits.{name}.{key} must be whole rupiah")
        for document in benefit.get("required_documents", []):
            if document not in DOCUMENTS:
                fail(f"benefits.{name}: unknown document {document}")
        if not isinstance(benefit.get("ends_policy", False), bool):
            fail(f"benefits.{name}.ends_policy must be true or false")
        by_year = benefit.get("amount_by_policy_year")
        if by_year is not None and (
            not isinstance(by_year, list) or not all(isinstance(v, int) and v >= 0 for v in by_year)
        ):
            fail(f"benefits.{name}.amount_by_policy_year must be a list of whole rupiah")

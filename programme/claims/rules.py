"""What a scheme version says about a claim: which benefits exist, who pays them, what
they are worth in a given policy year, which documents and limits apply.

Pure functions over the version's rules; every amount comes from the data.
"""

from __future__ import annotations

import datetime
from typing import Any

from dateutil.relativedelta import relativedelta

LPA = "lpa"
REFERRAL = "bpjs_tk_referral"
# Every claim, whatever its type, comes with the signed claim form.
ALWAYS_REQUIRED = ("claim_form",)


def benefits(rules: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return rules["benefits"]


def benefit_of(rules: dict[str, Any], benefit: str) -> dict[str, Any] | None:
    return rules["benefits"].get(benefit)


def is_referral(rules: dict[str, Any], benefit: str) -> bool:
    return rules["benefits"][benefit]["payout"] == REFERRAL


def ends_policy(rules: dict[str, Any], benefit: str) -> bool:
    """Death benefits: the policy ends, an heir receives the money."""
    return bool(rules["benefits"][benefit].get("ends_policy"))


def policy_year(start: datetime.date, event: datetime.date) -> int:
    """1 in the policy's first twelve months, 2 in the next twelve, and so on."""
    return relativedelta(event, start).years + 1


def benefit_amount(rules: dict[str, Any], benefit: str, year: int) -> int:
    """What the LPA pays for `benefit` in policy year `year` (0 for a referral: the
    social-security institution pays, not the LPA)."""
    spec = rules["benefits"][benefit]
    if spec["payout"] != LPA:
        return 0
    by_year = spec.get("amount_by_policy_year")
    if by_year:
        return int(by_year[min(max(year, 1), len(by_year)) - 1])
    return int(spec["amount"])


def stated_amount(rules: dict[str, Any], benefit: str) -> int | None:
    """The amount a referral benefit names (a fixed sum or a ceiling), for the letter."""
    spec = rules["benefits"][benefit]
    value = spec.get("amount", spec.get("max_amount"))
    return int(value) if value is not None else None


def required_documents(rules: dict[str, Any], benefit: str) -> tuple[str, ...]:
    return ALWAYS_REQUIRED + tuple(rules["benefits"][benefit].get("required_documents", ()))


def sickness_threshold(rules: dict[str, Any], benefit: str) -> tuple[int | None, int | None]:
    """(minimum consecutive days ill, minimum days in hospital); None where the scheme
    sets no such route. Only sickness benefits have them."""
    spec = rules["benefits"][benefit]
    return spec.get("min_consecutive_sick_days"), spec.get("min_hospital_days")


def sickness_qualifies(
    rules: dict[str, Any], benefit: str, *, sick_days: int | None, hospital_days: int | None
) -> bool:
    min_sick, min_hospital = sickness_threshold(rules, benefit)
    if min_sick is None and min_hospital is None:
        return True
    if min_sick is not None and (sick_days or 0) >= min_sick:
        return True
    return min_hospital is not None and (hospital_days or 0) >= min_hospital


def yearly_limit(rules: dict[str, Any], benefit: str) -> int | None:
    return rules["benefits"][benefit].get("limit_per_policy_year")


def shared_limits(rules: dict[str, Any], benefit: str) -> list[dict[str, Any]]:
    """The scheme's limits over several benefits together (pola lama: at most 3 claims
    for sickness and accident in all) that include `benefit`."""
    return [limit for limit in rules.get("shared_claim_limits", []) if benefit in limit["types"]]

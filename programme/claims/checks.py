"""Verification: every condition of the scheme, computed for a claim, with its reason.

The same checks run at submission (the hard ones refuse the claim outright: an unknown
or inactive policy, an event outside the coverage, a duplicate, an exhausted limit) and
again when Urusan Klaim verifies (then all of them must pass, the premium proof and the
documents included).
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Q, Sum
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from programme.claims import rules
from programme.claims.errors import ClaimError
from programme.claims.labels import BENEFIT_LABELS
from programme.claims.models import Claim, ClaimStatus, DocumentKind
from programme.ledger.models import PremiumReceipt, ReceiptStatus
from programme.ledger.premiums import arrears_months
from programme.participants.models import Policy, PolicyEvent, PolicyStatus


@dataclass(frozen=True)
class Check:
    code: str
    passed: bool
    message: str
    # A failed hard check refuses the submission; a soft one only stops verification.
    hard: bool = True
    error: ClaimError | None = field(default=None, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "error"}


@dataclass(frozen=True)
class Candidate:
    """What a claim says, before or after it is stored."""

    policy: Policy
    benefit: str
    event_date: datetime.date
    sick_days: int | None = None
    hospital_days: int | None = None
    heir_id: int | None = None
    documents: frozenset[str] = frozenset()
    claim_pk: int | None = None  # the claim itself, not counted against its own limits


def day_label(day: datetime.date) -> str:
    return date_format(day, "j F Y")


def benefit_label(benefit: str) -> str:
    return str(BENEFIT_LABELS.get(benefit, benefit))


def policy_status_on(policy: Policy, day: datetime.date, *, ignore_death: bool = False) -> str:
    """The policy's status on `day`, from its history. A death claim looks past the
    policy's own death (recorded on the same day or after it)."""
    events = PolicyEvent.objects.filter(policy=policy, effective_date__lte=day)
    if ignore_death:
        events = events.exclude(to_status=PolicyStatus.DECEASED)
    last = events.order_by("-effective_date", "-at", "-pk").first()
    return last.to_status if last else PolicyStatus.REGISTERED


def premium_proof(policy: Policy, day: datetime.date) -> tuple[int, list[str]]:
    """(months unpaid on `day`, the receipts that paid before it): premiums paid after
    the event do not count."""
    receipts = PremiumReceipt.objects.filter(policy=policy, received_on__lte=day).exclude(
        status=ReceiptStatus.REVERSED
    )
    paid = receipts.aggregate(m=Sum("months"))["m"] or 0
    unpaid = arrears_months(
        start=policy.start_date, rules=policy.scheme_version.rules, paid=paid, on=day
    )
    return unpaid, list(receipts.order_by("first_month").values_list("number", flat=True))


def _others(candidate: Candidate):
    others = Claim.objects.filter(policy=candidate.policy).exclude(status=ClaimStatus.REJECTED)
    if candidate.claim_pk is not None:
        others = others.exclude(pk=candidate.claim_pk)
    return others


# The form field each refusal is about, for the API's "field" and the page's error.
_FIELDS = {
    "policy_active": "policy",
    "coverage": "event_date",
    "duplicate": "event_date",
    "limit": "benefit",
    "sickness_days": "sick_days",
    "heir": "heir",
    "premiums_paid": "policy",
    "documents": "documents",
}


def _refusal(error: ClaimError, code: str, *, hard: bool = True) -> Check:
    error.field = error.field or _FIELDS.get(code)
    return Check(code, False, error.message, hard, error)


def claim_checks(candidate: Candidate) -> list[Check]:
    """Every condition, passed or not, each with a sentence Urusan Klaim can read out."""
    policy, benefit, day = candidate.policy, candidate.benefit, candidate.event_date
    scheme = policy.scheme_version.rules
    checks: list[Check] = []
    death = rules.ends_policy(scheme, benefit)

    if day < policy.start_date:
        checks.append(
            _refusal(
                ClaimError(
                    "event_before_start",
                    date=day_label(day),
                    policy=policy.number,
                    start=day_label(policy.start_date),
                ),
                "coverage",
            )
        )
    elif day >= policy.end_date:
        checks.append(
            _refusal(
                ClaimError(
                    "event_after_coverage",
                    date=day_label(day),
                    policy=policy.number,
                    end=day_label(policy.end_date),
                ),
                "coverage",
            )
        )
    else:
        checks.append(
            Check(
                "coverage",
                True,
                _("Within the coverage, %(start)s to %(end)s.")
                % {"start": day_label(policy.start_date), "end": day_label(policy.end_date)},
            )
        )

    state = policy_status_on(policy, day, ignore_death=death)
    if state == PolicyStatus.ACTIVE:
        checks.append(
            Check("policy_active", True, _("Policy active on %(date)s.") % {"date": day_label(day)})
        )
    else:
        checks.append(
            _refusal(
                ClaimError(
                    "policy_not_active",
                    policy=policy.number,
                    state=PolicyStatus(state).label.lower(),
                    date=day_label(day),
                ),
                "policy_active",
            )
        )

    others = _others(candidate)
    duplicate = others.filter(benefit=benefit, event_date=day).first()
    if duplicate is not None:
        checks.append(
            _refusal(
                ClaimError(
                    "duplicate",
                    number=duplicate.number,
                    benefit=benefit_label(benefit),
                    date=day_label(day),
                ),
                "duplicate",
            )
        )
    else:
        checks.append(Check("duplicate", True, _("No other claim for this event.")))

    checks.append(_limits_check(candidate, scheme, others))

    if rules.sickness_threshold(scheme, benefit) != (None, None):
        if rules.sickness_qualifies(
            scheme,
            benefit,
            sick_days=candidate.sick_days,
            hospital_days=candidate.hospital_days,
        ):
            checks.append(Check("sickness_days", True, _("Long enough an illness.")))
        else:
            checks.append(
                _refusal(
                    ClaimError(
                        "sickness_too_short",
                        needed=_sickness_needed(scheme, benefit),
                        sick=candidate.sick_days or 0,
                        hospital=candidate.hospital_days or 0,
                    ),
                    "sickness_days",
                )
            )

    if death:
        heir_ok = (
            candidate.heir_id is not None
            and policy.participant.heirs.filter(pk=candidate.heir_id).exists()
        )
        checks.append(
            Check("heir", True, _("Heir named."))
            if heir_ok
            else _refusal(ClaimError("heir_required"), "heir")
        )

    unpaid, receipts = premium_proof(policy, day)
    if unpaid:
        checks.append(
            _refusal(
                ClaimError("premiums_not_paid", date=day_label(day), months=unpaid),
                "premiums_paid",
                hard=False,
            )
        )
    else:
        checks.append(
            Check(
                "premiums_paid",
                True,
                _("Premiums paid up to date (receipts %(receipts)s).")
                % {"receipts": ", ".join(receipts[-3:]) or "-"},
                hard=False,
            )
        )

    missing = [
        str(DocumentKind(kind).label)
        for kind in rules.required_documents(scheme, benefit)
        if kind not in candidate.documents
    ]
    checks.append(
        _refusal(
            ClaimError("documents_missing", documents=", ".join(missing)),
            "documents",
            hard=False,
        )
        if missing
        else Check("documents", True, _("All required documents are attached."), hard=False)
    )
    return checks


def _sickness_needed(scheme: dict[str, Any], benefit: str) -> str:
    min_sick, min_hospital = rules.sickness_threshold(scheme, benefit)
    parts = []
    if min_sick is not None:
        parts.append(_("at least %(days)s consecutive days ill") % {"days": min_sick})
    if min_hospital is not None:
        parts.append(_("at least %(days)s days in hospital") % {"days": min_hospital})
    return _(" or ").join(parts)


def _limits_check(candidate: Candidate, scheme: dict[str, Any], others) -> Check:
    benefit = candidate.benefit
    year = rules.policy_year(candidate.policy.start_date, candidate.event_date)
    limit = rules.yearly_limit(scheme, benefit)
    if limit is not None:
        same_year = list(
            others.filter(benefit=benefit, policy_year=year).values_list("number", flat=True)
        )
        if len(same_year) >= limit:
            return _refusal(
                ClaimError(
                    "limit_per_year",
                    benefit=benefit_label(benefit),
                    limit=limit,
                    year=year,
                    numbers=", ".join(same_year),
                ),
                "limit",
            )
    for shared in rules.shared_limits(scheme, benefit):
        numbers = list(
            others.filter(Q(benefit__in=shared["types"])).values_list("number", flat=True)
        )
        if len(numbers) >= shared["per_policy"]:
            return _refusal(
                ClaimError(
                    "limit_shared",
                    benefits=", ".join(benefit_label(b) for b in shared["types"]),
                    limit=shared["per_policy"],
                    numbers=", ".join(numbers),
                ),
                "limit",
            )
    return Check(
        "limit", True, _("Within the scheme's limits (policy year %(year)s).") % {"year": year}
    )


def failed(checks: list[Check], *, hard_only: bool = False) -> list[Check]:
    return [c for c in checks if not c.passed and (c.hard or not hard_only)]

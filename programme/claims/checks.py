"""Verification: every condition of the scheme, computed for a claim, with its reason.

The same checks run at submission (the hard ones refuse the claim outright: an unknown
or inactive policy, an event outside the coverage, a duplicate, an exhausted limit) and
again when Urusan Klaim verifies (then all of them must pass, the premium proof and the
documents included).

Each check's sentence is kept as a note (askesos.notes): the code of its sentence and
the facts it names (dates, the policy's state, claim numbers), so that a claim verified
in one language reads in the other; `claim_checks_in_words` puts stored checks into
the reader's language.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from askesos.dates import format_date
from askesos.notes import Notes, StoredNote, as_date
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
    note: StoredNote | None = field(default=None, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """As stored with a verified claim (the note included)."""
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
    return format_date(day)


def benefit_label(benefit: str) -> str:
    return str(BENEFIT_LABELS.get(benefit, benefit))


def _state_label(status: Any) -> str:
    return str(PolicyStatus(status).label).lower() if status in PolicyStatus.values else status


def _joined(label: Any):
    return lambda values: ", ".join(str(label(v)) for v in values or ())


def _document_label(kind: str) -> str:
    return DocumentKind(kind).label if kind in DocumentKind.values else kind


# Every sentence a check can say: the refusals are the claim errors themselves.
CHECK_NOTES = Notes(
    {
        **{
            code: ClaimError.messages[code]
            for code in (
                "event_before_start",
                "event_after_coverage",
                "policy_not_active",
                "duplicate",
                "limit_per_year",
                "limit_shared",
                "sickness_too_short",
                "heir_required",
                "premiums_not_paid",
                "documents_missing",
            )
        },
        "coverage_ok": gettext_lazy("Within the coverage, %(start)s to %(end)s."),
        "policy_active_ok": gettext_lazy("Policy active on %(date)s."),
        "duplicate_ok": gettext_lazy("No other claim for this event."),
        "limit_ok": gettext_lazy("Within the scheme's limits (policy year %(year)s)."),
        "sickness_ok": gettext_lazy("Long enough an illness."),
        "heir_ok": gettext_lazy("Heir named."),
        "premiums_ok": gettext_lazy("Premiums paid up to date (receipts %(receipts)s)."),
        "documents_ok": gettext_lazy("All required documents are attached."),
    },
    formats={
        "date": as_date,
        "start": as_date,
        "end": as_date,
        "state": _state_label,
        "benefit": benefit_label,
        "benefits": _joined(benefit_label),
        "documents": _joined(_document_label),
        "numbers": _joined(str),
        "receipts": lambda numbers: ", ".join(numbers or ()) or "-",
        "needed": lambda needed: _sickness_needed(*needed),
    },
)


def claim_checks_in_words(stored: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Checks as a claim's page and API show them: each sentence in the reader's
    language (a check stored before notes keeps the text it was stored with)."""
    return [
        {
            "code": check.get("code"),
            "passed": check.get("passed"),
            "message": CHECK_NOTES.render(check.get("note"), fallback=check.get("message", "")),
            "hard": check.get("hard", True),
        }
        for check in stored
    ]


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


def _refusal(code: str, error_code: str, *, hard: bool = True, **facts: Any) -> Check:
    """A failed check: its ClaimError (in the current language, for a refusal) and
    its note (for the claim's record)."""
    note = CHECK_NOTES(error_code, **facts)
    error = ClaimError(error_code, field=_FIELDS.get(code), **CHECK_NOTES.words(note))
    return Check(code, False, error.message, hard, error, note)


def _passed(code: str, sentence: str, *, hard: bool = True, **facts: Any) -> Check:
    note = CHECK_NOTES(sentence, **facts)
    return Check(code, True, CHECK_NOTES.render(note), hard, note=note)


def claim_checks(candidate: Candidate) -> list[Check]:
    """Every condition, passed or not, each with a sentence Urusan Klaim can read out."""
    policy, benefit, day = candidate.policy, candidate.benefit, candidate.event_date
    scheme = policy.scheme_version.rules
    checks: list[Check] = []
    death = rules.ends_policy(scheme, benefit)

    if day < policy.start_date:
        checks.append(
            _refusal(
                "coverage",
                "event_before_start",
                date=day,
                policy=policy.number,
                start=policy.start_date,
            )
        )
    elif day >= policy.end_date:
        checks.append(
            _refusal(
                "coverage",
                "event_after_coverage",
                date=day,
                policy=policy.number,
                end=policy.end_date,
            )
        )
    else:
        checks.append(
            _passed("coverage", "coverage_ok", start=policy.start_date, end=policy.end_date)
        )

    state = policy_status_on(policy, day, ignore_death=death)
    if state == PolicyStatus.ACTIVE:
        checks.append(_passed("policy_active", "policy_active_ok", date=day))
    else:
        checks.append(
            _refusal(
                "policy_active", "policy_not_active", policy=policy.number, state=state, date=day
            )
        )

    others = _others(candidate)
    duplicate = others.filter(benefit=benefit, event_date=day).first()
    if duplicate is not None:
        checks.append(
            _refusal("duplicate", "duplicate", number=duplicate.number, benefit=benefit, date=day)
        )
    else:
        checks.append(_passed("duplicate", "duplicate_ok"))

    checks.append(_limits_check(candidate, scheme, others))

    if rules.sickness_threshold(scheme, benefit) != (None, None):
        if rules.sickness_qualifies(
            scheme,
            benefit,
            sick_days=candidate.sick_days,
            hospital_days=candidate.hospital_days,
        ):
            checks.append(_passed("sickness_days", "sickness_ok"))
        else:
            checks.append(
                _refusal(
                    "sickness_days",
                    "sickness_too_short",
                    needed=list(rules.sickness_threshold(scheme, benefit)),
                    sick=candidate.sick_days or 0,
                    hospital=candidate.hospital_days or 0,
                )
            )

    if death:
        heir_ok = (
            candidate.heir_id is not None
            and policy.participant.heirs.filter(pk=candidate.heir_id).exists()
        )
        checks.append(_passed("heir", "heir_ok") if heir_ok else _refusal("heir", "heir_required"))

    unpaid, receipts = premium_proof(policy, day)
    if unpaid:
        checks.append(
            _refusal("premiums_paid", "premiums_not_paid", hard=False, date=day, months=unpaid)
        )
    else:
        checks.append(_passed("premiums_paid", "premiums_ok", hard=False, receipts=receipts[-3:]))

    missing = [
        kind
        for kind in rules.required_documents(scheme, benefit)
        if kind not in candidate.documents
    ]
    checks.append(
        _refusal("documents", "documents_missing", hard=False, documents=missing)
        if missing
        else _passed("documents", "documents_ok", hard=False)
    )
    return checks


def _sickness_needed(min_sick: int | None, min_hospital: int | None) -> str:
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
                "limit",
                "limit_per_year",
                benefit=benefit,
                limit=limit,
                year=year,
                numbers=same_year,
            )
    for shared in rules.shared_limits(scheme, benefit):
        numbers = list(
            others.filter(Q(benefit__in=shared["types"])).values_list("number", flat=True)
        )
        if len(numbers) >= shared["per_policy"]:
            return _refusal(
                "limit",
                "limit_shared",
                benefits=list(shared["types"]),
                limit=shared["per_policy"],
                numbers=numbers,
            )
    return _passed("limit", "limit_ok", year=year)


def failed(checks: list[Check], *, hard_only: bool = False) -> list[Check]:
    return [c for c in checks if not c.passed and (c.hard or not hard_only)]

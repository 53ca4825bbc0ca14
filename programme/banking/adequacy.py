"""Is the claim reserve enough? The reserve (1201) against the claims expected in the
next three months.

- With twelve months of history or more (since the LPA's first policy started): the
  claims paid out of the reserve in the last twelve months, / 12 x 3.
- With less: for each scheme version the LPA's active policies are under, for each
  benefit the LPA pays itself, amount (death: the year-1 amount) x active policies x
  the scheme's expected monthly claims per 1.000 policies x 3. The rates are data,
  in each scheme's JSON (`expected_monthly_claims_per_1000`, an assumption kept beside
  the rules, not part of them: programme/schemes/data/*.json).

Below RESERVE_ADEQUACY_PERCENT of the expected claims the district gets a
`reserve_low` finding; once covered it is resolved.
"""

from __future__ import annotations

import datetime
import json
import math
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Count, Min, Sum

from programme.ledger import accounts as acc
from programme.ledger.models import EntryKind, JournalLine
from programme.ledger.services import account_balance
from reporting.findings import finding_raise, finding_resolve
from reporting.models import Finding
from tenants.selectors import lpa_current

HORIZON_MONTHS = 3
HISTORY_MONTHS = 12
SUBJECT = "reserve"
RATES_KEY = "expected_monthly_claims_per_1000"
# A scheme published without rates (a ministry's own JSON): per 1.000 policies a month.
DEFAULT_RATE_PER_1000 = Decimal(10)


@dataclass(frozen=True)
class Adequacy:
    on: datetime.date
    reserve: int
    expected: int  # claims expected in the next three months
    basis: str  # "history" or "scheme_rates"
    percent_required: int

    @property
    def required(self) -> int:
        return math.ceil(self.expected * self.percent_required / 100)

    @property
    def adequate(self) -> bool:
        return self.reserve >= self.required

    @property
    def shortfall(self) -> int:
        return max(self.required - self.reserve, 0)

    @property
    def coverage_percent(self) -> int | None:
        """The reserve as a percentage of the expected claims (None: nothing expected)."""
        return None if not self.expected else self.reserve * 100 // self.expected


@cache
def _shipped_rates() -> dict[str, dict[str, Decimal]]:
    from programme.schemes.services import DATA_DIR

    rates = {}
    for path in sorted(DATA_DIR.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        rates[document["code"]] = {
            benefit: Decimal(str(rate)) for benefit, rate in (document.get(RATES_KEY) or {}).items()
        }
    return rates


def scheme_claim_rates(*, code: str) -> dict[str, Decimal]:
    """Expected monthly claims per 1.000 active policies, by benefit, for a scheme."""
    return dict(_shipped_rates().get(code, {}))


def paid_claims(*, since: datetime.date, until: datetime.date) -> int:
    """Claims paid out of the reserve in (since, until]."""
    total = JournalLine.objects.filter(
        account__code=acc.BANK_RESERVE,
        entry__kind=EntryKind.CLAIM,
        entry__date__gt=since,
        entry__date__lte=until,
    ).aggregate(t=Sum("amount"))["t"]
    return -(total or 0)


def _benefit_amount(benefit: dict[str, Any]) -> int:
    if isinstance(benefit.get("amount"), int):
        return benefit["amount"]
    by_year = benefit.get("amount_by_policy_year") or [0]
    return int(by_year[0])


def expected_from_rates() -> int:
    from programme.participants.models import Policy, PolicyStatus

    groups = (
        Policy.objects.filter(status=PolicyStatus.ACTIVE)
        .values("scheme_version_id")
        .annotate(n=Count("pk"))
    )
    from programme.schemes.models import SchemeVersion

    expected = Decimal(0)
    for group in groups:
        scheme = SchemeVersion.objects.get(pk=group["scheme_version_id"])
        rates = scheme_claim_rates(code=scheme.code)
        for name, benefit in scheme.rules["benefits"].items():
            if benefit.get("payout") != "lpa":
                continue
            rate = rates.get(name, DEFAULT_RATE_PER_1000)
            expected += _benefit_amount(benefit) * group["n"] * rate / 1000 * HORIZON_MONTHS
    return math.ceil(expected)


def reserve_adequacy(*, on: datetime.date) -> Adequacy:
    from programme.participants.models import Policy

    first = Policy.objects.aggregate(first=Min("start_date"))["first"]
    since = on - relativedelta(months=HISTORY_MONTHS)
    if first is not None and first <= since:
        expected = math.ceil(paid_claims(since=since, until=on) * HORIZON_MONTHS / HISTORY_MONTHS)
        basis = "history"
    else:
        expected, basis = expected_from_rates(), "scheme_rates"
    return Adequacy(
        on=on,
        reserve=account_balance(acc.BANK_RESERVE, until=on),
        expected=expected,
        basis=basis,
        percent_required=settings.RESERVE_ADEQUACY_PERCENT,
    )


def reserve_adequacy_check(*, on: datetime.date) -> Adequacy:
    """Raise or resolve the district's `reserve_low` finding; safe to run twice."""
    adequacy = reserve_adequacy(on=on)
    lpa = lpa_current()
    if adequacy.adequate:
        finding_resolve(lpa=lpa, kind=Finding.Kind.RESERVE_LOW, subject=SUBJECT)
    else:
        finding_raise(
            lpa=lpa,
            kind=Finding.Kind.RESERVE_LOW,
            subject=SUBJECT,
            # No personal data: how the estimate was made and how much it covers.
            summary=f"{adequacy.basis} {adequacy.coverage_percent}%",
            amount=adequacy.shortfall,
        )
    return adequacy

"""Building blocks for report tests: LPAs with a history over several months, and the
people of each tier."""

from __future__ import annotations

import datetime
import random

from django.db import connection

from programme.ledger.funds import grant_receive, subsidy_receive
from programme.ledger.premiums import premium_receipt_record
from programme.participants.lifecycle import policy_transition
from programme.participants.models import OPEN_STATUSES, Policy, PolicyStatus
from reporting.periods import Period, PeriodType

# The generated history runs from this day (participants registered then) through
# the three months of Q3 2026.
HISTORY_START = datetime.date(2026, 6, 1)
Q3 = Period(PeriodType.QUARTER, datetime.date(2026, 7, 1))
MONTHS = [Period(PeriodType.MONTH, datetime.date(2026, m, 1)) for m in (7, 8, 9)]


def history_make(lpa, *, seed: int) -> None:
    """Inside `lpa`'s schema: premiums paid month by month by most participants (some
    ahead, some late, one receipt reversed), withdrawals and deaths in different
    months, a subsidy, a grant. Deterministic by seed."""
    connection.set_tenant(lpa)
    rng = random.Random(f"history:{seed}:{lpa.slug}")
    policies = list(Policy.objects.filter(status__in=OPEN_STATUSES).order_by("pk"))
    serial = 0
    for policy in policies:
        paid_until = rng.choice((0, 2, 3, 4, 4, 5))  # months paid, one receipt per month
        for month in range(paid_until):
            serial += 1
            day = HISTORY_START.replace(month=6 + month, day=rng.randint(1, 25))
            receipt = premium_receipt_record(
                number=f"KW-{lpa.pk}-{serial:05d}",
                policy=policy,
                months=1,
                amount=5000,
                received_on=day,
            )
            if rng.random() < 0.03:
                from programme.ledger.premiums import premium_receipt_reverse

                premium_receipt_reverse(receipt=receipt, date=day, reason="Salah catat")
    for policy in rng.sample(policies, k=min(3, len(policies))):
        policy.refresh_from_db()
        if policy.status in OPEN_STATUSES:
            target = rng.choice((PolicyStatus.WITHDRAWN, PolicyStatus.DECEASED))
            policy_transition(
                policy=policy,
                to_status=target,
                reason="Permintaan tertulis"
                if target == PolicyStatus.WITHDRAWN
                else "Surat kematian",
                effective_date=datetime.date(2026, rng.choice((7, 8, 9)), rng.randint(1, 28)),
            )
    subsidy_receive(
        amount=365_000 * len(policies), date=datetime.date(2026, 7, 14), reference=f"S-{lpa.pk}"
    )
    if rng.random() < 0.5:
        grant_receive(
            donor="Yayasan Donor",
            purpose="Pelatihan",
            amount=rng.randint(1, 20) * 100_000,
            date=datetime.date(2026, 8, rng.randint(1, 28)),
            reference=f"G-{lpa.pk}",
        )
    connection.set_schema_to_public()

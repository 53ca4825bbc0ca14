"""The claim reserve against three months of expected claims (programme/banking/adequacy.py)."""

from __future__ import annotations

import datetime

from programme.banking.adequacy import reserve_adequacy, reserve_adequacy_check
from programme.ledger import accounts as acc
from programme.ledger.models import EntryKind
from programme.ledger.services import Line, entry_post
from reporting.models import Finding
from tests.programme.claims_helpers import fund_reserve, paying_policy

D = datetime.date
ON = D(2026, 11, 20)


def _claim_paid(number: int, amount: int, on: datetime.date) -> None:
    """A claim paid out of the reserve, as the claims module posts it."""
    entry_post(
        date=on,
        kind=EntryKind.CLAIM,
        source_key=f"claim:test-{number}",
        description=f"Klaim uji {number}",
        lines=[Line(acc.CLAIMS_EXPENSE, amount), Line(acc.BANK_RESERVE, -amount)],
    )


def _reserve_low(lpa):
    return Finding.objects.filter(
        lpa=lpa, kind=Finding.Kind.RESERVE_LOW, subject="reserve", resolved_at__isnull=True
    ).first()


def _a_year_of_claims(reserve_left: int) -> None:
    """Policies since Jan 2025; Rp 400.000 of claims paid in the last twelve months (and
    one older, not counted); the reserve holds `reserve_left` afterwards."""
    paying_policy(start=D(2025, 1, 1), months=36)
    fund_reserve(500_000 + reserve_left, on=D(2025, 1, 2))
    _claim_paid(1, 100_000, D(2025, 6, 2))  # more than twelve months before ON
    for number, day in enumerate((D(2026, 1, 5), D(2026, 4, 6), D(2026, 7, 7), D(2026, 10, 8))):
        _claim_paid(10 + number, 100_000, day)


def test_with_a_year_of_history_a_reserve_above_three_months_of_claims_is_adequate(in_lpa_a):
    _a_year_of_claims(reserve_left=100_000)

    adequacy = reserve_adequacy_check(on=ON)

    # Rp 400.000 paid in twelve months: Rp 100.000 expected in the next three.
    assert (adequacy.basis, adequacy.expected, adequacy.reserve) == ("history", 100_000, 100_000)
    assert adequacy.adequate and _reserve_low(in_lpa_a) is None


def test_with_a_year_of_history_a_reserve_below_the_threshold_opens_reserve_low(in_lpa_a, settings):
    settings.RESERVE_ADEQUACY_PERCENT = 150
    _a_year_of_claims(reserve_left=100_000)

    adequacy = reserve_adequacy_check(on=ON)

    assert not adequacy.adequate and adequacy.required == 150_000
    finding = _reserve_low(in_lpa_a)
    assert finding.amount == 50_000 and finding.summary == "history 100%"

    fund_reserve(50_000, on=ON, reference="APBN-TAMBAHAN")
    assert reserve_adequacy_check(on=ON).adequate
    assert _reserve_low(in_lpa_a) is None


def test_without_a_year_of_history_the_schemes_rates_estimate_the_claims(in_lpa_a):
    paying_policy(start=D(2026, 6, 1), months=12)
    fund_reserve(3_599, on=D(2026, 6, 2))

    below = reserve_adequacy_check(on=ON)

    # Buku Saku, one active policy: (sickness 100.000 x 8 + accident 100.000 x 3 +
    # death in year 1 200.000 x 0,5) per 1.000 policies a month, x 3 months.
    assert (below.basis, below.expected, below.adequate) == ("scheme_rates", 3_600, False)
    assert _reserve_low(in_lpa_a).amount == 1

    fund_reserve(1, on=ON, reference="APBN-SATU")
    above = reserve_adequacy_check(on=ON)
    assert above.adequate and _reserve_low(in_lpa_a) is None


def test_an_lpa_without_active_policies_expects_no_claims(in_lpa_a):
    adequacy = reserve_adequacy(on=ON)

    assert (adequacy.expected, adequacy.adequate, adequacy.coverage_percent) == (0, True, None)

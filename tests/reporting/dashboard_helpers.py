"""Building blocks for the dashboard API and public page tests: the session's three LPAs
(A in Kota Kendari and B in Konawe, Sulawesi Tenggara; C in Makassar, Sulawesi
Selatan) with a generated history through Q3 2026, one paid claim in A, and their
rollup facts; a participant with a name and NIK no public answer may hold."""

from __future__ import annotations

import datetime
import uuid
from collections import Counter
from dataclasses import dataclass

import pytest
from django.db import connection
from django.db.models import Sum
from django_tenants.utils import schema_context

from programme.generator import generate
from reporting import transparency
from tests.reporting.report_helpers import HISTORY_START, MONTHS, history_make
from tests.reporting.test_rollup import facts_build, recount

SEPTEMBER = MONTHS[-1]
SECRET_NAME = "Zulaikha Transparansi Rahasia"
CLAIM_PAID_ON = datetime.date(2026, 9, 15)


@pytest.fixture(autouse=True)
def fresh_public_cache(monkeypatch):
    """Cached public figures of another test (the database rolled back, Redis not) are
    never read: each test has keys of its own, which expire by themselves."""
    monkeypatch.setattr(transparency, "_CACHE_VERSION", uuid.uuid4().hex[:12])


def _claim_paid_in_a(lpa_a, make_staff):
    """A participant of A with SECRET_NAME, paid a year ahead, whose sickness claim is
    paid in September 2026; returns the participant's NIK."""
    from tests.programme.claims_helpers import paying_policy, submit
    from tests.programme.test_claims import walk_to_payment

    connection.set_tenant(lpa_a)

    class Team:
        officer = make_staff(lpa_a, "petugas_lapangan")
        klaim = make_staff(lpa_a, "klaim")
        ketua = make_staff(lpa_a, "ketua")
        bendahara = make_staff(lpa_a, "bendahara")

    policy = paying_policy(serial=9001, start=HISTORY_START, months=12, name=SECRET_NAME)
    claim = submit(policy, Team.officer, event=datetime.date(2026, 9, 1))
    walk_to_payment(claim, Team, paid_on=CLAIM_PAID_ON)
    nik = policy.participant.nik
    connection.set_schema_to_public()
    return nik


@dataclass
class Generated:
    lpas: list  # A, B, C
    secret_nik: str  # of the participant named SECRET_NAME, in A


@pytest.fixture
def three_lpas(db, lpa_a, lpa_b, lpa_c, make_staff) -> Generated:
    lpas = [lpa_a, lpa_b, lpa_c]
    generate(lpas=0, participants=8, seed=41, existing=lpas, today=HISTORY_START)
    for lpa in lpas:
        history_make(lpa, seed=7)
    nik = _claim_paid_in_a(lpa_a, make_staff)
    facts_build(lpas)
    return Generated(lpas, nik)


def public_recount(lpas, month) -> Counter:
    """The public figures of `lpas` in `month`, counted over their own tables."""
    counted = recount(lpas, month)
    total = Counter(
        lpas=counted["lpas"],
        participants=counted["participants_open"],
        premiums_collected=counted["premiums_collected"],
    )
    from programme.claims.models import Claim

    for lpa in lpas:
        with schema_context(lpa.schema_name):
            paid = Claim.objects.filter(entry__date__gte=month.start, entry__date__lte=month.end)
            total["claims_paid"] += paid.count()
            total["claims_paid_amount"] += paid.aggregate(s=Sum("amount"))["s"] or 0
    return total

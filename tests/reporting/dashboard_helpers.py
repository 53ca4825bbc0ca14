"""Building blocks for the dashboard API and public page tests: three LPAs of the
module's own, committed once for it (A in Kota Kendari and B in Konawe, Sulawesi
Tenggara; C in Makassar, Sulawesi Selatan) with a generated history through Q3
2026, one paid claim in A, and their rollup facts; a participant with a name and
NIK no public answer may hold."""

from __future__ import annotations

import datetime
import uuid
from collections import Counter
from dataclasses import dataclass

import pytest
from django.db import connection
from django.db.models import Sum
from django_tenants.utils import schema_context

from programme.generator import generate, npwp_for
from reporting import transparency
from tenants.services import lpa_provision
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


def _claim_paid_in_a(lpa_a, cleanup):
    """A participant of A with SECRET_NAME, paid a year ahead, whose sickness claim is
    paid in September 2026; returns the participant's NIK."""
    from askesos.accounts.services import membership_grant, user_create
    from tests.conftest import PASSWORD
    from tests.programme.claims_helpers import paying_policy, submit
    from tests.programme.test_claims import walk_to_payment

    def staff(role: str):
        user = user_create(username=f"{lpa_a.slug}-{role}", password=PASSWORD)
        cleanup.usernames.append(user.username)
        membership_grant(lpa=lpa_a, user=user, role=role)
        return user

    connection.set_tenant(lpa_a)

    class Team:
        officer = staff("petugas_lapangan")
        klaim = staff("klaim")
        ketua = staff("ketua")
        bendahara = staff("bendahara")

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


# Where the module's three LPAs are: Kota Kendari and Konawe (Sulawesi Tenggara), Kota
# Makassar (Sulawesi Selatan), as the session's uji-a, uji-b and uji-c.
THREE_REGENCIES = ("74.71", "74.02", "73.71")


def lpas_with_history(cleanup, *, names: list[str], regencies, participants: int, seed: int):
    """Committed LPAs (removed by `cleanup`) named "LPA <name>" with slugs from the
    names, in `regencies`, with generated participants, the history through Q3 2026 and
    their rollup facts. Call inside django_db_blocker.unblock()."""
    made = []
    for n, (name, regency) in enumerate(zip(names, regencies, strict=True), start=1):
        made.append(
            lpa_provision(
                name=f"LPA {name}",
                slug=name.lower().replace(" ", "-"),
                legal_form="yayasan",
                regency_code=regency,
                npwp=npwp_for(seed, n),
            )
        )
        cleanup.lpa_slugs.append(made[-1].slug)
    generate(lpas=0, participants=participants, seed=seed, existing=made, today=HISTORY_START)
    for lpa in made:
        history_make(lpa, seed=7)
    connection.set_schema_to_public()
    return made


@pytest.fixture(scope="module")
def three_lpas(module_committed, django_db_blocker) -> Generated:
    """Built once for the module and committed (see module_committed)."""
    with django_db_blocker.unblock():
        lpas = lpas_with_history(
            module_committed,
            names=["Tiga A", "Tiga B", "Tiga C"],
            regencies=THREE_REGENCIES,
            participants=8,
            seed=41,
        )
        nik = _claim_paid_in_a(lpas[0], module_committed)
        facts_build(lpas)
        connection.set_schema_to_public()
    return Generated(lpas, nik)


def regency_slugs(code: str) -> list[str]:
    """The ready LPAs of a kabupaten/kota by name, as the areas below it are listed
    (the session's LPAs too, with no facts)."""
    from tenants.models import Lpa

    ready = Lpa.objects.filter(is_ready=True, regency_id=code).exclude(schema_name="public")
    return list(ready.order_by("name").values_list("slug", flat=True))


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

"""Budgets, shares and allocations for the subsidy tests, made through the services."""

from __future__ import annotations

import datetime

from django.db import connection

from programme.subsidies.services import (
    budget_record,
    lpa_allocate_manual,
    province_allocate,
    rates_load_shipped,
)

SULTRA = "74"  # Sulawesi Tenggara: LPAs A (Kota Kendari) and B (Kabupaten Konawe)
SULSEL = "73"  # Sulawesi Selatan: LPA C


def officers(make_government_user):
    """The ministry's officer and two officers of Sulawesi Tenggara (maker, checker)."""
    return (
        make_government_user("ministry"),
        make_government_user("province", province=SULTRA),
        make_government_user("province", province=SULTRA),
    )


def share_for(ministry, *, amount=1_000_000_000, share=400_000_000, year=None, channel="apbn"):
    rates_load_shipped()
    year = year or datetime.date.today().year
    budget = budget_record(
        year=year,
        channel=channel,
        purpose="claim_reserve",
        dipa_reference=f"DIPA-027.05.1.{year}",
        amount=amount,
        actor=ministry,
    )
    return province_allocate(budget=budget, province_code=SULTRA, amount=share, actor=ministry)


def allocated(share, lpa, officer, amount, reason="Tahap awal sesuai usulan Dinas Sosial"):
    connection.set_schema_to_public()
    return lpa_allocate_manual(share=share, lpa=lpa, amount=amount, reason=reason, actor=officer)

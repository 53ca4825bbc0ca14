"""The rollup facts: every dashboard figure of a kabupaten/kota, a province and the
nation equals a direct recount over the LPAs' own tables (tests/reporting/
test_report_figures.direct, written with the ORM); a change in an LPA marks its month
in the same transaction, and the sweep's refresh moves the national figures."""

from __future__ import annotations

import datetime
from collections import Counter

from django.db import transaction
from django_tenants.utils import schema_context

from reporting.models import FactMark
from reporting.periods import Period
from reporting.rollup import lpa_facts_refresh, marks_take
from tests.reporting.report_helpers import MONTHS
from tests.reporting.test_report_figures import direct


def facts_build(lpas) -> None:
    for lpa in lpas:
        with schema_context(lpa.schema_name):
            lpa_facts_refresh(lpa=lpa, months=MONTHS)


HEADLINE = {
    "participants_active": "participants.status:active",
    "participants_open": "participants.open",
    "premiums_due": "premiums.due",
    "premiums_collected": "premiums.collected",
    "reserve_closing": "reserve.closing",
    "savings_owed": "savings.owed",
    "subsidy_in": "reserve.subsidy_in",
}


def recount(lpas, month: Period) -> Counter:
    total: Counter = Counter()
    for lpa in lpas:
        with schema_context(lpa.schema_name):
            figures = direct(month)
        for column, key in HEADLINE.items():
            total[column] += figures.get(key, 0)
        total["lpas"] += int(figures.get("participants.open", 0) > 0)
    return total


def test_a_change_marks_its_month_in_the_same_transaction(lpa_a):
    lpa = lpa_a
    marks_take(limit=100000)
    with schema_context(lpa.schema_name):
        from programme.ledger.funds import grant_receive

        with transaction.atomic():
            grant_receive(
                donor="Donor",
                purpose="Pelatihan",
                amount=100_000,
                date=datetime.date(2026, 8, 3),
                reference="G-mark",
            )
            assert FactMark.objects.filter(schema_name=lpa.schema_name).exists()
    earliest, taken = marks_take()
    assert earliest == {lpa.schema_name: datetime.date(2026, 8, 1)} and taken >= 1


def test_the_dashboards_stock_columns_copy_stock_figures():
    """A period's stock columns take its last month (reporting.dashboards.STOCKS): each
    must copy a figure the reports also take from the last month (figures.LAST)."""
    from reporting.dashboards import STOCKS
    from reporting.figures import LAST
    from reporting.models import FACT_COLUMNS

    copied = [c for c in STOCKS if c in FACT_COLUMNS]
    assert copied and all(FACT_COLUMNS[c].split(":", 1)[0] in LAST for c in copied)

"""The near-real-time rollup end to end: a registration and a premium in an LPA commit
their mark with them; the sweep (sent as beat sends it) goes through the real Redis
broker to a real Celery worker, which refreshes that LPA's month, and the national
dashboard's figures move. A second sweep with nothing marked sends nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from askesos.dates import today
from programme.generator import npwp_for
from reporting.dashboards import NATION, Area, Filters, area_summary, current_month
from reporting.models import Fact, FactLevel, FactMark
from reporting.rollup import lpa_facts_since
from reporting.tasks import rollup_sweep
from tests.programme.conftest import paid_in
from tests.reporting.test_report_jobs import (  # noqa: F401 (fixture)
    drain,
    provision,
    reports_worker,
    wait_until,
)

pytestmark = pytest.mark.worker


def nation() -> dict[str, int]:
    return area_summary(Area(NATION), Filters(period=current_month())).values


def test_a_registration_moves_the_national_count_through_the_worker(
    reports_worker,  # noqa: F811 (fixture)
    committed_db,
):
    lpa_a = provision(committed_db, "segera-a", "74.71", npwp_for(91, 1))
    with schema_context(lpa_a.schema_name):
        lpa_facts_since(lpa=lpa_a, since=today())
    before = nation()
    FactMark.objects.all().delete()
    paid_in(lpa_a, serial=91, name="Rina Segera", months=1, number="SEGERA-1", start=today())
    connection.set_schema_to_public()
    marks = list(FactMark.objects.values_list("schema_name", "month"))
    assert (lpa_a.schema_name, today().replace(day=1)) in marks

    rollup_sweep.delay()
    wait_until(
        lambda: nation()["participants_open"] == before["participants_open"] + 1,
        "the national count moved",
    )
    after = nation()
    assert after["premiums_collected"] == before["premiums_collected"] + 5000
    assert not FactMark.objects.exists()
    row = Fact.objects.get(level=FactLevel.LPA, lpa=lpa_a, month=today().replace(day=1))
    assert row.figures["premiums.collected"] >= 5000 and not row.final

    # Nothing marked since: a sweep (here in process) sends no refresh.
    drain()
    assert rollup_sweep() == 0

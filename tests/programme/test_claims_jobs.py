"""The daily service-level job end to end: the dispatcher fans out through the real
broker, the worker finds the overdue claim in its LPA's schema and the district's
finding appears in public."""

import datetime
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection

from askesos.celery import app
from programme.claims import services
from programme.claims.models import Claim
from programme.claims.tasks import claims_sla_dispatch
from reporting.models import Finding
from tests.programme.claims_helpers import committed_claims_lpa, docs_for

pytestmark = pytest.mark.worker


def test_the_daily_job_flags_an_overdue_claim_through_a_real_worker(committed_db):
    start = datetime.date(2024, 7, 1)
    lpa, team, policy = committed_claims_lpa(
        committed_db, slug="sla-job", npwp="09.123.456.7-741.000", start=start
    )
    connection.set_tenant(lpa)
    claim = services.claim_submit(
        policy_number=policy.number,
        benefit="sickness",
        event_date=datetime.date(2024, 7, 8),
        sick_days=11,
        documents=docs_for("sickness"),
        actor=team["petugas_lapangan"],
    )
    # Complete on Monday 15 July 2024, 09:00 WIB: the 18th is day 3, the 19th day 4.
    Claim.objects.filter(pk=claim.pk).update(
        complete_at=datetime.datetime(2024, 7, 15, 2, 0, tzinfo=datetime.UTC)
    )
    connection.set_schema_to_public()

    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        for day in ("2024-07-18", "2024-07-19", "2024-07-19"):
            assert claims_sla_dispatch.delay(day).get(timeout=30) >= 1
        deadline = datetime.datetime.now() + datetime.timedelta(seconds=60)
        while datetime.datetime.now() < deadline:
            if Finding.objects.filter(lpa=lpa, kind="claim_overdue").exists():
                break
            time.sleep(0.2)
        time.sleep(3)  # the same day's second run, staggered behind the first
        findings = list(Finding.objects.filter(lpa=lpa, kind="claim_overdue"))
    # Day 3 is within the limit; day 4 is overdue; running day 4 twice opens one finding.
    assert [(f.subject, f.days, f.resolved_at) for f in findings] == [
        (f"claim:{claim.number}", 4, None)
    ]

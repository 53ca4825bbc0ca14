"""The month-end reports job end to end: the daily dispatcher fans out through the real
Redis broker to a real Celery worker process (two prefork processes, as in
production), and each active LPA gets exactly one report for the month that ended,
however many times the day is dispatched, forced or not. A suspended LPA gets none."""

from __future__ import annotations

import datetime
import io
import os
import signal
import time

import pytest
from amqp.exceptions import ChannelError
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from askesos.celery import app
from askesos.workers import worker_process
from programme.generator import npwp_for
from reporting.models import Report, ReportEvent, ReportLevel
from tenants.dispatch import lpas_for_jobs
from tenants.models import JobRun, JobRunState, Lpa, LpaStatus
from tenants.services import lpa_provision, lpa_set_status
from tests.programme.conftest import KONAWE_VILLAGE, paid_in

pytestmark = pytest.mark.worker

DAY = "2026-11-01"  # the day after October 2026 ended
OCTOBER = datetime.date(2026, 10, 1)


def wait_until(condition, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    seen = list(JobRun.objects.values_list("job", "lpa__slug", "day", "state", "error"))
    raise AssertionError(f"the worker never got there: {what}; job runs: {seen}")


def idle() -> bool:
    """Nothing left in the queue, and nothing running or reserved in the worker."""
    with app.connection_for_read() as conn:
        try:
            if conn.default_channel.queue_declare(queue="celery", passive=True).message_count:
                return False
        except ChannelError:  # Redis has no key for an empty queue
            pass
    inspect = app.control.inspect(timeout=1)
    for answer in (inspect.active(), inspect.reserved()):
        if not answer or any(answer.values()):
            return False
    return True


def drain() -> None:
    """Until the worker has finished everything sent so far (seen idle twice)."""
    wait_until(lambda: idle() and idle(), "an idle worker")


@pytest.fixture
def reports_worker(committed_db):
    """A worker process of its own on the test database, two prefork processes."""
    app.control.purge()
    db = connection.settings_dict
    process = worker_process(
        name="reports",
        concurrency=2,
        env={
            "DATABASE_URL": f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        },
    )
    try:
        wait_until(lambda: bool(app.control.ping(timeout=0.5)), "the worker answering")
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


def provision(committed_db, slug: str, regency: str, npwp: str) -> Lpa:
    committed_db.lpa_slugs.append(slug)
    return lpa_provision(
        name=slug.title(), slug=slug, legal_form="lsm", regency_code=regency, npwp=npwp
    )


def october_reports():
    return Report.objects.filter(level=ReportLevel.LPA, period_type="month", period_start=OCTOBER)


def runs():
    return JobRun.objects.filter(job="reports", day=datetime.date.fromisoformat(DAY))


def test_month_end_makes_one_report_per_active_lpa_however_often_dispatched(
    reports_worker, committed_db
):
    kendari = provision(committed_db, "lapor-a", "74.71", npwp_for(81, 1))
    konawe = provision(committed_db, "lapor-b", "74.02", npwp_for(81, 2))
    suspended = provision(committed_db, "lapor-c", "74.71", npwp_for(81, 3))
    lpa_set_status(lpa=suspended, status=LpaStatus.SUSPENDED)
    # Two months paid on 5 October: collected in October, open at its end.
    paid_in(
        kendari,
        serial=81,
        name="Siti Lapor",
        months=2,
        number="LAPOR-A-1",
        start=datetime.date(2026, 10, 5),
    )
    paid_in(
        konawe,
        serial=82,
        name="Budi Lapor",
        months=1,
        number="LAPOR-B-1",
        start=datetime.date(2026, 9, 7),
        village=KONAWE_VILLAGE,
    )
    connection.set_schema_to_public()
    active = set(lpas_for_jobs().values_list("pk", flat=True))
    assert {kendari.pk, konawe.pk} <= active and suspended.pk not in active

    # Beat and an operator dispatch the same day at once: two tasks per LPA may run
    # side by side in the two processes.
    from tenants.tasks import daily_job_dispatch

    first = daily_job_dispatch.delay("reports", DAY, 0).get(timeout=30)
    second = daily_job_dispatch.delay("reports", DAY, 0).get(timeout=30)
    assert first == second == len(active)
    wait_until(
        lambda: runs().filter(state=JobRunState.DONE).count() == len(active),
        "every active LPA's day done",
    )
    drain()
    # An operator forces the day again: the figures are computed again, the report stays.
    out = io.StringIO()
    call_command("run_job", "reports", "--on", DAY, "--force", "--queue", stdout=out)
    assert f"ke worker untuk {len(active)} LPA" in out.getvalue()
    wait_until(
        lambda: runs().filter(forced=True).count() == len(active),
        "every active LPA's forced day done",
    )
    drain()

    reports = october_reports()
    assert sorted(reports.values_list("lpa_id", flat=True)) == sorted(active)
    assert not Report.objects.filter(lpa=suspended).exists()
    assert set(runs().values_list("lpa_id", "state", "forced")) == {
        (pk, JobRunState.DONE, forced) for pk in active for forced in (False, True)
    }
    assert runs().count() == 2 * len(active)
    for run in runs():
        assert run.result["reports"] == ["month:2026-10-01"], run.result
    # One event for the one generation; the forced run found the same figures.
    assert ReportEvent.objects.filter(
        report__in=reports, action=ReportEvent.Action.GENERATED
    ).count() == len(active)
    # The tiers' consolidated reports: one per kabupaten/kota and province with an LPA.
    regencies = Report.objects.filter(
        level=ReportLevel.REGENCY, period_type="month", period_start=OCTOBER
    )
    assert sorted(regencies.values_list("regency_id", flat=True)) == sorted(
        set(reports.values_list("regency_id", flat=True))
    )
    provinces = Report.objects.filter(
        level=ReportLevel.PROVINCE, period_type="month", period_start=OCTOBER
    )
    assert sorted(provinces.values_list("province_id", flat=True)) == sorted(
        set(reports.values_list("province_id", flat=True))
    )
    # Each report holds its own LPA's figures (the task ran in that LPA's schema).
    figures = {r.lpa_id: r.figures for r in reports}
    assert figures[kendari.pk]["premiums.collected"] == 10_000
    assert figures[kendari.pk]["participants.open"] == 1
    assert "premiums.collected" not in figures[konawe.pk]  # paid in September
    assert figures[konawe.pk]["participants.open"] == 1

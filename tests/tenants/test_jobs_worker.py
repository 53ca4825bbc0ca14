"""Daily jobs end to end through a real Celery worker on the real Redis broker: the
schedule's dispatcher catches missed days up, in order and each once, per LPA; a
failed day runs again on the next dispatch; `askesos run-job --queue` goes through the
worker too."""

from __future__ import annotations

import datetime
import io
import time
import zoneinfo

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.management import call_command
from django.db import connection

from askesos.celery import app
from askesos.tasks import worker_ping
from programme.participants.models import Policy, PolicyEvent, PolicyStatus
from tenants.dispatch import STAGGER_SECONDS
from tenants.models import JobRun, JobRunState, JobTrigger, Lpa
from tenants.services import lpa_provision
from tenants.tasks import daily_job_dispatch
from tests.programme.conftest import KONAWE_VILLAGE, paid_in
from tests.tenants import jobs_helpers
from tests.tenants.jobs_helpers import NAME

pytestmark = pytest.mark.worker

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
D = datetime.date


@pytest.fixture
def celery_worker(committed_db):
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker


def provision(committed_db, slug: str, npwp: str, regency: str, appointed: datetime.date) -> Lpa:
    """An LPA of the test's own (dropped at teardown), appointed on `appointed`."""
    committed_db.lpa_slugs.append(slug)
    lpa = lpa_provision(
        name=slug.title(), slug=slug, legal_form="lsm", regency_code=regency, npwp=npwp
    )
    Lpa.objects.filter(pk=lpa.pk).update(
        created_at=datetime.datetime.combine(appointed, datetime.time(9), tzinfo=WIB)
    )
    return Lpa.objects.get(pk=lpa.pk)


def runs(lpa: Lpa, job: str):
    return JobRun.objects.filter(job=job, lpa=lpa)


def done_days(lpa: Lpa, job: str) -> list[datetime.date]:
    return list(
        runs(lpa, job).filter(state=JobRunState.DONE).order_by("day").values_list("day", flat=True)
    )


def days(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"the worker never got there: {what}")


def drain(sent: int) -> None:
    """Until every task the last dispatch sent has finished: the solo worker runs one
    task at a time in the order they fall due, and this ping falls due after them."""
    worker_ping.apply_async(countdown=STAGGER_SECONDS * sent + 1).get(timeout=120)


def test_missed_days_are_caught_up_in_order_each_day_once(celery_worker, committed_db):
    appointed = D(2024, 4, 28)
    lpa_a = provision(committed_db, "susul-a", "31.415.926.0-741.000", "74.71", appointed)
    lpa_b = provision(committed_db, "susul-b", "27.182.818.8-741.000", "74.02", appointed)
    start = D(2024, 1, 1)
    # One month paid: three unpaid months have fully passed on 1 May 2024 (the grace).
    behind = paid_in(lpa_a, serial=91, name="Lupa Bayar", months=1, number="SUSUL-A-1", start=start)
    paid_up = paid_in(
        lpa_b,
        serial=92,
        name="Rajin Bayar",
        months=36,
        number="SUSUL-B-1",
        start=start,
        village=KONAWE_VILLAGE,
    )
    connection.set_schema_to_public()

    # The schedule ran on 28 April, then the server was down until 3 May.
    daily_job_dispatch.delay("arrears", "2024-04-28").get(timeout=30)
    wait_until(
        lambda: done_days(lpa_a, "arrears") == [appointed] == done_days(lpa_b, "arrears"),
        "28 April in both LPAs",
    )
    sent = daily_job_dispatch.delay("arrears", "2024-05-03").get(timeout=30)
    week = days(appointed, D(2024, 5, 3))
    wait_until(
        lambda: done_days(lpa_a, "arrears") == week == done_days(lpa_b, "arrears"),
        "28 April to 3 May in both LPAs",
    )
    # The same day dispatched again (two beats, a redelivered message) runs nothing.
    again = daily_job_dispatch.delay("arrears", "2024-05-03").get(timeout=30)
    drain(max(sent, again))

    for lpa in (lpa_a, lpa_b):
        assert list(runs(lpa, "arrears").order_by("day").values_list("day", "state")) == [
            (day, JobRunState.DONE) for day in week
        ]
    lapsed_on = dict(runs(lpa_a, "arrears").values_list("day", "result__lapsed"))
    assert lapsed_on == {day: int(day == D(2024, 5, 1)) for day in week}
    assert set(runs(lpa_b, "arrears").values_list("result__lapsed", flat=True)) == {0}
    connection.set_tenant(lpa_a)
    assert Policy.objects.get(pk=behind.pk).status == PolicyStatus.LAPSED
    # Lapsed on the missed day the grace ran out, not on the day the server came back.
    assert PolicyEvent.objects.get(
        policy_id=behind.pk, to_status=PolicyStatus.LAPSED
    ).effective_date == D(2024, 5, 1)
    connection.set_tenant(lpa_b)
    assert Policy.objects.get(pk=paid_up.pk).status == PolicyStatus.ACTIVE
    connection.set_schema_to_public()


def test_a_failed_day_runs_again_on_the_next_dispatch_and_other_lpas_go_on(
    celery_worker, committed_db, monkeypatch
):
    jobs_helpers.register(monkeypatch)
    appointed = D(2025, 3, 1)
    lpa_x = provision(committed_db, "gagal-x", "16.180.339.0-741.000", "74.71", appointed)
    lpa_y = provision(committed_db, "lancar-y", "14.142.135.4-741.000", "74.02", appointed)
    jobs_helpers.broken.add((lpa_x.schema_name, D(2025, 3, 2)))

    daily_job_dispatch.delay(NAME, "2025-03-03").get(timeout=30)
    wait_until(
        lambda: (
            runs(lpa_x, NAME).filter(state=JobRunState.FAILED).exists()
            and len(done_days(lpa_y, NAME)) == 3
        ),
        "X failed on 2 March, Y went through",
    )
    assert done_days(lpa_x, NAME) == [D(2025, 3, 1)]  # 3 March waits behind 2 March
    assert runs(lpa_x, NAME).get(state=JobRunState.FAILED).error == (
        "RuntimeError: broken on 2025-03-02"
    )

    jobs_helpers.broken.clear()  # repaired
    sent = daily_job_dispatch.delay(NAME, "2025-03-03").get(timeout=30)
    wait_until(lambda: len(done_days(lpa_x, NAME)) == 3, "X caught up")
    drain(sent)

    march = days(appointed, D(2025, 3, 3))
    assert done_days(lpa_x, NAME) == march == done_days(lpa_y, NAME)
    calls_in = {
        lpa.slug: [day for schema, day in jobs_helpers.calls if schema == lpa.schema_name]
        for lpa in (lpa_x, lpa_y)
    }
    assert calls_in == {
        "gagal-x": [D(2025, 3, 1), D(2025, 3, 2), D(2025, 3, 2), D(2025, 3, 3)],
        "lancar-y": march,
    }
    # Each LPA's task ran in that LPA's schema, and only there.
    for run in JobRun.objects.filter(job=NAME, state=JobRunState.DONE).select_related("lpa"):
        assert run.result == {"schema": run.lpa.schema_name}


def test_run_job_queue_runs_the_day_in_the_worker(celery_worker, committed_db, monkeypatch):
    jobs_helpers.register(monkeypatch)
    lpa = Lpa.objects.get(slug="uji-a")
    out = io.StringIO()

    call_command("run_job", NAME, "--on", "2025-03-05", "--lpa", "uji-a", "--queue", stdout=out)

    assert "dikirim ke worker" in out.getvalue()
    wait_until(lambda: done_days(lpa, NAME) == [D(2025, 3, 5)], "the queued day ran")
    run = runs(lpa, NAME).get()
    assert (run.trigger, run.result) == (JobTrigger.OPERATOR, {"schema": lpa.schema_name})
    assert jobs_helpers.calls == [(lpa.schema_name, D(2025, 3, 5))]

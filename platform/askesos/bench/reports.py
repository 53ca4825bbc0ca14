"""Month-end report generation at national scale, with ONE Celery worker (a real
process on the configured broker, `concurrency` prefork processes): the daily `reports`
job for the first day after the last ended month, sent to every ready, active LPA as
the schedule sends it (the job's own stagger; `--stagger 0`: all at once, which
measures the workers' pace alone), forced so that a rerun times the same work again,
and timed from the first message sent to the last LPA's day recorded, done or failed.

Run it on a database filled by `askesos generate --lpas 2000 --participants 250`
(and `askesos bench premiums`, so that the books have something to report). A first
run makes the reports; a rerun recomputes their figures (a report already submitted is
left as it is). Besides those and the job's records (JobRun), nothing changes.
"""

from __future__ import annotations

import datetime
import os
import signal
import statistics
import time

from django.utils import timezone

from askesos.dates import today
from askesos.workers import worker_process
from reporting.models import Report, ReportLevel
from tenants.dispatch import STAGGER_SECONDS, lpas_fan_out, lpas_for_jobs
from tenants.jobs import job_get
from tenants.models import JobRun, JobRunState, JobTrigger

JOB = "reports"
WORKER_START_TIMEOUT = 120
RUN_TIMEOUT = 3600


def _wait(condition, what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise RuntimeError(f"timed out waiting for {what}")


def _worker_ready() -> bool:
    from askesos.celery import app

    return bool(app.control.ping(timeout=0.5))


def run(*, concurrency: int = 2, stagger: float | None = None) -> list[str]:
    """`stagger`: seconds between the LPAs' tasks as they are sent; None: the job's
    own, as the schedule sends them (0: all at once, the workers' pace alone)."""
    from tenants.tasks import daily_job_run

    if stagger is None:
        stagger = job_get(JOB).stagger
        stagger = STAGGER_SECONDS if stagger is None else stagger

    lpas = lpas_for_jobs().count()
    if not lpas:
        return ["no LPAs: run `askesos generate --lpas 2000 --participants 250` first"]
    day = today().replace(day=1)  # the first day after the last ended month
    month = day - datetime.timedelta(days=1)
    worker = worker_process(name="bench-reports", concurrency=concurrency)
    try:
        _wait(_worker_ready, "the worker to start", WORKER_START_TIMEOUT)
        since = timezone.now()
        runs = JobRun.objects.filter(job=JOB, day=day, started_at__gte=since)
        started = time.monotonic()
        # As `askesos run-job reports --on DAY --force --queue` sends it.
        lpas_fan_out(
            daily_job_run,
            JOB,
            day.isoformat(),
            True,
            True,
            JobTrigger.OPERATOR,
            stagger=stagger,
        )
        sent = time.monotonic() - started
        _wait(lambda: runs.count() >= lpas, "every LPA's day recorded", RUN_TIMEOUT)
        seconds = time.monotonic() - started
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=120)
    done = runs.filter(state=JobRunState.DONE)
    own = [
        (finished - begun).total_seconds()
        for begun, finished in done.values_list("started_at", "finished_at")
        if finished is not None
    ]
    made = sum(len(result.get("reports", [])) for result in done.values_list("result", flat=True))
    failed = runs.filter(state=JobRunState.FAILED)
    reports = Report.objects.filter(
        level=ReportLevel.LPA, period_type="month", period_start=month.replace(day=1)
    ).count()
    per_lpa = 1000 * seconds * concurrency / lpas
    median = f"{1000 * statistics.median(own):.0f}" if own else "-"
    lines = [
        f"reports bench: the `{JOB}` job for {day.isoformat()} (month {month:%Y-%m}), "
        f"{lpas} LPAs, one Celery worker with {concurrency} process(es), "
        f"sent {stagger:g} s apart (sending took {sent:.1f} s)",
        "",
        "| LPAs | reports made | total s | LPAs/s | per LPA, wall x processes (ms) "
        "| per LPA, job's own median (ms) | failures |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        f"| {lpas} | {made} | {seconds:.1f} | {lpas / seconds:.1f} | {per_lpa:.0f} "
        f"| {median} | {failed.count()} |",
        "",
        f"month reports of {month:%Y-%m} in the database: {reports}",
    ]
    if own:
        ordered = sorted(own)
        lines.append(
            "job's own duration (ms): "
            f"p50 {1000 * ordered[len(ordered) // 2]:.0f}, "
            f"p90 {1000 * ordered[int(0.9 * (len(ordered) - 1))]:.0f}, "
            f"max {1000 * ordered[-1]:.0f}"
        )
    for slug, error in failed.values_list("lpa__slug", "error")[:5]:
        lines.append(f"failed: {slug}: {error}")
    return lines

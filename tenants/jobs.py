"""Daily jobs: the registry by the short names operators type, and the run of one job
for one LPA and one day, recorded as a JobRun in public.

The rules (docs/subsystems/jobs.md):
- A day's work and its done record commit in one transaction. PostgreSQL keeps one
  done row per job, LPA and day (`jobrun_one_done_per_day`), and the row is inserted
  before the work starts: a second runner of the same day (another dispatcher, a
  message delivered again after a crash, an operator) waits on that insert and then
  finds the day done. A crash mid-work rolls back both the work and the record, so the
  day runs again. A forced re-run is a further done row marked `forced`.
- A failed day is a row too (state failed, the error), written after the rollback.
- Catch-up: the schedule runs, for each LPA, every day from the day after the last
  done day up to today, in order, each once; never more than CATCH_UP_DAYS days back
  and never before the LPA was appointed. A failure stops the LPA's sequence there
  (a later day never runs before an earlier one), and the next run starts again at
  the failed day. An LPA never run yet starts at the later of its appointment and
  CATCH_UP_DAYS back. The day asked for always runs if it is not done, even when it
  is older than both (an operator's or a test's explicit day).

This module imports no domain: the registry names each job's work by dotted path, and
the work runs inside the LPA's schema as `work(on=day) -> dict` (a JSON result).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from askesos.dates import PROGRAMME_START, DateError, date_parse, format_date, today
from tenants.dispatch import lpas_for_jobs
from tenants.errors import JobError
from tenants.models import JobRun, JobRunState, JobTrigger, Lpa, LpaStatus

logger = logging.getLogger(__name__)

# How far back the schedule catches up after the server was down: today and the 30
# days before it. Older missed days are left to an operator (`askesos run-job --on`).
CATCH_UP_DAYS = 31
ERROR_MAX_CHARS = 2000
ONE_DONE_PER_DAY = "jobrun_one_done_per_day"


@dataclass(frozen=True)
class DailyJob:
    name: str  # what operators type: `askesos run-job arrears`
    label: Any  # translated on display
    work: str  # dotted path of work(*, on: date) -> dict, run in the LPA's schema
    schedule: str  # the beat schedule's name (Indonesian, as operators see it)
    at: tuple[str, str]  # default time of day, WIB: (minute, hour)
    # Seconds between the LPAs' tasks as the dispatcher sends them; None: the default
    # (tenants.dispatch.STAGGER_SECONDS).
    stagger: float | None = None


# One entry per daily job. `askesos setup` installs each schedule once (operators may
# change the time afterwards); the schedule, the dispatcher and `askesos run-job` all
# find the work here.
DAILY_JOBS: dict[str, DailyJob] = {
    job.name: job
    for job in (
        DailyJob(
            name="arrears",
            label=_("Premium arrears and lapse"),
            work="programme.ledger.tasks.arrears_day",
            schedule="Premi: tunggakan dan gugur (harian)",
            at=("30", "1"),
        ),
        DailyJob(
            name="claims-sla",
            label=_("Claims service level and claim reserve"),
            work="programme.claims.tasks.claims_sla_day",
            schedule="Klaim: batas layanan dan cadangan (harian)",
            at=("0", "6"),
        ),
        DailyJob(
            name="bank-statements",
            label=_("Bank statements fetched from the bank"),
            work="programme.banking.tasks.statements_fetch_day",
            schedule="Bank: ambil rekening koran (harian)",
            at=("0", "2"),
        ),
        DailyJob(
            name="reconcile",
            label=_("Bank reconciliation and claim reserve adequacy"),
            work="programme.banking.tasks.reconcile_day",
            schedule="Bank: rekonsiliasi dan kecukupan cadangan (harian)",
            at=("0", "3"),
        ),
        DailyJob(
            name="reports",
            label=_("Period reports and their reminders"),
            work="reporting.tasks.reports_day",
            schedule="Laporan: laporan periode dan pengingat (harian)",
            at=("30", "0"),
            # An LPA's reports take about 50 ms: 2.000 LPAs sent 0,1 s apart are done in
            # about 200 s with two worker processes, a fifth of their time, so other
            # tasks go on in between (`askesos bench reports`).
            stagger=0.1,
        ),
    )
}


def job_get(name: str) -> DailyJob:
    job = DAILY_JOBS.get((name or "").strip())
    if job is None:
        raise JobError("job_unknown", field="job", name=name, names=", ".join(DAILY_JOBS))
    return job


@dataclass(frozen=True)
class DayOutcome:
    """What happened to one day: done, failed, or skipped (already done)."""

    day: datetime.date
    state: str
    result: dict = field(default_factory=dict)
    error: str = ""
    forced: bool = False

    SKIPPED = "skipped"

    def as_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "state": self.state,
            "result": self.result,
            "error": self.error,
            "forced": self.forced,
        }


def _done(*, job: str, lpa: Lpa) -> QuerySet[JobRun]:
    return JobRun.objects.filter(job=job, lpa=lpa, state=JobRunState.DONE, forced=False)


def job_days_due(*, job: str, lpa: Lpa, until: datetime.date) -> list[datetime.date]:
    """The days the schedule owes this LPA up to `until`, oldest first (see above)."""
    last = _done(job=job, lpa=lpa).aggregate(last=Max("day"))["last"]
    appointed = timezone.localdate(Lpa.objects.values_list("created_at", flat=True).get(pk=lpa.pk))
    first = max(until - datetime.timedelta(days=CATCH_UP_DAYS - 1), appointed)
    if last is not None:
        first = max(first, last + datetime.timedelta(days=1))
    if first <= until:
        return [first + datetime.timedelta(days=n) for n in range((until - first).days + 1)]
    if _done(job=job, lpa=lpa).filter(day=until).exists():
        return []
    return [until]


class _AlreadyDone(Exception):
    pass


def job_run_day(
    *,
    job: DailyJob,
    lpa: Lpa,
    day: datetime.date,
    trigger: str = JobTrigger.SCHEDULE,
    force: bool = False,
) -> DayOutcome:
    """Run `job` for `day` in the current schema (the LPA's) unless that day is done;
    `force` runs a done day again and records it as forced."""
    forced = force and _done(job=job.name, lpa=lpa).filter(day=day).exists()
    started = timezone.now()
    try:
        with transaction.atomic():
            try:
                # First, so that a second runner of this day waits here until we end.
                run = JobRun.objects.create(
                    job=job.name,
                    lpa=lpa,
                    day=day,
                    state=JobRunState.DONE,
                    trigger=trigger,
                    forced=forced,
                    started_at=started,
                )
            except IntegrityError as exc:
                if _constraint(exc) != ONE_DONE_PER_DAY:
                    raise
                raise _AlreadyDone from None
            result = import_string(job.work)(on=day)
            run.result = result
            run.finished_at = timezone.now()
            run.save(update_fields=["result", "finished_at"])
    except _AlreadyDone:
        return DayOutcome(day=day, state=DayOutcome.SKIPPED)
    except Exception as exc:
        logger.exception("job %s for %s on %s failed", job.name, lpa.schema_name, day)
        error = _error_text(exc)
        JobRun.objects.create(
            job=job.name,
            lpa=lpa,
            day=day,
            state=JobRunState.FAILED,
            trigger=trigger,
            started_at=started,
            finished_at=timezone.now(),
            error=error,
        )
        return DayOutcome(day=day, state=JobRunState.FAILED, error=error)
    logger.info("job %s for %s on %s: %s", job.name, lpa.schema_name, day, result)
    return DayOutcome(day=day, state=JobRunState.DONE, result=result, forced=forced)


def job_run_catch_up(
    *, job: DailyJob, lpa: Lpa, until: datetime.date, trigger: str = JobTrigger.SCHEDULE
) -> list[DayOutcome]:
    """Every day this LPA is owed up to `until`, in order; stops at a failed day."""
    outcomes = []
    for day in job_days_due(job=job.name, lpa=lpa, until=until):
        outcome = job_run_day(job=job, lpa=lpa, day=day, trigger=trigger)
        outcomes.append(outcome)
        if outcome.state == JobRunState.FAILED:
            break
    return outcomes


def _constraint(exc: IntegrityError) -> str | None:
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


def _error_text(exc: Exception) -> str:
    message = getattr(exc, "message", None) or str(exc)
    return f"{type(exc).__name__}: {message}"[:ERROR_MAX_CHARS]


# --- what an operator asks for ----------------------------------------------------------


def job_day_parse(value: Any) -> datetime.date:
    """The day an operator names (ISO, default today in Asia/Jakarta): not in the
    future (its data does not exist yet), not before the programme began."""
    if value in (None, ""):
        return today()
    day = date_parse(value, field="on", label=_("The day"))
    now = today()
    if day > now:
        raise DateError("date_future", field="on", label=_("The day"), today=format_date(now))
    if day < PROGRAMME_START:
        raise DateError(
            "date_before_programme",
            field="on",
            label=_("The day"),
            start=format_date(PROGRAMME_START),
        )
    return day


def job_lpas_select(slug: str | None) -> list[Lpa]:
    """One LPA by its address name (it must be ready and active), or every LPA the
    schedule runs for."""
    if not slug:
        return list(lpas_for_jobs())
    lpa = Lpa.objects.filter(slug=slug.strip().lower()).first()
    if lpa is None:
        raise JobError("lpa_unknown", field="lpa", slug=slug)
    if not lpa.is_ready:
        raise JobError("lpa_not_ready", field="lpa", lpa=lpa.name)
    if lpa.status != LpaStatus.ACTIVE:
        raise JobError(
            "lpa_not_active", field="lpa", lpa=lpa.name, status=lpa.get_status_display().lower()
        )
    return [lpa]


# --- reads ---------------------------------------------------------------------------


def job_runs_list(
    *, job: str | None = None, lpa: Lpa | None = None, day: datetime.date | None = None
) -> QuerySet[JobRun]:
    runs = JobRun.objects.select_related("lpa").order_by("-day", "lpa__slug", "-started_at")
    if job:
        runs = runs.filter(job=job)
    if lpa is not None:
        runs = runs.filter(lpa=lpa)
    if day is not None:
        runs = runs.filter(day=day)
    return runs


@dataclass(frozen=True)
class JobProgress:
    """One job's day across the LPAs it runs for: how far it got, and what failed."""

    total: int
    done: int
    failed: int
    errors: list[tuple[str, str]]  # (LPA slug, error) of the failed ones

    @property
    def waiting(self) -> int:
        return self.total - self.done - self.failed


def job_progress(*, job: str, day: datetime.date, lpas: QuerySet[Lpa] | None = None) -> JobProgress:
    """`lpas`: only these (a government user's area) of the LPAs the job runs for."""
    lpas = lpas_for_jobs() if lpas is None else lpas_for_jobs().filter(pk__in=lpas.values("pk"))
    runs = JobRun.objects.filter(job=job, day=day, lpa__in=lpas)
    done = set(runs.filter(state=JobRunState.DONE).values_list("lpa_id", flat=True))
    errors: dict[int, tuple[str, str]] = {}
    for lpa_id, slug, error in (
        runs.filter(state=JobRunState.FAILED)
        .exclude(lpa_id__in=done)
        .order_by("started_at")
        .values_list("lpa_id", "lpa__slug", "error")
    ):
        errors[lpa_id] = (slug, error)  # the latest attempt's error
    return JobProgress(
        total=lpas.count(), done=len(done), failed=len(errors), errors=list(errors.values())
    )

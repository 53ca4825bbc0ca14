import datetime

from celery import shared_task
from django.db import connection

from askesos.dates import today
from tenants.dispatch import lpas_fan_out
from tenants.jobs import job_get, job_run_catch_up, job_run_day
from tenants.models import JobTrigger, Lpa
from tenants.provisioning import lpa_provision_finish, lpa_provision_sweep
from tenants.selectors import lpa_current


# Nobody waits for the result (the LPA's `is_ready` is the outcome); not storing one
# also keeps sending it from touching the result backend.
@shared_task(
    bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5, ignore_result=True
)
def lpa_provision_task(self, lpa_id: int) -> str:
    """Clone the schema of an LPA registered by the API. Safe to run twice."""
    lpa = lpa_provision_finish(lpa=Lpa.objects.get(pk=lpa_id))
    return lpa.schema_name


@shared_task
def lpa_provision_sweep_task(older_than_seconds: float | None = None) -> dict:
    """Beat, every minute: provision the LPAs whose clone task was lost; report those
    that cannot be (tenants.provisioning)."""
    if older_than_seconds is None:
        return lpa_provision_sweep().as_dict()
    older_than = datetime.timedelta(seconds=older_than_seconds)
    return lpa_provision_sweep(older_than=older_than).as_dict()


@shared_task
def daily_job_dispatch(name: str, on: str | None = None, stagger: float | None = None) -> int:
    """Beat calls this daily for each job of tenants.jobs.DAILY_JOBS (args: the job's
    name). Sending is cheap; the work runs in each LPA's schema. Returns how many.
    `stagger` overrides the spacing of the LPAs' tasks (the job's own, or the default;
    a benchmark sends them at once)."""
    job = job_get(name)
    day = on or today().isoformat()
    stagger = job.stagger if stagger is None else stagger
    if stagger is None:
        return lpas_fan_out(daily_job_run, job.name, day)
    return lpas_fan_out(daily_job_run, job.name, day, stagger=stagger)


# The outcome is the JobRun rows; nobody waits for a result (storing one cost 7 ms a task).
@shared_task(
    bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3, ignore_result=True
)
def daily_job_run(
    self,
    name: str,
    until: str,
    only: bool = False,
    force: bool = False,
    trigger: str = JobTrigger.SCHEDULE,
) -> dict:
    """In one LPA's schema: every day it is owed up to `until` (catch-up), or with
    `only` that one day. Safe to run twice: a done day is never done again."""
    job, lpa = job_get(name), lpa_current()
    day = datetime.date.fromisoformat(until)
    if only:
        outcomes = [job_run_day(job=job, lpa=lpa, day=day, trigger=trigger, force=force)]
    else:
        outcomes = job_run_catch_up(job=job, lpa=lpa, until=day, trigger=trigger)
    return {"schema": connection.schema_name, "days": [o.as_dict() for o in outcomes]}

"""Schedules kept in the database (django-celery-beat), so that operators can change
them at run time; `askesos setup` writes one per daily job (tenants.jobs.DAILY_JOBS)
once and leaves edits alone."""

import json

from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from tenants.jobs import DAILY_JOBS

DISPATCH_TASK = "tenants.tasks.daily_job_dispatch"
# What the schedules called before the job registry; pointed at the dispatcher.
LEGACY_TASKS = {
    "programme.ledger.tasks.premiums_arrears_dispatch": "arrears",
    "programme.claims.tasks.claims_sla_dispatch": "claims-sla",
}


# Platform-wide periodic tasks (not per LPA by day): (schedule name, task, minute, hour).
# The subsidy jobs: ask the bank for confirmations, and post what is confirmed (posting
# also follows each import at once; this round catches a posting task that was lost).
PERIODIC_TASKS = (
    (
        "Subsidi: konfirmasi bank (tiap 30 menit)",
        "programme.subsidies.tasks.confirmations_import_task",
        "*/30",
        "*",
    ),
    (
        "Subsidi: bukukan transfer (tiap 30 menit)",
        "programme.subsidies.tasks.transfers_post_dispatch",
        "15,45",
        "*",
    ),
    (
        "Laporan: pengingat laporan terlambat (harian)",
        "reporting.tasks.district_reminders_task",
        "0",
        "7",
    ),
)

# Every few seconds: (schedule name, task, seconds). The near-real-time rollup sends a
# refresh for each LPA changed since the last sweep (reporting.rollup).
# The provisioning sweep clones LPAs whose task was lost (tenants.provisioning).
INTERVAL_TASKS = (
    ("Dasbor: pembaruan fakta rollup (tiap 10 detik)", "reporting.tasks.rollup_sweep", 10),
    ("LPA: selesaikan penyiapan (tiap 60 detik)", "tenants.tasks.lpa_provision_sweep_task", 60),
)


def schedules_install() -> int:
    """Create the missing schedules; returns how many were created."""
    for periodic in PeriodicTask.objects.filter(task__in=LEGACY_TASKS):
        periodic.args = json.dumps([LEGACY_TASKS[periodic.task]])
        periodic.task = DISPATCH_TASK
        periodic.save(update_fields=["task", "args"])  # save() tells beat: it re-reads
    created = 0
    for job in DAILY_JOBS.values():
        crontab = _crontab(*job.at)
        _task, was_created = PeriodicTask.objects.get_or_create(
            name=job.schedule,
            defaults={"task": DISPATCH_TASK, "args": json.dumps([job.name]), "crontab": crontab},
        )
        created += was_created
    for name, task, minute, hour in PERIODIC_TASKS:
        crontab = _crontab(minute, hour)
        _task, was_created = PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "crontab": crontab}
        )
        created += was_created
    for name, task, seconds in INTERVAL_TASKS:
        every, _created = IntervalSchedule.objects.get_or_create(
            every=seconds, period=IntervalSchedule.SECONDS
        )
        _task, was_created = PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "interval": every}
        )
        created += was_created
    return created


def _crontab(minute: str, hour: str) -> CrontabSchedule:
    """Every day at minute/hour in WIB (Asia/Jakarta)."""
    crontab, _created = CrontabSchedule.objects.get_or_create(
        minute=minute,
        hour=hour,
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Jakarta",
    )
    return crontab

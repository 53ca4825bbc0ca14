"""The reporting schedule's jobs.

- `reports` (a daily job, tenants.jobs.DAILY_JOBS, 00:30 WIB, in each active LPA's
  schema): the day after a period ends, the LPA's report for it is made with its
  figures (a month; at their ends a quarter, a semester and a year), and the Ketua is
  reminded of reports due in seven days, tomorrow, or due yesterday. Safe to run
  twice: one report per LPA and period, one notice per report, kind and person.
  The same round writes the LPA's rollup facts (reporting.rollup) of the day's month
  and, at a month's end, the ended month's final figures.
- `rollup_sweep` (platform-wide, every 10 seconds) and `rollup_lpa_task` (per LPA):
  the near-real-time rollup.
- `district_reminders_task` (platform-wide, daily): late reports to the officers who
  must chase them.
- `audit_export_task` (public schema, sent when an export is requested): builds one
  audit export (reporting.export_job).
"""

from __future__ import annotations

import datetime

from celery import shared_task

from askesos.dates import today


def reports_day(*, on: datetime.date) -> dict:
    from reporting.notices import lpa_reminders
    from reporting.reports import MonthCache, lpa_reports_due
    from reporting.rollup import lpa_facts_refresh, months_between
    from tenants.selectors import lpa_current

    lpa = lpa_current()
    cache = MonthCache()
    reports = lpa_reports_due(lpa=lpa, on=on, cache=cache)
    # The rollup's daily round: yesterday's month (final at a month's end, from the
    # report's own figures) and today's.
    facts = lpa_facts_refresh(
        lpa=lpa, months=months_between(on - datetime.timedelta(days=1), on), computed=cache
    )
    return {
        "reports": [f"{r.period_type}:{r.period_start.isoformat()}" for r in reports],
        "reminders": lpa_reminders(lpa=lpa, on=on),
        "facts": facts,
    }


@shared_task(acks_late=True, ignore_result=True)
def district_reminders_task(on: str | None = None) -> int:
    from reporting.notices import district_reminders

    return district_reminders(on=datetime.date.fromisoformat(on) if on else today())


# The near-real-time rollup (reporting.rollup): how often beat sweeps the marks, and
# how many one sweep takes (a bigger backlog sends the sweep again at once).
SWEEP_SECONDS = 10
SWEEP_LIMIT = 5000


@shared_task(ignore_result=True)
def rollup_sweep() -> int:
    """Send one refresh per LPA marked since the last sweep (the marks are deleted in
    the same transaction as the sending: a broker that refuses leaves them for the
    next sweep). Returns how many LPAs."""
    from django.db import transaction
    from django_tenants.utils import schema_context

    from reporting.rollup import marks_take
    from tenants.models import Lpa

    with transaction.atomic():
        earliest, taken = marks_take(limit=SWEEP_LIMIT)
        ready = set(
            Lpa.objects.filter(schema_name__in=earliest, is_ready=True).values_list(
                "schema_name", flat=True
            )
        )
        for schema in sorted(ready):
            with schema_context(schema):
                rollup_lpa_task.apply_async(args=[earliest[schema].isoformat()])
    if taken >= SWEEP_LIMIT:
        rollup_sweep.apply_async()
    return len(ready)


@shared_task(
    bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3, ignore_result=True
)
def rollup_lpa_task(self, since: str) -> int:
    """In one LPA's schema: its facts from `since`'s month to the current one."""
    from reporting.rollup import lpa_facts_since
    from tenants.selectors import lpa_current

    return lpa_facts_since(lpa=lpa_current(), since=datetime.date.fromisoformat(since))


# Acknowledged late: a worker that dies mid-build leaves the message to be sent again,
# and the task takes the export over (reporting.exports.export_run).
@shared_task(acks_late=True, ignore_result=True)
def audit_export_task(export_id: int) -> str:
    from reporting.export_job import export_run

    return export_run(export_id)

"""The reporting schedule's jobs.

- `reports` (a daily job, tenants.jobs.DAILY_JOBS, 00:30 WIB, in each active LPA's
  schema): the day after a period ends, the LPA's report for it is made with its
  figures (a month; at their ends a quarter, a semester and a year), and the Ketua is
  reminded of reports due in seven days, tomorrow, or due yesterday. Safe to run
  twice: one report per LPA and period, one notice per report, kind and person.
- `district_reminders_task` (platform-wide, daily): late reports to the officers who
  must chase them.
"""

from __future__ import annotations

import datetime

from celery import shared_task

from askesos.dates import today


def reports_day(*, on: datetime.date) -> dict:
    from reporting.notices import lpa_reminders
    from reporting.reports import lpa_reports_due
    from tenants.selectors import lpa_current

    lpa = lpa_current()
    reports = lpa_reports_due(lpa=lpa, on=on)
    return {
        "reports": [f"{r.period_type}:{r.period_start.isoformat()}" for r in reports],
        "reminders": lpa_reminders(lpa=lpa, on=on),
    }


@shared_task(acks_late=True, ignore_result=True)
def district_reminders_task(on: str | None = None) -> int:
    from reporting.notices import district_reminders

    return district_reminders(on=datetime.date.fromisoformat(on) if on else today())

"""The daily arrears job (`arrears` in tenants.jobs.DAILY_JOBS): the schedule's
dispatcher fans out one task per ready, active LPA, which runs `arrears_day` in that
LPA's schema for every day it is owed (tenants.jobs: catch-up, each day once)."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.db import connection

logger = logging.getLogger(__name__)


def arrears_day(*, on: datetime.date) -> dict:
    """Lapse the policies of this LPA that reached the grace rule on `on`."""
    from programme.ledger.premiums import arrears_run

    report = arrears_run(on=on)
    logger.info(
        "arrears %s %s: %s lapsed, %s one month from lapse",
        connection.schema_name,
        on,
        len(report.lapsed),
        len(report.near_lapse),
    )
    return {"lapsed": len(report.lapsed), "near_lapse": len(report.near_lapse)}


# The task names schedules and queued messages used before the job registry; they run
# the registered job (recorded, each day once).
@shared_task
def premiums_arrears_dispatch(on: str | None = None) -> int:
    from tenants.tasks import daily_job_dispatch

    return daily_job_dispatch("arrears", on)


@shared_task
def premiums_arrears_run(on: str) -> dict:
    from tenants.tasks import daily_job_run

    return daily_job_run("arrears", on)

"""The daily service-level job (`claims-sla` in tenants.jobs.DAILY_JOBS): the
schedule's dispatcher fans out one task per ready, active LPA, which checks that LPA's
waiting claims and its reserve in its own schema for every day it is owed."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.db import connection

logger = logging.getLogger(__name__)


def claims_sla_day(*, on: datetime.date) -> dict:
    """Findings for this LPA's overdue claims and short reserve on `on`."""
    from programme.claims.sla import sla_check_run

    result = sla_check_run(on=on)
    logger.info(
        "claims sla %s %s: %s overdue, %s resolved",
        connection.schema_name,
        on,
        result["overdue"],
        result["resolved"],
    )
    return result


# The task names schedules and queued messages used before the job registry; they run
# the registered job (recorded, each day once).
@shared_task
def claims_sla_dispatch(on: str | None = None) -> int:
    from tenants.tasks import daily_job_dispatch

    return daily_job_dispatch("claims-sla", on)


@shared_task
def claims_sla_check(on: str) -> dict:
    from tenants.tasks import daily_job_run

    return daily_job_run("claims-sla", on)

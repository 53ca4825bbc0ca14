"""The daily arrears job: one dispatcher in public fans out, staggered, one task per
ready and active LPA, which runs in that LPA's schema (tenant-schemas-celery)."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.db import connection
from django.utils import timezone

from tenants.dispatch import lpas_fan_out

logger = logging.getLogger(__name__)


@shared_task
def premiums_arrears_dispatch(on: str | None = None) -> int:
    """Beat calls this daily. Sending is cheap; the work runs in each LPA's schema."""
    day = on or timezone.localdate().isoformat()
    return lpas_fan_out(premiums_arrears_run, day)


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def premiums_arrears_run(self, on: str) -> dict:
    """Lapse the policies of this LPA that reached the grace rule. Safe to run twice."""
    from programme.ledger.premiums import arrears_run

    report = arrears_run(on=datetime.date.fromisoformat(on))
    logger.info(
        "arrears %s: %s lapsed, %s one month from lapse",
        connection.schema_name,
        len(report.lapsed),
        len(report.near_lapse),
    )
    return {
        "schema": connection.schema_name,
        "lapsed": len(report.lapsed),
        "near_lapse": len(report.near_lapse),
    }

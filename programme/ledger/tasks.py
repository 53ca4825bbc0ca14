"""The daily arrears job: one dispatcher in public fans out, staggered, one task per
ready and active LPA, which runs in that LPA's schema (tenant-schemas-celery)."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.models import Lpa, LpaStatus

logger = logging.getLogger(__name__)
STAGGER_SECONDS = 0.5  # 2.000 LPAs spread over about 17 minutes


@shared_task
def premiums_arrears_dispatch(on: str | None = None) -> int:
    """Beat calls this daily. Sending is cheap; the work runs in each LPA's schema."""
    day = on or timezone.localdate().isoformat()
    schemas = list(
        Lpa.objects.filter(is_ready=True, status=LpaStatus.ACTIVE)
        .order_by("pk")
        .values_list("schema_name", flat=True)
    )
    for index, schema in enumerate(schemas):
        with schema_context(schema):
            premiums_arrears_run.apply_async(args=[day], countdown=index * STAGGER_SECONDS)
    return len(schemas)


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

"""The daily service-level job: a dispatcher in public fans out one task per ready,
active LPA, which checks that LPA's waiting claims and its reserve in its own schema."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.db import connection
from django.utils import timezone

from tenants.dispatch import lpas_fan_out

logger = logging.getLogger(__name__)


@shared_task
def claims_sla_dispatch(on: str | None = None) -> int:
    day = on or timezone.localdate().isoformat()
    return lpas_fan_out(claims_sla_check, day)


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def claims_sla_check(self, on: str) -> dict:
    """Findings for this LPA's overdue claims and short reserve. Safe to run twice."""
    from programme.claims.sla import sla_check_run

    result = sla_check_run(on=datetime.date.fromisoformat(on))
    logger.info(
        "claims sla %s: %s overdue, %s resolved",
        connection.schema_name,
        result["overdue"],
        result["resolved"],
    )
    return {"schema": connection.schema_name, **result}

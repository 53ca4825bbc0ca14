"""The daily service-level job: a dispatcher in public fans out one task per ready,
active LPA, which checks that LPA's waiting claims and its reserve in its own schema."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from programme.ledger.tasks import STAGGER_SECONDS
from tenants.models import Lpa, LpaStatus

logger = logging.getLogger(__name__)


@shared_task
def claims_sla_dispatch(on: str | None = None) -> int:
    day = on or timezone.localdate().isoformat()
    schemas = list(
        Lpa.objects.filter(is_ready=True, status=LpaStatus.ACTIVE)
        .order_by("pk")
        .values_list("schema_name", flat=True)
    )
    for index, schema in enumerate(schemas):
        with schema_context(schema):
            claims_sla_check.apply_async(args=[day], countdown=index * STAGGER_SECONDS)
    return len(schemas)


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

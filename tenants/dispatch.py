"""Per-LPA periodic work: one dispatcher task in public sends one task per ready,
active LPA, staggered, each running in that LPA's schema (tenant-schemas-celery reads
the schema from the connection when the task is sent)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_tenants.utils import schema_context

from tenants.models import Lpa, LpaStatus

STAGGER_SECONDS = 0.5  # 2.000 LPAs spread over about 17 minutes


def lpas_for_jobs() -> QuerySet[Lpa]:
    """The LPAs periodic work runs for: ready (their schema exists) and active."""
    return Lpa.objects.filter(is_ready=True, status=LpaStatus.ACTIVE).order_by("pk")


def lpas_fan_out(task: Any, *args: Any, stagger: float = STAGGER_SECONDS) -> int:
    """Send `task(*args)` once into every ready, active LPA, `stagger` seconds apart
    (so that many workers do not all hit the database at once); returns how many."""
    schemas = list(lpas_for_jobs().values_list("schema_name", flat=True))
    for index, schema in enumerate(schemas):
        with schema_context(schema):
            task.apply_async(args=list(args), countdown=index * stagger or None)
    return len(schemas)

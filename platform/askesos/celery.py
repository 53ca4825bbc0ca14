"""The Celery app. Its task class is tenant-schemas-celery's TenantTask, so a task sent
from a tenant's request runs in that tenant's schema and nowhere else."""

import os

from tenant_schemas_celery.app import CeleryApp

from askesos.heartbeat import WorkerHeartbeat

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "askesos.settings")

app = CeleryApp("askesos")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Each worker writes a heartbeat into Redis that /healthz reads (askesos.heartbeat).
app.steps["consumer"].add(WorkerHeartbeat)

"""The Celery app. Its task class is tenant-schemas-celery's TenantTask, so a task sent
from a tenant's request runs in that tenant's schema and nowhere else."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "askesos.settings")

app = CeleryApp("askesos")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

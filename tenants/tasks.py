from celery import shared_task

from tenants.models import Lpa
from tenants.services import lpa_provision_schema


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def lpa_provision_task(self, lpa_id: int) -> str:
    """Clone the schema of an LPA registered by the API. Safe to run twice."""
    lpa = lpa_provision_schema(lpa=Lpa.objects.get(pk=lpa_id))
    return lpa.schema_name

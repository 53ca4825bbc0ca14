"""The subsidy jobs. Each is safe to run twice (programme.subsidies.batches says how);
the broker redelivers a task whose worker died (acks_late, reject_on_worker_lost)."""

from __future__ import annotations

from celery import shared_task
from django_tenants.utils import schema_context

from programme.subsidies import batches
from programme.subsidies.models import Transfer, TransferState


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def batch_send_task(self, batch_id: int) -> str:
    """Public: hand an approved batch to the bank."""
    return batches.batch_send(batch_id=batch_id).state


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def confirmations_import_task(self) -> int:
    """Public: fetch and apply the bank's confirmations; posting follows on commit."""
    return len(batches.confirmations_import())


@shared_task
def transfers_post_dispatch() -> int:
    """Public: one posting task into each LPA that has confirmed transfers. Beat runs
    it too, so a transfer whose posting task was lost is posted on the next round."""
    schemas = list(
        Transfer.objects.filter(state=TransferState.CONFIRMED)
        .values_list("lpa__schema_name", flat=True)
        .distinct()
        .order_by("lpa__schema_name")
    )
    for schema in schemas:
        with schema_context(schema):
            transfers_post_lpa_task.apply_async()
    return len(schemas)


# The outcome is the transfers' states; nobody waits for a result (storing one in Redis
# cost 7 ms of the 31 ms an LPA's posting took through the worker).
@shared_task(
    bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3, ignore_result=True
)
def transfers_post_lpa_task(self) -> dict:
    """In one LPA's schema: post its confirmed transfers."""
    return batches.transfers_post_here()

"""The participant import's task: one ImportBatch read, checked and written in the
worker, never in a web process (programme.participants.imports).

Like every task here its base is tenant-schemas-celery's TenantTask: sent when the
upload's record is committed, in the LPA's request, it runs in that LPA's schema.

Bounds, each recorded on the batch as the reason it failed:
- time: the work looks at the clock every few hundred rows (IMPORT_TIME_LIMIT, any
  pool); Celery's soft limit 30 s later interrupts it even inside a long call
  (SoftTimeLimitExceeded); the hard limit 60 s later kills the worker process
  (prefork), which cannot record anything: the batch is marked failed when it is next
  looked at (`import_batch_expire`);
- memory: allocations beyond IMPORT_MEMORY_MB fail with MemoryError inside the work
  (askesos.limits.memory_limit explains why RLIMIT_AS); CELERY_WORKER_MAX_MEMORY_PER_CHILD
  replaces a prefork child that an import left large;
- a worker that dies with the batch (the OOM killer, a kill): the message is handed
  out again (acks late, rejected on a lost worker) and the task, finding the batch
  already running, fails it instead of running into the same death again.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

_LIMIT = int(getattr(settings, "IMPORT_TIME_LIMIT", 600))


@shared_task(
    acks_late=True,
    ignore_result=True,
    soft_time_limit=_LIMIT + 30,
    time_limit=_LIMIT + 60,
)
def participants_import_task(batch_id: int) -> str:
    from programme.participants.imports import import_run

    batch = import_run(batch_id)
    return batch.state if batch is not None else "missing"

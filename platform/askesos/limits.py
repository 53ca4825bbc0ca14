"""Bounds on what one piece of work may take from the process that runs it.

`memory_limit` makes allocations beyond a budget fail with MemoryError inside the
work, so that the work can record why it stopped and the process lives on. It sets
the soft RLIMIT_AS (address space) to the process's present size plus the budget for
the duration and puts the previous limit back afterwards. Why this and not the
alternatives (docs/subsystems/registry.md, "Imports"):

- Linux ignores RLIMIT_RSS, so address space is the only per-process limit the kernel
  enforces at the allocation itself. It counts reserved, not resident, memory, so
  the budget is added to what the process has already reserved, not set absolutely.
- Celery's `worker_max_memory_per_child` replaces a prefork child only after its task
  has finished: it undoes the growth a big import leaves behind (we set it too), but
  it never stops a task that is growing.
- A cgroup limit (Docker's `mem_limit`) kills the whole worker with the OOM killer:
  nothing records why, and the task's message is handed out again to do the same.

The limit is the process's, not the thread's: with the solo pool (one process, as in
the tests) it bounds the whole worker while the work runs.
"""

from __future__ import annotations

import resource
from collections.abc import Iterator
from contextlib import contextmanager

import psutil


@contextmanager
def memory_limit(*, budget: int) -> Iterator[None]:
    """Allow `budget` bytes of address space beyond the present size until the block
    ends (never loosening a tighter limit already in place)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = psutil.Process().memory_info().vms + budget
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft != resource.RLIM_INFINITY:
        wanted = min(wanted, soft)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))

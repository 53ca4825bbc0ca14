"""A Celery worker as a process of its own (the crash test kills it; the benchmarks
time it), in its own process group so that a signal reaches all of it."""

from __future__ import annotations

import os
import subprocess
import sys


def worker_process(
    *, name: str, concurrency: int = 1, env: dict[str, str] | None = None
) -> subprocess.Popen:
    """`concurrency` 1 is the solo pool (one process); more is the prefork pool
    (Celery's default is one process per CPU). `env` is added to this process's."""
    pool = ["--pool", "solo"] if concurrency == 1 else ["--concurrency", str(concurrency)]
    command = [sys.executable, "-m", "celery", "-A", "askesos", "worker", *pool]
    command += ["--without-mingle", "--without-gossip", "-n", f"{name}@%h", "-l", "WARNING"]
    return subprocess.Popen(command, env={**os.environ, **(env or {})}, start_new_session=True)

"""A daily job of the tests' own, registered for a test with `register`: its work
notes where and for which day it ran, can be told to fail for one LPA's day, and can
be held until the test lets it finish. The Celery worker of the tests runs in a thread
of the test process, so it sees the same registry and the same notes."""

from __future__ import annotations

import datetime
import threading

from django.db import connection

from tenants.jobs import DAILY_JOBS, DailyJob

NAME = "uji-harian"
calls: list[tuple[str, datetime.date]] = []
broken: set[tuple[str, datetime.date]] = set()  # (schema, day) that fail
hold = threading.Event()  # set: work runs through; clear: work waits for it
entered = threading.Event()


def note_day(*, on: datetime.date) -> dict:
    calls.append((connection.schema_name, on))
    entered.set()
    if not hold.wait(timeout=60):
        raise TimeoutError("the test never let the work finish")
    if (connection.schema_name, on) in broken:
        raise RuntimeError(f"broken on {on.isoformat()}")
    return {"schema": connection.schema_name}


def register(monkeypatch) -> DailyJob:
    calls.clear()
    broken.clear()
    entered.clear()
    hold.set()
    job = DailyJob(
        name=NAME,
        label="Uji harian",
        work="tests.tenants.jobs_helpers.note_day",
        schedule="Uji harian",
        at=("0", "3"),
    )
    monkeypatch.setitem(DAILY_JOBS, NAME, job)
    return job

"""Celery workers say they are alive by writing into Redis; `/healthz` reads it.

Every worker's consumer writes its name and Redis's clock into one sorted set every
HEARTBEAT_SECONDS, from its own event loop: a worker that lost its broker connection
or hangs stops writing. A worker that stops cleanly takes its name out at once. Both
sides use Redis's clock (TIME), so web and worker machines need not agree on the time.

Cheaper and steadier than `celery inspect ping` (a broadcast and a wait of a second or
more per check): one round trip to Redis for the reader.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

import redis
from celery import bootsteps
from django.conf import settings

logger = logging.getLogger(__name__)

WORKERS_KEY = "askesos:health:workers"
HEARTBEAT_SECONDS = 10
# A worker not heard from for this long is taken as gone. Its event loop runs the
# heartbeat, so with the solo pool a task running longer than this makes it look gone.
WORKER_SILENT_SECONDS = 60
# Names not heard from for this long are removed by the next heartbeat.
FORGET_SECONDS = 24 * 3600


@cache
def redis_client() -> redis.Redis:
    """The Redis of REDIS_URL, with short timeouts: a health check must answer soon.
    redis-py's pool reconnects after a fork and after Redis comes back."""
    return redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2, health_check_interval=30
    )


def _redis_now(client: redis.Redis) -> float:
    seconds, microseconds = client.time()
    return seconds + microseconds / 1_000_000


def heartbeat_write(hostname: str) -> None:
    client = redis_client()
    now = _redis_now(client)
    with client.pipeline(transaction=False) as pipe:
        pipe.zadd(WORKERS_KEY, {hostname: now})
        pipe.zremrangebyscore(WORKERS_KEY, "-inf", now - FORGET_SECONDS)
        pipe.expire(WORKERS_KEY, FORGET_SECONDS)
        pipe.execute()


def heartbeat_forget(hostname: str) -> None:
    redis_client().zrem(WORKERS_KEY, hostname)


def workers_alive() -> tuple[int, float | None]:
    """(how many workers were heard from in the last WORKER_SILENT_SECONDS, seconds since
    the latest heartbeat or None). Raises redis errors: Redis down is for the caller."""
    with redis_client().pipeline(transaction=False) as pipe:
        pipe.time()
        pipe.zrange(WORKERS_KEY, 0, -1, withscores=True)
        (seconds, microseconds), members = pipe.execute()
    now = seconds + microseconds / 1_000_000
    ages = [now - score for _name, score in members]
    alive = [age for age in ages if age <= WORKER_SILENT_SECONDS]
    return len(alive), (round(min(ages), 1) if ages else None)


class WorkerHeartbeat(bootsteps.StartStopStep):
    """A consumer bootstep (askesos.celery adds it): starts with the consumer, after
    it has begun taking tasks, and stops with it."""

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        self.timer_entry = None
        self.hostname = ""
        super().__init__(parent, **kwargs)

    def start(self, parent: Any) -> None:
        self.hostname = parent.hostname
        self._beat()
        self.timer_entry = parent.timer.call_repeatedly(HEARTBEAT_SECONDS, self._beat)

    def stop(self, parent: Any) -> None:
        if self.timer_entry is not None:
            self.timer_entry.cancel()
            self.timer_entry = None
        try:
            heartbeat_forget(self.hostname)
        except redis.RedisError:
            pass  # then it falls silent, and is taken as gone a minute later

    shutdown = terminate = stop

    def _beat(self) -> None:
        try:
            heartbeat_write(self.hostname)
        except redis.RedisError as exc:
            logger.warning("worker heartbeat not written, Redis unreachable: %s", exc)

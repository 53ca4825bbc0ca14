"""What the platform does while PostgreSQL, Redis or the Celery broker cannot be reached.

- **PostgreSQL down**: every request that needs it answers 503 with `Retry-After`: in
  the API's error shape under `/api/`, a page in Bahasa Indonesia (then English)
  elsewhere (`askesos.errors.server_error` asks `outage_of` what failed). Nothing is
  kept from the outage: each request tries a fresh connection (`CONN_HEALTH_CHECKS`),
  so the first request after PostgreSQL is back is served.
- **Redis down**: the cache (`TolerantRedisCache`) answers as an empty cache, so pages
  and the API keep working, unthrottled and uncached; a task whose sending fails after
  its change committed is sent later by its sweep (`send_on_commit`); anything else
  that needed the broker is a 503 like the above.
- `/healthz` (askesos.health) says which of them is down.

An outage is recognised by the exception's type and, for PostgreSQL, by its SQLSTATE:
a lost or refused connection, the server shutting down or starting, no free
connection slot. A deadlock or a statement timeout is a bug or a load problem, a 500.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any

import kombu.exceptions
import psycopg
import redis.exceptions
from django.core.cache.backends.redis import RedisCache
from django.db import InterfaceError as DatabaseInterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)

# Seconds a client is asked to wait: about what a PostgreSQL restart or a Redis
# failover takes. The 503 page reloads itself after the same time.
RETRY_AFTER_SECONDS = 30
MESSAGE = gettext_lazy(
    "The service is temporarily unavailable. Your data is safe; try again in a moment."
)
REDIS_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
# What sending a task raises when the broker cannot be reached: kombu's wrapper of the
# transport's connection errors, and a socket error it did not wrap.
BROKER_ERRORS = (kombu.exceptions.OperationalError, *REDIS_ERRORS, OSError)
# SQLSTATE of a connection that failed or a server that cannot take one: class 08
# (connection exception), 57P01-57P03 (shutdown, crash, starting up), 53300 (too many
# connections). psycopg gives None for a failure on the client's side (refused, reset).
_DATABASE_DOWN_STATES = ("57P01", "57P02", "57P03", "53300")


def outage_of(exc: BaseException | None) -> str | None:
    """ "database", "redis" or "broker" when `exc` says that service cannot be reached;
    None for any other error. Follows `raise ... from` (Django wraps psycopg's errors)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, DatabaseInterfaceError):
            return "database"  # "connection already closed"
        if isinstance(exc, psycopg.OperationalError):
            state = exc.sqlstate
            if state is None or state.startswith("08") or state in _DATABASE_DOWN_STATES:
                return "database"
            return None
        if isinstance(exc, DatabaseOperationalError) and exc.__cause__ is None:
            return None
        if isinstance(exc, REDIS_ERRORS):
            return "redis"
        if isinstance(exc, kombu.exceptions.OperationalError):
            return "broker"
        exc = exc.__cause__
    return None


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: the API's error shape under /api/, a page elsewhere. Reads
    nothing from the database (no session, no user, no tenant)."""
    if request.path.startswith("/api/"):
        from askesos.errors import error_json

        response = error_json("service_unavailable", MESSAGE, 503)
    else:
        page = render_to_string("askesos/unavailable.html", {"retry_after": RETRY_AFTER_SECONDS})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class OutageLogFilter(logging.Filter):
    """django.request logs each failed request with its traceback; during an outage that
    is one identical traceback per request. Says it in one line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        service = outage_of(exc)
        if service is not None:
            first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            record.msg = f"{record.msg} ({service} unreachable: %s)"
            record.args = (*(record.args or ()), first_line)
            record.exc_info = None
            record.exc_text = None
        return True


def send_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Send `task` once the current transaction commits. A broker that cannot be reached
    is logged, not raised: the change is committed and the request has succeeded.
    Only for tasks that a sweep sends again when their work is found undone."""

    def send() -> None:
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except BROKER_ERRORS as exc:
            logger.warning(
                "%s%r not sent, the broker is unreachable (%s); its sweep will do it",
                task.name,
                args,
                exc,
            )

    transaction.on_commit(send)


_cache_warned_at = 0.0
CACHE_WARN_EVERY = 30.0


def _cache_warn(exc: Exception) -> None:
    global _cache_warned_at
    now = time.monotonic()
    if now - _cache_warned_at > CACHE_WARN_EVERY:
        _cache_warned_at = now
        logger.warning("cache unreachable, answering as an empty cache: %s", exc)


def _tolerant(method: Callable, fallback: Callable) -> Callable:
    """`method` of Django's RedisCache, answering `fallback(*args)` while Redis is down."""

    @functools.wraps(method)
    def call(self: RedisCache, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except REDIS_ERRORS as exc:
            _cache_warn(exc)
            return fallback(*args, **kwargs)

    return call


def _nothing(*args: Any, **kwargs: Any) -> None:
    return None


def _no(*args: Any, **kwargs: Any) -> bool:
    return False


class TolerantRedisCache(RedisCache):
    """Django's Redis cache that, while Redis cannot be reached, answers as an empty
    cache (a read finds nothing, a write is dropped) instead of failing the request:
    the cache holds nothing that exists nowhere else (throttle counters, public figures
    computed again on a miss). A warning is logged at most every CACHE_WARN_EVERY
    seconds per process. `incr` still fails: a counter cannot be made up."""

    add = _tolerant(RedisCache.add, _no)
    get = _tolerant(RedisCache.get, lambda key, default=None, version=None: default)
    set = _tolerant(RedisCache.set, _nothing)
    touch = _tolerant(RedisCache.touch, _no)
    delete = _tolerant(RedisCache.delete, _no)
    get_many = _tolerant(RedisCache.get_many, lambda keys, version=None: {})
    has_key = _tolerant(RedisCache.has_key, _no)
    set_many = _tolerant(RedisCache.set_many, lambda data, *args, **kwargs: list(data))
    delete_many = _tolerant(RedisCache.delete_many, _nothing)
    clear = _tolerant(RedisCache.clear, _no)

"""`/healthz`: is the platform able to work, and if not, what is down.

    GET /healthz                          database, redis, worker (and broker, when it is
                                          not the Redis of REDIS_URL)
    GET /healthz?checks=database,redis    only these: what a web node needs to serve

200 when every check passes, 503 when one fails, always JSON:

    {"status": "down", "down": ["database"],
     "checks": {"database": {"status": "down", "error": "unreachable", "ms": 0.4},
                "redis": {"status": "ok", "ms": 0.3},
                "worker": {"status": "ok", "ms": 0.5, "workers": 1, "last_seen_seconds": 3.2}}}

Answered by HealthCheckMiddleware, first in the stack, before the tenant is looked up
(that needs the database) and whatever the Host header says (a load balancer asks by
address). Each check is one round trip with a short timeout. The body names no host,
port or error text: operators read those in the log, where each failure is written.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from askesos import heartbeat
from askesos.availability import BROKER_ERRORS, REDIS_ERRORS, outage_of
from askesos.errors import error_body, error_item

logger = logging.getLogger(__name__)

PATH = "/healthz"


class WorkerSilent(Exception):
    pass


def check_database() -> dict:
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {}


def check_redis() -> dict:
    heartbeat.redis_client().ping()
    return {}


def check_broker() -> dict:
    from askesos.celery import app

    with app.connection_for_write(settings.CELERY_BROKER_URL, connect_timeout=2) as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    return {}


def check_worker() -> dict:
    alive, last_seen = heartbeat.workers_alive()
    details = {"workers": alive, "last_seen_seconds": last_seen}
    if not alive:
        raise WorkerSilent(details)
    return details


def _broker_is_redis_url() -> bool:
    return settings.CELERY_BROKER_URL == settings.REDIS_URL


def available_checks() -> dict[str, Callable[[], dict]]:
    checks = {"database": check_database, "redis": check_redis}
    if not _broker_is_redis_url():
        checks["broker"] = check_broker
    checks["worker"] = check_worker
    return checks


def _run(name: str, check: Callable[[], dict]) -> dict:
    started = time.perf_counter()
    try:
        result = {"status": "ok", **check()}
    except WorkerSilent as exc:
        result = {"status": "down", "error": "no_heartbeat", **exc.args[0]}
    except Exception as exc:  # a check must answer, whatever went wrong
        if name == "worker" and isinstance(exc, REDIS_ERRORS):
            error = "redis_unreachable"
        elif outage_of(exc) is not None or isinstance(exc, BROKER_ERRORS | (redis.RedisError,)):
            error = "unreachable"
        else:
            error = "failed"
        logger.warning("health check %s: %s: %s", name, type(exc).__name__, exc)
        result = {"status": "down", "error": error}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def healthz(request: HttpRequest) -> HttpResponse:
    checks = available_checks()
    asked = request.GET.get("checks")
    if asked:
        names = [name.strip() for name in asked.split(",") if name.strip()]
        unknown = [name for name in names if name not in checks]
        if unknown or not names:
            message = _("Unknown check: %(unknown)s. Known: %(known)s.") % {
                "unknown": ", ".join(unknown) or "-",
                "known": ", ".join(checks),
            }
            return JsonResponse(error_body([error_item("invalid", message, "checks")]), status=400)
        checks = {name: checks[name] for name in names}
    results = {name: _run(name, check) for name, check in checks.items()}
    down = [name for name, result in results.items() if result["status"] != "ok"]
    response = JsonResponse(
        {"status": "down" if down else "ok", "down": down, "checks": results},
        status=503 if down else 200,
    )
    response["Cache-Control"] = "no-store"
    # Each failed check was logged above; Django would add an error line per request.
    response._has_been_logged = True
    return response


class HealthCheckMiddleware:
    """Answers /healthz before anything else runs (first in MIDDLEWARE)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == PATH:
            return healthz(request)
        return self.get_response(request)

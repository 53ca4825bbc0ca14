"""How repeated failed sign-ins are slowed down, without handing anyone a way to lock
another person out.

The rule, on top of django-axes (which records every failure per username, client
address and browser, AccessAttempt):

- **Per account and address, progressive delays.** The first AXES_FAILURE_LIMIT wrong
  passwords for one username from one address cost nothing; each further one makes
  that pair wait longer before the next try: SIGN_IN_DELAY_SECONDS, then twice as long
  each time, up to SIGN_IN_DELAY_MAX_SECONDS. Tries made while waiting are refused
  unread and do not lengthen the wait. The same account from another address (the
  owner at the office, while someone guesses from elsewhere) is not slowed at all, so
  nobody can lock an account they do not sit next to. Failures are forgotten
  AXES_COOLOFF_TIME hours after the last one, and at once on a successful sign-in.
- **Per address, password spraying.** An address that failed on SIGN_IN_SPRAY_ACCOUNTS
  different usernames within SIGN_IN_SPRAY_WINDOW_SECONDS (one password tried against
  many accounts) may not try any account until that many failures are no longer that
  recent; the moment is logged at ERROR on `askesos.security` (Sentry alerts on it
  when SENTRY_DSN is set).
- **Per address, a plain rate** (SignInThrottleMiddleware): at most the "sign_in" rate
  of REST_FRAMEWORK's DEFAULT_THROTTLE_RATES sign-in posts a minute, whatever the
  usernames, counted across every host.

Every address is the one askesos.client_address trusts (TRUSTED_PROXIES).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import throttling

from askesos.api import RateFromSettings
from askesos.client_address import client_address

security_log = logging.getLogger("askesos.security")


def delay_after(failures: int) -> timedelta:
    """How long one username+address waits after its `failures`-th failure in a row."""
    limit = settings.AXES_FAILURE_LIMIT
    if failures < limit:
        return timedelta(0)
    doublings = min(failures - limit, 30)
    seconds = settings.SIGN_IN_DELAY_SECONDS * 2**doublings
    return timedelta(seconds=min(seconds, settings.SIGN_IN_DELAY_MAX_SECONDS))


@dataclass(frozen=True)
class Refusal:
    reason: str  # "account_delay" or "spraying"
    wait_seconds: int


def _accounts_failed_from(address: str) -> int:
    since = timezone.now() - timedelta(seconds=settings.SIGN_IN_SPRAY_WINDOW_SECONDS)
    return (
        AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since)
        .values("username")
        .distinct()
        .count()
    )


def _spraying_wait(address: str) -> int:
    """Seconds until `address` has failed on fewer than SIGN_IN_SPRAY_ACCOUNTS usernames
    within the window (0: it is not spraying)."""
    threshold = settings.SIGN_IN_SPRAY_ACCOUNTS
    window = timedelta(seconds=settings.SIGN_IN_SPRAY_WINDOW_SECONDS)
    now = timezone.now()
    latest_per_username = (
        AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=now - window)
        .values("username")
        .annotate(last=Max("attempt_time"))
        .order_by("-last")
        .values_list("last", flat=True)
    )
    recent = list(latest_per_username[:threshold])
    if len(recent) < threshold:
        return 0
    # The refusal lifts when the threshold-th most recent account's failure leaves the window.
    return max(1, math.ceil((recent[-1] + window - now).total_seconds()))


class ProgressiveDelayHandler(AxesDatabaseHandler):
    """axes' database handler, with the module's rule deciding who is refused."""

    def refusal(self, request: HttpRequest, credentials: dict | None = None) -> Refusal | None:
        address = request.axes_ip_address
        if address and (wait := _spraying_wait(address)):
            return Refusal("spraying", wait)
        totals = [
            attempts.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            for attempts in self.get_user_attempts(request, credentials)
        ]
        worst = max(totals, key=lambda total: total["failures"] or 0, default=None)
        if not worst or not worst["failures"]:
            return None
        until = worst["last"] + delay_after(worst["failures"])
        wait = math.ceil((until - timezone.now()).total_seconds())
        return Refusal("account_delay", wait) if wait > 0 else None

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return self.refusal(request, credentials) is not None

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        # Refused unread (already waiting): axes records nothing, neither do we.
        refused_unread = request is not None and getattr(request, "axes_locked_out", False)
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or refused_unread:
            return
        address = request.axes_ip_address
        if address and _accounts_failed_from(address) == settings.SIGN_IN_SPRAY_ACCOUNTS:
            security_log.error(
                "Password spraying: address %s failed to sign in as %d different users "
                "within %d seconds; it may not try again until they age out.",
                address,
                settings.SIGN_IN_SPRAY_ACCOUNTS,
                settings.SIGN_IN_SPRAY_WINDOW_SECONDS,
            )
        if self.refusal(request, credentials) is not None:
            # Refuse this answer too: the page says how long to wait.
            request.axes_locked_out = True
            request.axes_credentials = credentials


def _wait_text(seconds: int) -> str:
    if seconds < 120:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def _too_many(request: HttpRequest, message: str, wait_seconds: int) -> HttpResponse:
    response = render(
        request,
        "registration/locked_out.html",
        {"message": message},
        status=429,
    )
    response["Retry-After"] = str(max(1, wait_seconds))
    return response


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: a page saying why and for how long, 429 with Retry-After."""
    from axes.handlers.proxy import AxesProxyHandler

    handler = AxesProxyHandler.get_implementation()
    refusal = handler.refusal(request, credentials) if hasattr(handler, "refusal") else None
    if refusal is None:  # the wait ended between the check and this answer
        refusal = Refusal("account_delay", 1)
    if refusal.reason == "spraying":
        message = _(
            "Too many failed sign-ins from your network, for several accounts. Try again in "
            "%(wait)s."
        ) % {"wait": _wait_text(refusal.wait_seconds)}
    else:
        username = get_client_username(request, credentials) or ""
        message = _(
            "Too many wrong passwords for %(username)s from your address. Try again in "
            "%(wait)s. Signing in from elsewhere is not affected."
        ) % {"username": username, "wait": _wait_text(refusal.wait_seconds)}
    return _too_many(request, message, refusal.wait_seconds)


# --- the plain rate of sign-in posts per address -----------------------------------------


class SignInThrottle(RateFromSettings, throttling.SimpleRateThrottle):
    """DRF's rate throttle on sign-in posts, per trusted client address, shared by every
    host (its cache keys carry no tenant: an address spreading its tries over many LPA
    hosts is still one address)."""

    scope = "sign_in"

    @property
    def cache(self):  # type: ignore[override]
        from django.core.cache import caches

        return caches["shared"]

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}


class SignInThrottleMiddleware:
    """Applies SignInThrottle to every sign-in form (SIGN_IN_PATHS: ours and the admin's),
    so that the sign-in views themselves stay free of it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path in settings.SIGN_IN_PATHS:
            throttle = SignInThrottle()
            if not throttle.allow_request(request, None):
                wait = math.ceil(throttle.wait() or throttle.duration)
                message = _(
                    "Too many sign-in attempts from your network. Try again in %(wait)s."
                ) % {"wait": _wait_text(wait)}
                return _too_many(request, message, wait)
        return self.get_response(request)

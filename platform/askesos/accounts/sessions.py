"""How long a sign-in lasts: SESSION_COOKIE_AGE (8 hours) from the sign-in whatever
happens, and for the roles that move money or see many LPAs (SESSION_IDLE_LPA_ROLES:
the Ketua and the Bendahara; every government user) only SESSION_IDLE_TIMEOUT_SECONDS
(30 minutes) without a request. SESSION_IDLE_TIMEOUT_OTHER_SECONDS applies to the other
LPA roles (0: none).

An ended session signs the user out: a page sends them to the sign-in form with the
address they asked for as `next`, so that they come back to it; the API answers 403
`session_expired` in the one error shape.

Django alone cannot keep an absolute limit here: it renews the session's expiry each
time the session is saved, and the idle clock saves it (at most once a minute).
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext
from django_tenants.utils import get_public_schema_name

from askesos.errors import error_json
from askesos.permissions import membership_of, scope_of

SIGNED_IN_AT = "askesos_signed_in_at"
LAST_SEEN = "askesos_last_seen"
IDLE_LIMIT = "askesos_idle_limit"
# The idle clock is written at most this often (one session save a minute, not one a
# request).
_LAST_SEEN_RESOLUTION = 60


def idle_limit_for(user: Any) -> int:
    """Seconds without a request after which `user`'s session ends here (0: never)."""
    if connection.schema_name == get_public_schema_name():
        if user.is_superuser or scope_of(user) is not None:
            return settings.SESSION_IDLE_TIMEOUT_SECONDS
        return settings.SESSION_IDLE_TIMEOUT_OTHER_SECONDS
    membership = membership_of(user)
    if membership is not None and membership.role in settings.SESSION_IDLE_LPA_ROLES:
        return settings.SESSION_IDLE_TIMEOUT_SECONDS
    return settings.SESSION_IDLE_TIMEOUT_OTHER_SECONDS


def session_start(sender, request, user, **kwargs) -> None:
    """user_logged_in: the absolute and the idle clock start now."""
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now
    request.session.pop(IDLE_LIMIT, None)


def _ended(session, now: int) -> tuple[str, int] | None:
    signed_in = session.setdefault(SIGNED_IN_AT, now)
    if now - signed_in > settings.SESSION_COOKIE_AGE:
        return "absolute", settings.SESSION_COOKIE_AGE
    limit = session.get(IDLE_LIMIT) or 0
    last_seen = session.get(LAST_SEEN, now)
    if limit and now - last_seen > limit:
        return "idle", limit
    return None


class SessionTimeoutMiddleware:
    """Ends sessions past either limit (after AuthenticationMiddleware, MessageMiddleware
    and TenantSessionMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.get_response(request)
        session = request.session
        now = int(time.time())
        if IDLE_LIMIT not in session:
            session[IDLE_LIMIT] = idle_limit_for(request.user)
        ended = _ended(session, now)
        if ended is not None:
            return self._sign_out(request, *ended)
        if now - session.get(LAST_SEEN, 0) >= _LAST_SEEN_RESOLUTION:
            session[LAST_SEEN] = now
        return self.get_response(request)

    @staticmethod
    def _sign_out(request: HttpRequest, why: str, seconds: int) -> HttpResponse:
        logout(request)
        if why == "idle":
            minutes = max(1, seconds // 60)
            message = ngettext(
                "You were signed out after %(minutes)d minute without activity. Sign in again "
                "to continue where you were.",
                "You were signed out after %(minutes)d minutes without activity. Sign in again "
                "to continue where you were.",
                minutes,
            ) % {"minutes": minutes}
        else:
            hours = max(1, seconds // 3600)
            message = ngettext(
                "A sign-in lasts at most %(hours)d hour. Sign in again to continue where you were.",
                "A sign-in lasts at most %(hours)d hours. Sign in again to continue where you "
                "were.",
                hours,
            ) % {"hours": hours}
        if request.path.startswith("/api/"):
            return error_json("session_expired", message, 403)
        messages.info(request, message)
        # A form posted after the end cannot be replayed: back to its page, not the post.
        return redirect_to_login(
            request.get_full_path() if request.method == "GET" else request.path
        )

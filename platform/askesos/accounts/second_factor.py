"""A second factor at sign-in: a code from an authenticator app (TOTP, RFC 6238) or a
one-time recovery code, with django-otp's devices (TOTPDevice, StaticDevice) in the
public schema, where the users are.

Who must use one: the LPA's Ketua and Bendahara (they move money), every government
user and anyone who may open `/admin/`. Anyone else may turn it on at `/akun/keamanan/`
and then must use it too. Who must and has no device yet enrols on the first sign-in
(`/masuk/kode-baru/`): scan the code, type one code to confirm, keep the ten recovery
codes shown once.

The password step signs the user in as usual (Django's login: a fresh session key);
until the second step succeeds, SecondFactorMiddleware lets the session reach only the
second-factor pages and sign-out: every other page redirects there, every API call
answers 403 `second_factor_required`. A verified session carries the device's id
(django_otp.login), which django-otp's OTPMiddleware checks on every request.

An administrator who resets a user's second factor (`askesos second-factor-reset`)
must give a reason; the reset is logged with it (django-auditlog).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from askesos.errors import DomainError, error_json
from askesos.permissions import membership_of, scope_of
from askesos.roles import LpaRole

log = logging.getLogger(__name__)

# The LPA roles that move money and so must use a second factor.
MONEY_ROLES = frozenset({LpaRole.KETUA, LpaRole.BENDAHARA})
RECOVERY_CODES = 10
APP_DEVICE = "aplikasi"  # the TOTP device's name
RECOVERY_DEVICE = "kode-cadangan"
# Where a signed-in session may go before its second step: those pages, sign-out.
OPEN_PATHS = ("/masuk/", "/keluar/", "/healthz", "/static/")
NEXT_KEY = "askesos_second_factor_next"


class SecondFactorError(DomainError):
    messages = {
        "code_wrong": gettext_lazy(
            "That code is not right, or was already used. Type the 6 digits the app shows "
            "now, or one of your recovery codes."
        ),
        "code_wait": gettext_lazy(
            "Too many wrong codes: wait %(seconds)s seconds, then type the code the app "
            "shows at that moment."
        ),
        "reason_required": gettext_lazy(
            "Give the reason for resetting the second factor (at least 10 characters)."
        ),
        "still_required": gettext_lazy(
            "Your role must use a second factor: it cannot be turned off."
        ),
    }


def second_factor_required(user: Any) -> bool:
    """Must `user` use a second factor where the request is (the portal or an LPA)?
    Those whose role requires it, and anyone who has turned one on."""
    return second_factor_role_requires(user) or second_factor_enrolled(user)


def second_factor_role_requires(user: Any) -> bool:
    """Government users, staff who may open the admin, the Ketua and the Bendahara (of
    the LPA the request is for)."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser or scope_of(user) is not None:
        return True
    membership = membership_of(user)
    return membership is not None and membership.role in MONEY_ROLES


def second_factor_enrolled(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_device_pending(user: Any) -> TOTPDevice:
    """The app device being enrolled (unconfirmed), made on first use; its key is shown
    as a QR code until the user confirms it with one code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE, confirmed=False, tolerance=1)
    return device


@transaction.atomic
def totp_enrol_confirm(*, request: HttpRequest, token: str) -> list[str]:
    """Confirm the pending app device with one code; replace any older device; make
    new recovery codes and return them (shown once). The session is verified."""
    user = request.user
    device = totp_device_pending(user)
    if not device.verify_token(_digits(token)):
        raise SecondFactorError("code_wrong", field="token")
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_make(user)
    otp_login(request, device)
    log.info("second factor enrolled", extra={"user_id": user.pk})
    return codes


@transaction.atomic
def recovery_codes_make(user: Any) -> list[str]:
    """Ten new single-use recovery codes; the old ones stop working."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def second_factor_verify(*, request: HttpRequest, token: str) -> None:
    """Check a code from the app or a recovery code (used once) and verify the session.
    After each wrong code the next try waits twice as long (django-otp's throttling: 1,
    2, 4 ... seconds), so six digits cannot be guessed."""
    now = timezone.now()
    for device in devices_for_user(request.user):
        allowed, info = device.verify_is_allowed()
        if not allowed and info and info.get("locked_until"):
            seconds = max(1, int((info["locked_until"] - now).total_seconds()) + 1)
            raise SecondFactorError("code_wait", field="token", seconds=seconds)
    cleaned = token.strip().replace(" ", "").lower()
    device = match_token(request.user, _digits(cleaned) if cleaned.isdigit() else cleaned)
    if device is None or not device.confirmed:
        log.warning("second factor refused", extra={"user_id": request.user.pk})
        raise SecondFactorError("code_wrong", field="token")
    otp_login(request, device)


@transaction.atomic
def second_factor_off(*, user: Any) -> None:
    """Turn the second factor off, for a user whose role does not need it."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    if second_factor_role_requires(user):
        raise SecondFactorError("still_required")


@transaction.atomic
def second_factor_reset(*, user: Any, actor: Any, reason: str) -> None:
    """An administrator's reset: the user's devices go, the next sign-in enrols anew;
    logged with the reason."""
    from auditlog.models import LogEntry

    reason = " ".join(reason.split())
    if len(reason) < 10:
        raise SecondFactorError("reason_required", field="reason")
    removed = TOTPDevice.objects.filter(user=user).count()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    LogEntry.objects.log_create(
        user,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        actor=actor,
        changes={"second_factor": ["enrolled" if removed else "none", "reset"]},
        additional_data={"event": "second_factor_reset", "reason": reason},
    )
    log.warning(
        "second factor reset",
        extra={"user_id": user.pk, "actor_id": getattr(actor, "pk", None)},
    )


def _digits(token: str) -> str:
    return "".join(ch for ch in token if ch.isdigit())[:8]


def session_verified(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_verified", lambda: False)())


class SecondFactorMiddleware:
    """A signed-in session that has not passed its second step reaches only the
    second-factor pages and sign-out (after django_otp's OTPMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(OPEN_PATHS)
            and not session_verified(request)
            and second_factor_required(user)
        ):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            return error_json(
                "second_factor_required",
                _("Confirm your sign-in with the code from your authenticator app first."),
                403,
            )
        target = (
            reverse("second-factor")
            if second_factor_enrolled(request.user)
            else reverse("second-factor-enrol")
        )
        wanted = request.get_full_path()
        if request.method == "GET" and url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={request.get_host()}
        ):
            target += "?" + urlencode({"next": wanted})
        return redirect(target)


def next_url(request: HttpRequest) -> str:
    """Where to go after the second step: the page asked for, on this host."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return resolve_url(settings.LOGIN_REDIRECT_URL)


# A device without codes, for sessions made by code rather than a browser.
TOOL_DEVICE = "alat"


def session_trusted(session: Any, user: Any) -> None:
    """Mark a session that code signed in (Client.force_login in the benchmarks and the
    tests) as past its second step: it names a device of the user's own that holds no
    code, so nobody can sign in with it."""
    from django_otp import DEVICE_ID_SESSION_KEY

    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=TOOL_DEVICE, defaults={"confirmed": True}
    )
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

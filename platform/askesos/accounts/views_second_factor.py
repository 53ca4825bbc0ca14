"""The second step of signing in, enrolling an authenticator app, and the account's
security page (askesos.accounts.second_factor)."""

from __future__ import annotations

from base64 import b32encode
from functools import wraps

import segno
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_tenants.utils import get_public_schema_name

from askesos.accounts.second_factor import (
    SecondFactorError,
    next_url,
    recovery_codes_make,
    second_factor_enrolled,
    second_factor_off,
    second_factor_required,
    second_factor_role_requires,
    second_factor_verify,
    session_verified,
    totp_device_pending,
    totp_enrol_confirm,
)
from askesos.permissions import AccessDenied, membership_of, scope_of


def belongs_here(view):
    """The account's pages open where the user may sign in: on the portal for
    government users and administrators, on an LPA's address for its active team."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if connection.schema_name == get_public_schema_name():
            if scope_of(user) is None and not user.is_staff:
                raise AccessDenied("not_government")
        else:
            membership = membership_of(user)
            if membership is None or not membership.is_active:
                raise AccessDenied("not_member")
        return view(request, *args, **kwargs)

    return wrapper


@never_cache
@sensitive_post_parameters("token")
@login_required
@belongs_here
def second_factor_page(request: HttpRequest) -> HttpResponse:
    """The code after the password: from the app, or a recovery code."""
    if session_verified(request):
        return redirect(next_url(request))
    if not second_factor_enrolled(request.user):
        return redirect("second-factor-enrol")
    error = None
    if request.method == "POST":
        try:
            second_factor_verify(request=request, token=request.POST.get("token", "")[:40])
        except SecondFactorError as refused:
            error = refused.message
        else:
            return redirect(next_url(request))
    context = {"error": error, "next": next_url(request)}
    return render(request, "registration/second_factor.html", context)


@never_cache
@sensitive_post_parameters("token")
@login_required
@belongs_here
def second_factor_enrol_page(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: on the first sign-in of a user who must, or from the
    security page. Someone with an app already enrolled must pass it first: a password
    alone never enrols a new app."""
    if second_factor_enrolled(request.user) and not session_verified(request):
        return redirect("second-factor")
    device = totp_device_pending(request.user)
    error = None
    if request.method == "POST":
        try:
            codes = totp_enrol_confirm(request=request, token=request.POST.get("token", "")[:40])
        except SecondFactorError as refused:
            error = refused.message
        else:
            return _codes_shown(request, codes, first=True)
    text = b32encode(device.bin_key).decode().rstrip("=")
    context = {
        "error": error,
        "qr": mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=4)),  # noqa: S308 (our own SVG)
        "secret": " ".join(text[i : i + 4] for i in range(0, len(text), 4)),
        "required": second_factor_required(request.user),
        "next": next_url(request),
    }
    return render(request, "registration/second_factor_enrol.html", context)


def _codes_shown(request: HttpRequest, codes: list[str], *, first: bool) -> HttpResponse:
    context = {"codes": codes, "first": first, "next": next_url(request)}
    return render(request, "registration/recovery_codes.html", context)


@never_cache
@login_required
@belongs_here
def account_security_page(request: HttpRequest) -> HttpResponse:
    """The user's second factor: on or off, new recovery codes, turning it off where
    the role allows."""
    enrolled = second_factor_enrolled(request.user)
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "codes" and enrolled:
            return _codes_shown(request, recovery_codes_make(request.user), first=False)
        if action == "off" and enrolled:
            try:
                second_factor_off(user=request.user)
            except SecondFactorError as refused:
                error = refused.message
            else:
                return redirect("account-security")
    context = {
        "enrolled": enrolled,
        "required": second_factor_role_requires(request.user),
        "error": error,
    }
    return render(request, "accounts/security.html", context)

"""Request plumbing: which tenant, which language, and whether this session belongs here."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.postgresql_backend.base import FakeTenant
from django_tenants.utils import get_public_schema_name

from askesos.errors import error_json

SESSION_TENANT_KEY = "askesos_schema"
_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def is_public(request: HttpRequest) -> bool:
    return getattr(request, "tenant", None) is None or (
        request.tenant.schema_name == get_public_schema_name()
    )


class TenantHostMiddleware(TenantMainMiddleware):
    """BASE_DOMAIN (the government portal) is the public schema without a tenant row;
    any other host must be a known LPA domain or the request ends in a 404."""

    def process_request(self, request: HttpRequest):
        try:
            hostname = self.hostname_from_request(request)
        except DisallowedHost:
            return HttpResponseNotFound()
        if hostname in settings.PORTAL_HOSTS:
            connection.set_schema_to_public()
            tenant = FakeTenant(get_public_schema_name())
            tenant.domain_url = hostname
            request.tenant = tenant
            self.setup_url_routing(request, force_public=True)
            return None
        return super().process_request(request)


class LanguageMiddleware:
    """Bahasa Indonesia unless the user chose English (cookie or ?lang=).

    Browsers' Accept-Language is ignored for pages (many Indonesian phones report
    English); API clients may ask for English with Accept-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        supported = {code for code, _name in settings.LANGUAGES}
        language = request.GET.get("lang") or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in supported and request.path.startswith("/api/"):
            language = translation.get_language_from_request(request, check_path=False)
        if language not in supported:
            language = settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # override() restores the previous language afterwards, so nothing that runs
        # later in this thread (another request, a task) inherits this user's choice.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        if request.GET.get("lang") in supported:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax"
            )
        return response


class TenantSessionMiddleware:
    """A session is valid only on the host it was signed in on.

    Sessions live in the public schema; this binds each one to its schema so that a
    session cookie replayed against another LPA's host is signed out, not trusted.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            bound = request.session.get(SESSION_TENANT_KEY)
            if bound != connection.schema_name:
                logout(request)
        return self.get_response(request)


class TenantStatusMiddleware:
    """Not-ready tenants answer 503; archived ones 410; suspended ones are read-only."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_public(request):
            return self.get_response(request)
        lpa = request.tenant
        if not lpa.is_ready:
            return self._refuse(
                request,
                503,
                "tenant_preparing",
                _("This LPA is being prepared. Try again in a minute."),
            )
        if lpa.status == "archived":
            return self._refuse(request, 410, "tenant_archived", _("This LPA has been archived."))
        if (
            lpa.status == "suspended"
            and request.method in _WRITE_METHODS
            and request.path not in settings.SUSPENDED_WRITE_ALLOWED_PATHS
        ):
            return self._refuse(
                request,
                423,
                "tenant_suspended",
                _("This LPA is suspended: data can be read but not changed."),
            )
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
        if request.path.startswith("/api/"):
            return error_json(code, message, status)
        return render(
            request,
            "askesos/error.html",
            {"title": _("LPA unavailable"), "message": message},
            status=status,
        )

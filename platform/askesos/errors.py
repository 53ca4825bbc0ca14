"""One error type per domain, each with a stable code and a translatable message, and
one shape for every error the API gives, whatever layer refused the request.

Services raise a subclass of DomainError; this module maps it to HTTP in one place.
The API answers every error, from a service, a serializer, a filter, the parser, the
router, the permission check or the throttle, as

    {"code": "required", "message": "Bidang ini harus diisi.", "field": "rows.0.amount",
     "errors": [{"code": "required", "message": "...", "field": "rows.0.amount"}, ...]}

The top level is the first error (what a client shows when it shows one); `errors`
lists them all (a single refusal is a list of one). `field` is the dotted path of the
input at fault (`rows.0.amount`, a query parameter's name) or null. Messages are in
Bahasa Indonesia, or English when the request asks for it (askesos.middleware). Pages
show a DomainError's message instead of a 500.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback


class DomainError(Exception):
    """A refused action. `messages` maps code -> lazily translated message."""

    messages: ClassVar[dict[str, Any]] = {}
    http_status: ClassVar[int] = status.HTTP_400_BAD_REQUEST

    def __init__(self, code: str, /, *, field: str | None = None, **params: Any) -> None:
        if code not in self.messages:
            raise ValueError(f"{type(self).__name__} has no message for code {code!r}")
        self.code = code
        self.field = field
        self.params = params
        super().__init__(code)

    @property
    def message(self) -> str:
        return (
            str(self.messages[self.code]) % self.params
            if self.params
            else str(self.messages[self.code])
        )

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "field": self.field}


class PermissionDeniedError(DomainError):
    """Raised by askesos.permissions; rendered as 403 everywhere."""

    http_status = status.HTTP_403_FORBIDDEN


# --- the shape -------------------------------------------------------------------------


def error_item(code: str, message: Any, field: str | None = None) -> dict[str, Any]:
    return {"code": code, "message": str(message), "field": field}


def error_body(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """The documented body: the first error at the top level, all of them in `errors`."""
    return {**errors[0], "errors": errors}


def error_json(code: str, message: Any, status_code: int) -> JsonResponse:
    """The same body for answers given outside DRF (middleware, Django's 404/500)."""
    return JsonResponse(error_body([error_item(code, message)]), status=status_code)


_NON_FIELD_KEYS = {api_settings.NON_FIELD_ERRORS_KEY, "__all__"}


def _flatten(detail: Any, path: tuple[str, ...] = ()) -> Iterator[dict[str, Any]]:
    """DRF's nested error structure as a flat list with dotted field paths: a serializer
    gives {field: [errors]}, a nested one {field: {sub: [...]}}, a many=True one a list
    with one dict per row ({} for a valid row), a ListField {index: [...]}."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            key = str(key)
            yield from _flatten(value, path if key in _NON_FIELD_KEYS else (*path, key))
    elif isinstance(detail, list | tuple):
        for index, item in enumerate(detail):
            nested = isinstance(item, dict | list)
            yield from _flatten(item, (*path, str(index)) if nested else path)
    else:
        yield error_item(getattr(detail, "code", None) or "invalid", detail, ".".join(path) or None)


# Messages of the refusals that are not about one input. DRF's own are terse English,
# some carry parser internals ("JSON parse error - Expecting value: line 1 ...") or a
# model's name ("No Participant matches the given query."): these are said our way.
MESSAGES: dict[str, Any] = {
    "not_found": gettext_lazy("Not found."),
    "parse_error": gettext_lazy(
        "The request body could not be read: it is not valid JSON or form data."
    ),
    "not_authenticated": gettext_lazy("Sign in first."),
    "authentication_failed": gettext_lazy("Your sign-in is not valid any more. Sign in again."),
    "permission_denied": gettext_lazy("You may not do this."),
    "csrf_failed": gettext_lazy(
        "The request was refused because its security token (CSRF) is missing or out of "
        "date. Reload the page and try again."
    ),
    "not_acceptable": gettext_lazy(
        "This address cannot answer in the format asked for in the Accept header."
    ),
    "invalid": gettext_lazy("Invalid input."),
    "server_error": gettext_lazy(
        "Something went wrong on the server. The error has been recorded; try again later."
    ),
}


def _message_for(exc: exceptions.APIException, request: Any, view: Any) -> tuple[str, str]:
    """(code, message) for a DRF exception other than a ValidationError."""
    code = getattr(exc.detail, "code", None) or exc.default_code
    # Raised with words of its own ("Invalid page.", already translated), not the default.
    custom = str(exc.detail) != str(exc.default_detail)
    if isinstance(exc, exceptions.Throttled):
        if exc.wait is None:
            return "throttled", _("Too many requests. Try again later.")
        wait = math.ceil(exc.wait)
        return "throttled", ngettext(
            "Too many requests. Try again in %(wait)d second.",
            "Too many requests. Try again in %(wait)d seconds.",
            wait,
        ) % {"wait": wait}
    if isinstance(exc, exceptions.MethodNotAllowed):
        return "method_not_allowed", _("This address does not accept %(method)s.") % {
            "method": request.method if request is not None else "?"
        }
    if isinstance(exc, exceptions.UnsupportedMediaType):
        accepted = ", ".join(p.media_type for p in getattr(view, "parser_classes", []))
        return "unsupported_media_type", _(
            "The content type %(media_type)s is not accepted here; send %(accepted)s."
        ) % {
            "media_type": (request.content_type if request is not None else "") or "-",
            "accepted": accepted or "-",
        }
    if isinstance(exc, exceptions.ParseError):
        return "parse_error", str(MESSAGES["parse_error"])
    if code in MESSAGES and not custom:
        return code, str(MESSAGES[code])
    return code, str(exc.detail)


def api_errors(exc: Exception, context: dict | None = None) -> tuple[int, list[dict], dict] | None:
    """(status, errors, headers) for an exception the API answers; None for a bug (500)."""
    context = context or {}
    request, view = context.get("request"), context.get("view")
    if isinstance(exc, DomainError):
        return exc.http_status, [exc.as_dict()], {}
    if isinstance(exc, Http404):
        # Never the model's name: an unknown id says no more than "not found".
        return status.HTTP_404_NOT_FOUND, [error_item("not_found", MESSAGES["not_found"])], {}
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(math.ceil(exc.wait))
    if isinstance(exc, exceptions.ValidationError):
        errors = list(_flatten(exc.detail)) or [error_item("invalid", MESSAGES["invalid"])]
    else:
        code, message = _message_for(exc, request, view)
        errors = [error_item(code, message)]
    return exc.status_code, errors, headers


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every refusal in the one shape."""
    answer = api_errors(exc, context)
    if answer is None:
        return None  # DRF raises it again: a real 500, logged and sent to Sentry
    status_code, errors, headers = answer
    set_rollback()
    return Response(error_body(errors), status=status_code, headers=headers)


def is_api(request: HttpRequest) -> bool:
    """Under /api/ (or /api itself): answered in the API's shape, never as a page."""
    return request.path == "/api" or request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: an unknown address under /api/ answers in the API's shape."""
    if is_api(request):
        return error_json("not_found", MESSAGES["not_found"], status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: a request Django itself refused (a body over the size limit, too many
    fields, a broken multipart body) says why, in the API's shape under /api/."""
    if not is_api(request):
        return defaults.bad_request(request, exception)
    from askesos.inputs import body_too_large, too_many_fields

    if isinstance(exception, RequestDataTooBig):
        refusal = body_too_large()
    elif isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        refusal = too_many_fields()
    else:
        return error_json("parse_error", MESSAGES["parse_error"], status.HTTP_400_BAD_REQUEST)
    return JsonResponse(error_body([refusal.as_dict()]), status=refusal.http_status)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the API's shape under /api/, Django's page elsewhere; a 503 with
    Retry-After when PostgreSQL, Redis or the broker could not be reached."""
    from askesos.availability import outage_of, unavailable_response

    if outage_of(sys.exc_info()[1]) is not None:
        return unavailable_response(request)
    if is_api(request):
        return error_json(
            "server_error", MESSAGES["server_error"], status.HTTP_500_INTERNAL_SERVER_ERROR
        )
    return defaults.server_error(request)


class DomainErrorMiddleware:
    """Turns a DomainError escaping a page view into a readable page, never a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        if is_api(request):
            return JsonResponse(error_body([exception.as_dict()]), status=exception.http_status)
        return render(
            request,
            "askesos/error.html",
            {"title": _("Action refused"), "error": exception},
            status=exception.http_status,
        )

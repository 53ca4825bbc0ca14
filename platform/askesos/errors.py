"""One error type per domain, each with a stable code and a translatable message.

Services raise a subclass of DomainError; this module maps it to HTTP in one place:
the API answers {"code", "message", "field"} with the status of the error class, and
pages show the message instead of a 500.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler


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


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.http_status)
    return exception_handler(exc, context)


class DomainErrorMiddleware:
    """Turns a DomainError escaping a page view into a readable page, never a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        return render(
            request,
            "askesos/error.html",
            {"title": _("Action refused"), "error": exception},
            status=exception.http_status,
        )

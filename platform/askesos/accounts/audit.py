"""django-auditlog's middleware, with the client's address worked out as everywhere
else in the platform (askesos.client_address: X-Forwarded-For only from a trusted
proxy). auditlog's own believes any X-Forwarded-For, so an audit row's "from where"
could be whatever the client wrote."""

from __future__ import annotations

from auditlog.middleware import AuditlogMiddleware as _AuditlogMiddleware
from django.http import HttpRequest

from askesos.client_address import client_address


class AuditlogMiddleware(_AuditlogMiddleware):
    @staticmethod
    def _get_remote_addr(request: HttpRequest) -> str | None:
        return client_address(request)

"""What every API endpoint shares besides its own code: sign-in by session, throttles,
and query parameters that are declared, checked and never silently ignored.

A list endpoint accepts its filters (`filterset_fields`), its paging parameters and
the parameters of its `query_serializer`; any other parameter, or a value a filter
cannot use (`?status=bogus`, `?is_ready=maybe`), is a 400 in the one error shape
(askesos.errors) naming the parameter, not an unfiltered list. Views that are not
lists read theirs through `query_input`, which applies the same rule.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django_filters import filters as django_filters
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import authentication, exceptions, serializers, throttling
from rest_framework.exceptions import ErrorDetail
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings

from askesos.client_address import client_address

# Every address understands ?lang= (askesos.middleware) and DRF's ?format=.
ALWAYS_ACCEPTED = frozenset({"lang", api_settings.URL_FORMAT_OVERRIDE or "format"})
_BOOLEAN_WORDS = {"true", "false", "1", "0"}
_PAGING_ATTRIBUTES = (
    "page_query_param",
    "page_size_query_param",
    "limit_query_param",
    "offset_query_param",
    "cursor_query_param",
)


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session sign-in, whose CSRF refusal has a code and words of its own
    (DRF's is "CSRF Failed: CSRF token missing.", in English, code permission_denied)."""

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as exc:
            from askesos.errors import MESSAGES

            raise exceptions.PermissionDenied(
                detail=str(MESSAGES["csrf_failed"]), code="csrf_failed"
            ) from exc


class RateFromSettings:
    """DRF binds THROTTLE_RATES when its module is imported; these read the rate on
    each request, so REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] changes (tests) apply.
    A scope without a rate is not throttled. The client is the address
    askesos.client_address trusts: DRF's own get_ident believes any X-Forwarded-For
    unless NUM_PROXIES is set, so a client could pick a new identity per request."""

    scope: str | None

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request) -> str:
        return client_address(request)


class AnonThrottle(RateFromSettings, throttling.AnonRateThrottle):
    """Requests without a sign-in, per client address (and per host: cache keys carry
    the tenant's schema)."""


class UserThrottle(RateFromSettings, throttling.UserRateThrottle):
    """Requests of one signed-in user on one host."""


class WriteThrottle(RateFromSettings, throttling.SimpleRateThrottle):
    """Changes (POST, PUT, PATCH, DELETE) of one user, or one address before sign-in, on
    one host: the "write" rate, tighter than reading."""

    scope = "write"

    def get_cache_key(self, request, view) -> str | None:
        if request.method in SAFE_METHODS:
            return None
        user = getattr(request, "user", None)
        ident = user.pk if user is not None and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ScopedThrottle(RateFromSettings, throttling.ScopedRateThrottle):
    """An endpoint's own rate: a view sets `throttle_scope = "name"` and
    DEFAULT_THROTTLE_RATES gives "name" its rate (per user, or address before sign-in)."""


def _refusal(errors: dict[str, str], code: str) -> exceptions.ValidationError:
    return exceptions.ValidationError(
        {name: [ErrorDetail(message, code=code)] for name, message in errors.items()}
    )


def _refuse_unknown(params: Any, accepted: set[str]) -> None:
    unknown = sorted(set(params) - accepted - ALWAYS_ACCEPTED)
    if unknown:
        message = _("Unknown query parameter. Accepted here: %(accepted)s.") % {
            "accepted": ", ".join(sorted(accepted)) or "-"
        }
        raise _refusal(dict.fromkeys(unknown, message), "unknown_parameter")


def _validated(serializer_class: type[serializers.Serializer] | None, params: Any) -> dict:
    if serializer_class is None:
        return {}
    serializer = serializer_class(data=params)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def query_input(view: Any) -> dict:
    """The view's query parameters, checked against its `query_serializer`: unknown ones
    and invalid values are a 400, never a silent default."""
    params = view.request.query_params
    serializer_class = getattr(view, "query_serializer", None)
    _refuse_unknown(params, set(serializer_class().fields) if serializer_class else set())
    return _validated(serializer_class, params)


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter for every list endpoint, refusing what it would ignore: an unknown
    parameter and a boolean filter's value other than true/false/1/0. A generic view
    of one object (retrieve, update) looks its object up through here too, and refuses
    parameters it does not declare the same way."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        self._check(request, view, filterset)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            from django_filters.utils import translate_validation

            raise translate_validation(filterset.errors)
        return filterset.qs

    @staticmethod
    def _check(request, view, filterset) -> None:
        params = request.query_params
        serializer_class = getattr(view, "query_serializer", None)
        accepted = set(filterset.filters) if filterset is not None else set()
        if serializer_class is not None:
            accepted |= set(serializer_class().fields)
        paginator = getattr(view, "paginator", None)
        accepted |= {
            name
            for attribute in _PAGING_ATTRIBUTES
            if (name := getattr(paginator, attribute, None))
        }
        for backend in getattr(view, "filter_backends", ()):
            for attribute in ("search_param", "ordering_param"):
                if name := getattr(backend, attribute, None):
                    accepted.add(name)
        _refuse_unknown(params, accepted)
        if filterset is not None:
            not_boolean = {
                name: str(serializers.BooleanField.default_error_messages["invalid"])
                for name, the_filter in filterset.filters.items()
                if isinstance(the_filter, django_filters.BooleanFilter)
                and name in params
                and params[name].lower() not in _BOOLEAN_WORDS
            }
            if not_boolean:
                raise _refusal(not_boolean, "invalid")
        _validated(serializer_class, params)

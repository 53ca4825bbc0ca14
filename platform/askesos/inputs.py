"""What any request's input must be before a view reads it, checked in one place for
every address (the API and the pages, on the LPAs' hosts and the portal):

- no NUL character (\\0) in the path, the query string, a form field or a JSON
  string: PostgreSQL refuses NUL in text, so one that reached a query answered 500;
- a JSON body nested at most JSON_MAX_DEPTH levels deep, checked before any parser
  recurses into it (100.000 levels raised RecursionError: 500);
- a body no larger than DATA_UPLOAD_MAX_MEMORY_SIZE (files in multipart bodies are
  capped by the uploads that take them), refused with 413 before it is read.

A refusal is a 400 (413 for size) in the API's one error shape (askesos.errors) under
/api/, and the error page elsewhere. Multipart fields of a page are checked once the
page's CSRF check would read them anyway; the API's multipart fields go through DRF
serializers, whose text fields refuse NUL with the same code.
"""

from __future__ import annotations

import codecs
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from askesos.errors import DomainError, error_body, is_api

JSON_MAX_DEPTH = 32
NUL = "\x00"
_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# A JSON string, escapes included, without backtracking (the "unrolled loop" form);
# on UTF-8 bytes, where no byte of a multi-byte character is a quote or a bracket.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_A_BRACKET = bytes(set(range(256)) - set(b"[]{}"))
_INNERMOST_PAIR = re.compile(rb"\[\]|\{\}")
_OPENING = frozenset(b"[{")
# \u0000 as an escape, i.e. after an even number of backslashes (\\u0000 is text).
_NUL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


class InputError(DomainError):
    messages = {
        # DRF's own words for the same refusal of a text field: one message for NUL.
        "null_characters_not_allowed": gettext_lazy("Null characters are not allowed."),
        "json_too_deep": gettext_lazy(
            "The JSON body is nested too deeply: at most %(limit)s levels."
        ),
        "too_many_fields": gettext_lazy("The request has too many fields: at most %(limit)s."),
    }


class InputTooLarge(InputError):
    http_status = 413
    messages = {
        "body_too_large": gettext_lazy("The request is too large: at most %(limit)s."),
    }


def size_label(size: int) -> str:
    """10485760 -> "10 MB", as the refusal says the limit."""
    if size >= 1024 * 1024 and size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MB"
    if size >= 1024 and size % 1024 == 0:
        return f"{size // 1024} KB"
    return f"{size} B"


def body_too_large() -> InputTooLarge:
    return InputTooLarge("body_too_large", limit=size_label(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))


def too_many_fields() -> InputError:
    return InputError("too_many_fields", limit=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)


def _nul(field: str | None) -> InputError:
    return InputError("null_characters_not_allowed", field=field)


def fields_check(fields: Any, *, prefix: str = "") -> None:
    """A QueryDict (query string, form fields): no NUL in a name or a value."""
    for name, values in fields.lists():
        if NUL in name:
            raise _nul(prefix or None)
        if any(NUL in value for value in values if isinstance(value, str)):
            raise _nul(name)


def json_depth_exceeds(text: str | bytes, limit: int = JSON_MAX_DEPTH) -> bool:
    """Whether JSON `text` (str, or UTF-8 bytes) nests brackets deeper than `limit`,
    without parsing it: strings (which may hold brackets) are cut out by a regular
    expression and every other byte but brackets dropped. Then the innermost pairs are
    peeled off, a level a pass, in C (a wide body of millions of arrays is empty after
    two passes); only what is left after `limit` passes, deep or unmatched, is counted
    bracket by bracket, stopping at the first level too deep."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    brackets = _JSON_STRING.sub(b"", data).translate(None, _NOT_A_BRACKET)
    peeled = brackets
    for _level in range(limit):
        peeled, removed = _INNERMOST_PAIR.subn(b"", peeled)
        if not peeled:
            return False
        if not removed:
            break
    depth = 0
    for bracket in brackets:
        if bracket in _OPENING:
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def json_check(body: bytes, charset: str) -> None:
    """A JSON body: no NUL (raw or as \\u0000) and not nested too deeply. A body that
    cannot be decoded is left to the parser, which refuses it (parse_error)."""
    try:
        text = body.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return
    if NUL in text or (r"\u0000" in text and _NUL_ESCAPE.search(text)):
        raise _nul(None)
    utf8 = codecs.lookup(charset).name == "utf-8"
    if json_depth_exceeds(body if utf8 else text):
        raise InputError("json_too_deep", limit=JSON_MAX_DEPTH)


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


def request_check(request: HttpRequest) -> None:
    """Everything about `request`'s input that can be checked before the view runs."""
    if NUL in request.path_info:
        raise _nul("path")
    fields_check(request.GET, prefix="query")
    if request.method not in _BODY_METHODS:
        return
    content_type = (request.content_type or "").lower()
    if content_type.startswith("multipart/"):
        return  # file data is the uploads' to cap; fields are checked in process_view
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is not None and length > limit:
        raise body_too_large()
    if not length:
        return
    try:
        if _is_json(content_type):
            json_check(request.body, request.content_params.get("charset") or "utf-8")
        elif content_type == "application/x-www-form-urlencoded":
            fields_check(request.POST)
    except RequestDataTooBig:
        raise body_too_large() from None
    except TooManyFieldsSent:
        raise too_many_fields() from None


def refusal(request: HttpRequest, error: DomainError) -> HttpResponse:
    """The API's error shape under /api/; the error page elsewhere."""
    if is_api(request):
        return JsonResponse(error_body([error.as_dict()]), status=error.http_status)
    return render(
        request,
        "askesos/error.html",
        {"title": _("Request refused"), "error": error},
        status=error.http_status,
    )


class InputGuardMiddleware:
    """Refuses a request whose input breaks the rules above before any view reads it.
    Placed after the language is chosen, so that the refusal speaks it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            request_check(request)
        except InputError as exc:
            return refusal(request, exc)
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        """A page's multipart fields: its CSRF check reads them next anyway. A view
        exempt from that check (the API) reads its own, through its serializers."""
        content_type = (request.content_type or "").lower()
        if (
            request.method not in _BODY_METHODS
            or not content_type.startswith("multipart/")
            or getattr(view_func, "csrf_exempt", False)
        ):
            return None
        try:
            fields_check(request.POST)
        except RequestDataTooBig:
            return refusal(request, body_too_large())
        except TooManyFieldsSent:
            return refusal(request, too_many_fields())
        except InputError as exc:
            return refusal(request, exc)
        return None

"""The OpenAPI document tells the truth about errors and query parameters.

Every operation lists the error answers it can give, each with the one `Error` body of
askesos.errors; a view's `query_serializer` documents its query parameters (and
askesos.api checks them against the same serializer).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import authentication, openapi

ERROR_SCHEMA_NAME = "Error"
ERROR_ITEM_SCHEMA_NAME = "ErrorItem"

_ITEM_PROPERTIES = {
    "code": {
        "type": "string",
        "description": "Stable, snake_case: `required`, `invalid`, `not_found`, "
        "`unknown_parameter`, `throttled`, or a domain code such as `not_eligible`.",
        "example": "required",
    },
    "message": {
        "type": "string",
        "description": "For people: Bahasa Indonesia, or English with `Accept-Language: en`.",
        "example": "Bidang ini harus diisi.",
    },
    "field": {
        "type": "string",
        "nullable": True,
        "description": "Dotted path of the input at fault (`rows.0.amount`, a query "
        "parameter), or null when the error is not about one input.",
        "example": "rows.0.amount",
    },
}

ERROR_ITEM_SCHEMA = {
    "type": "object",
    "properties": _ITEM_PROPERTIES,
    "required": ["code", "message", "field"],
}

ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "Every error of this API, whatever refused the request. The top level repeats "
        "the first error; `errors` lists all of them (one for most refusals, one per "
        "input at fault for a validation error). A 429 carries `Retry-After` (seconds). "
        "A request without a sign-in is answered 403 with code `not_authenticated` (sessions "
        "have no 401 challenge); a method an address does not take, 405 "
        "`method_not_allowed`; an unknown address under /api/, 404 `not_found`. On an "
        "LPA's address: 423 `tenant_suspended` for a write while the LPA is suspended, 410 "
        "`tenant_archived`, 503 `tenant_preparing`."
    ),
    "properties": {
        **_ITEM_PROPERTIES,
        "errors": {
            "type": "array",
            "items": {"$ref": f"#/components/schemas/{ERROR_ITEM_SCHEMA_NAME}"},
        },
    },
    "required": ["code", "message", "field", "errors"],
    "example": {
        "code": "required",
        "message": "Bidang ini harus diisi.",
        "field": "rows.0.amount",
        "errors": [
            {"code": "required", "message": "Bidang ini harus diisi.", "field": "rows.0.amount"},
            {
                "code": "invalid",
                "message": "Format tanggal salah. Gunakan salah satu format berikut: YYYY-MM-DD.",
                "field": "received_on",
            },
        ],
    },
}

DESCRIPTIONS = {
    "400": "Invalid input: body, path or query parameter (`field` names it).",
    "403": "Not signed in (`not_authenticated`), or this role or area may not do this.",
    "404": "Unknown id or address (`not_found`).",
    "409": "Refused by the current state of the data (a domain code).",
    "415": "Unsupported Content-Type (`unsupported_media_type`).",
    "429": "Too many requests (`throttled`); wait the seconds in `Retry-After`.",
}


def error_statuses(method: str, operation: dict[str, Any], path: str) -> list[str]:
    """Which errors an operation can answer, as the handler and the views give them."""
    public = {} in operation.get("security", [{}])
    writes = method in {"post", "put", "patch", "delete"}
    queried = any(p.get("in") == "query" for p in operation.get("parameters", []))
    statuses = []
    if writes or queried:
        statuses.append("400")
    if not public:
        statuses.append("403")
    if "{" in path:
        statuses.append("404")
    if writes:
        statuses.append("409")
    if "requestBody" in operation:
        statuses.append("415")
    statuses.append("429")
    return statuses


def add_error_responses(result: dict, generator: Any, request: Any, public: bool) -> dict:
    """Postprocessing hook: the Error component and the error answers of every operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas[ERROR_ITEM_SCHEMA_NAME] = ERROR_ITEM_SCHEMA
    schemas[ERROR_SCHEMA_NAME] = ERROR_SCHEMA
    content = {
        "application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}}
    }
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code in error_statuses(method, operation, path):
                responses.setdefault(code, {"description": DESCRIPTIONS[code], "content": content})
            # An error a view declares itself (extend_schema with an OpenApiResponse that
            # only describes it, such as a 404 for an area outside the scope) has the
            # same body.
            for code, answer in responses.items():
                if code in DESCRIPTIONS and "content" not in answer:
                    answer["content"] = content
    return result


class SessionScheme(authentication.SessionScheme):
    """Our session sign-in (askesos.api) is documented as DRF's: a session cookie."""

    target_class = "askesos.api.SessionAuthentication"


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, plus the parameters of a view's `query_serializer` on GET."""

    def get_override_parameters(self) -> list:
        parameters = list(super().get_override_parameters())
        serializer = getattr(self.view, "query_serializer", None)
        if serializer is not None and self.method == "GET":
            parameters.append(serializer)
        return parameters

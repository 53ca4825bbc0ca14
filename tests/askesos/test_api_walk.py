"""Every API endpoint of both URLconfs answers every kind of bad request in the one
documented error shape (askesos.errors), in Bahasa Indonesia and, on request, English.

The endpoints are enumerated from the resolvers and their inputs read from the OpenAPI
document, so an endpoint added later is walked without touching this file. For each
one, as a user whose role may call it (so that validation answers, not the permission
check): an unknown id, malformed JSON, a wrong type for every body field, the required
fields missing (also inside a list of rows), an unknown query parameter and a value no
filter accepts, a method the address does not take; then as a role that may not, as
staff of another LPA, and without signing in. Each answer must be a 4xx, never a 500,
with exactly the documented keys.

Views check their input before looking the object up, so an unknown id in the path
does not hide a validation error; a view that looks up first may answer 404 instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.mixins import ListModelMixin
from rest_framework.permissions import AllowAny

from askesos.permissions import Action, ActionPermission

URLCONFS = {"portal": "askesos.urls_public", "lpa": "askesos.urls_tenant"}
DOCUMENTATION = {"api-schema", "api-docs"}
ITEM_KEYS = {"code", "message", "field"}
PAGING = {"page", "page_size"}
UNKNOWN = {"int": "987654321", "slug": "tidak-ada", "str": "tidak-ada"}
ENGLISH_WORDS = re.compile(r"\b(the|is|must|may|not|field|required|this|value)\b", re.I)


@dataclass(frozen=True)
class Endpoint:
    site: str
    name: str
    route: str
    view: type
    method: str

    @property
    def openapi_path(self) -> str:
        path = re.sub(r"<int:pk>", "{id}", "/" + self.route)
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)

    @property
    def unknown_path(self) -> str:
        return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: UNKNOWN[m.group(1) or "str"], self.route)

    @property
    def has_id(self) -> bool:
        return "<" in self.route

    @property
    def action(self) -> Action | None:
        if ActionPermission not in getattr(self.view, "permission_classes", ()):
            return None
        per_method = getattr(self.view, "required_actions", None)
        return per_method[self.method.upper()] if per_method else self.view.required_action

    @property
    def public(self) -> bool:
        return AllowAny in getattr(self.view, "permission_classes", ())

    @property
    def checks_query(self) -> bool:
        return self.method == "get" and (
            issubclass(self.view, ListModelMixin) or hasattr(self.view, "query_serializer")
        )


def _endpoints() -> list[Endpoint]:
    found = []

    def walk(site, patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(site, p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and p.name not in DOCUMENTATION:
                route = prefix + str(p.pattern)
                view = getattr(p.callback, "cls", None)
                if not route.startswith("api/") or view is None:
                    continue
                for method in ("get", "post", "put", "patch", "delete"):
                    if hasattr(view, method):
                        found.append(Endpoint(site, p.name, route, view, method))

    for site, urlconf in URLCONFS.items():
        walk(site, get_resolver(urlconf).url_patterns)
    return found


ENDPOINTS = _endpoints()


def test_the_walk_finds_the_endpoints_of_both_sites():
    names = {(e.site, e.name, e.method) for e in ENDPOINTS}
    assert {
        ("portal", "api-lpa-list", "post"),
        ("portal", "api-villages", "get"),
        ("lpa", "api-receipts", "post"),
        ("lpa", "api-claim-verify", "post"),
        ("lpa", "api-me", "get"),
    } <= names
    assert len(ENDPOINTS) > 40


def assert_shape(response, *, status=None, code=None, field=None) -> dict:
    """Exactly the documented body; returns it."""
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    if status is not None:
        statuses = status if isinstance(status, set) else {status}
        assert response.status_code in statuses, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == ITEM_KEYS | {"errors"}, body
    assert isinstance(body["errors"], list) and body["errors"], body
    for item in body["errors"]:
        assert set(item) == ITEM_KEYS, item
        assert re.fullmatch(r"[a-z][a-z0-9_]*", item["code"]), item
        assert isinstance(item["message"], str) and item["message"].strip(), item
        assert item["field"] is None or isinstance(item["field"], str), item
    assert {k: body[k] for k in ITEM_KEYS} == body["errors"][0]
    if code is not None:
        assert code in {item["code"] for item in body["errors"]}, body
    if field is not None:
        assert field in fields_of(body), body
    return body


def fields_of(body: dict) -> set:
    return {item["field"] for item in body["errors"]}


def both_languages(send, **expected) -> tuple[dict, dict]:
    """The same request in Bahasa Indonesia (the default) and in English: the same
    codes and fields, and every message said in each language."""
    indonesian = assert_shape(send({}), **expected)
    english = assert_shape(send({"HTTP_ACCEPT_LANGUAGE": "en"}), **expected)
    assert [(i["code"], i["field"]) for i in indonesian["errors"]] == [
        (i["code"], i["field"]) for i in english["errors"]
    ]
    for id_item, en_item in zip(indonesian["errors"], english["errors"], strict=True):
        assert id_item["message"] != en_item["message"], id_item
        assert not ENGLISH_WORDS.search(id_item["message"]), id_item
    return indonesian, english


class Schema:
    """Just enough of an OpenAPI document to build good and bad inputs from it."""

    def __init__(self, document: dict) -> None:
        self.document = document

    def resolve(self, schema: dict) -> dict:
        while "$ref" in schema or "allOf" in schema or "oneOf" in schema:
            if "$ref" in schema:
                name = schema["$ref"].rsplit("/", 1)[-1]
                schema = {**self.document["components"]["schemas"][name]}
            else:
                schema = (schema.get("allOf") or schema["oneOf"])[0]
        return schema

    def operation(self, endpoint: Endpoint) -> dict:
        path = self.document["paths"].get(endpoint.openapi_path)
        assert path and endpoint.method in path, f"{endpoint} is not in the OpenAPI document"
        return path[endpoint.method]

    def body(self, operation: dict) -> tuple[str | None, dict]:
        content = operation.get("requestBody", {}).get("content", {})
        for media in ("application/json", "multipart/form-data"):
            if media in content:
                return media, self.resolve(content[media]["schema"])
        return None, {}

    def wrong_value(self, schema: dict, media: str):
        schema = self.resolve(schema)
        kind = schema.get("type")
        if schema.get("enum"):
            return "tidak-ada"
        if kind == "integer" or kind == "number":
            return "bukan-angka"
        if kind == "boolean":
            return "mungkin"
        if schema.get("format") in {"date", "date-time"}:
            return "2026-13-45"
        if schema.get("format") == "binary":
            return "bukan-berkas"
        if media != "application/json":
            return None  # in a form every other value is a string
        if kind == "array":
            return "bukan-daftar"
        if kind == "object" or "properties" in schema:
            return "bukan-objek"
        if kind == "string":
            return {"bukan": "teks"}
        return None


def send(client, endpoint: Endpoint, path: str, media: str | None = None, data=None, **extra):
    method = getattr(client, endpoint.method)
    if endpoint.method == "get":
        return method(path, data or {}, **extra)
    if media == "multipart/form-data":
        return method(path, data or {}, **extra)
    return method(path, data if data is not None else {}, content_type="application/json", **extra)


@pytest.mark.parametrize(
    "endpoint", ENDPOINTS, ids=[f"{e.site}:{e.name}:{e.method}" for e in ENDPOINTS]
)
def test_every_bad_request_is_answered_in_the_one_shape(endpoint, actors, openapi):
    schema = Schema(openapi[endpoint.site])
    operation = schema.operation(endpoint)
    clients = actors(endpoint)
    may = clients["may"]
    path = endpoint.unknown_path

    # An unknown id: 404, saying no more than that.
    if endpoint.has_id and endpoint.method == "get":
        indonesian, english = both_languages(
            lambda h: send(may, endpoint, path, **h), status=404, code="not_found"
        )
        assert indonesian["message"] == "Data tidak ditemukan."
        assert english["message"] == "Not found."

    # A method this address does not take.
    other = next(m for m in ("delete", "put", "patch") if not hasattr(endpoint.view, m))
    both_languages(lambda h: getattr(may, other)(path, **h), status=405, code="method_not_allowed")

    if endpoint.checks_query:
        both_languages(
            lambda h: send(may, endpoint, path, data={"tidak_dikenal": "1"}, **h),
            status=400,
            code="unknown_parameter",
            field="tidak_dikenal",
        )
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query" or parameter["name"] in PAGING:
                continue
            wrong = schema.wrong_value(parameter["schema"], "query")
            if wrong is not None:
                both_languages(
                    lambda h, p=parameter, w=wrong: send(
                        may, endpoint, path, data={p["name"]: w}, **h
                    ),
                    status=400,
                    field=parameter["name"],
                )
        # Paging and the language switch are parameters of every list, never refused.
        accepted = send(may, endpoint, path, data={"lang": "en"})
        assert accepted.status_code in (200, 404), accepted.content[:300]

    media, body = schema.body(operation)
    if endpoint.method != "get":
        # Malformed JSON: a parse error, or 415 where the endpoint takes only a form.
        malformed = both_languages(
            lambda h: getattr(may, endpoint.method)(
                path, '{"rusak": ', content_type="application/json", **h
            )
        )[0]
        if media is not None:
            assert malformed["code"] in {"parse_error", "unsupported_media_type"}, malformed

    properties = {k: v for k, v in body.get("properties", {}).items() if not v.get("readOnly")}
    required = set(body.get("required", ()))
    acceptable = {400, 404} if endpoint.has_id else {400}
    if required:
        missing = {}
        expected = set(required)
        for name, prop in properties.items():
            items = schema.resolve(schema.resolve(prop).get("items", {}))
            if name in required and media == "application/json" and items.get("required"):
                missing[name] = [{}]  # one empty row: its fields are reported by path
                expected = (expected - {name}) | {f"{name}.0.{f}" for f in items["required"]}
        indonesian, _ = both_languages(
            lambda h: send(may, endpoint, path, media, missing, **h), status=acceptable
        )
        if indonesian["code"] != "not_found":
            assert expected <= fields_of(indonesian), (expected, indonesian)
            assert {i["code"] for i in indonesian["errors"] if i["field"] in expected} == {
                "required"
            }
    wrong = {
        name: value
        for name, prop in properties.items()
        if (value := schema.wrong_value(prop, media)) is not None
    }
    if wrong:
        indonesian, _ = both_languages(
            lambda h: send(may, endpoint, path, media, wrong, **h), status=acceptable
        )
        if indonesian["code"] != "not_found":
            at_fault = fields_of(indonesian)
            for name in wrong:
                assert any(f == name or f.startswith(f"{name}.") for f in at_fault if f), (
                    name,
                    indonesian,
                )

    # Who may not: refused in the same shape, whatever they send.
    for who in ("may not", "another lpa"):
        if who in clients:
            both_languages(lambda h, c=clients[who]: send(c, endpoint, path, **h), status=403)
    if not endpoint.public:
        both_languages(
            lambda h: send(clients["nobody"], endpoint, path, **h),
            status=403,
            code="not_authenticated",
        )

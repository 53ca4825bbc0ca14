"""Input no view should ever see (askesos.inputs) and parameters no view may ignore
(askesos.api, askesos.pagination): each refused in the one error shape, never a 500.

Reproduces the issue's probes: `GET /api/participants/?status=%00` (NUL reached
PostgreSQL), a JSON body nested 100.000 deep (RecursionError), a 30 MB JSON body (an
HTML 400 with no reason), unknown /api/ paths (an HTML 404); then walks every
endpoint of both sites with the same kinds of input."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from askesos.inputs import JSON_MAX_DEPTH, json_depth_exceeds
from askesos.roles import LpaRole
from tests.askesos.test_api_walk import (
    ENDPOINTS,
    PAGING,
    Schema,
    assert_shape,
    both_languages,
    send,
)
from tests.conftest import client_on, host_of

NUL_CODE = "null_characters_not_allowed"
GETS = [e for e in ENDPOINTS if e.method == "get"]
WRITES = [e for e in ENDPOINTS if e.method != "get"]
FREE_TEXT = {"q"}  # searched for, not matched against a list of values


def _ids(endpoints):
    return [f"{e.site}:{e.name}:{e.method}" for e in endpoints]


def _quiet(client: Client) -> Client:
    """A client that answers a crash with the 500 a user would get, so that the
    assertion shows it instead of a traceback."""
    client.raise_request_exception = False
    return client


@pytest.fixture
def ketua(lpa_a, make_staff):
    return _quiet(client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.KETUA)))


@pytest.fixture
def bendahara(lpa_a, make_staff):
    return _quiet(client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.PREMI_KEUANGAN)))


# --- NUL ---------------------------------------------------------------------------------


def test_a_nul_in_a_filter_value_is_refused_not_a_500(ketua):
    """The issue's probe: ?status=%00 reached PostgreSQL and answered 500."""
    indonesian, english = both_languages(
        lambda h: ketua.get("/api/participants/", QUERY_STRING="status=%00", **h),
        status=400,
        code=NUL_CODE,
        field="status",
    )
    assert indonesian["message"] == "Karakter null tidak diizinkan."
    assert english["message"] == "Null characters are not allowed."


@pytest.mark.parametrize("endpoint", GETS, ids=_ids(GETS))
def test_every_endpoint_refuses_a_nul_in_any_query_parameter(endpoint, actors, openapi):
    schema = Schema(openapi[endpoint.site])
    may = _quiet(actors(endpoint)["may"])
    names = {
        p["name"] for p in schema.operation(endpoint).get("parameters", []) if p["in"] == "query"
    }

    for name in sorted(names | {"tidak_dikenal", "lang"}):
        response = send(may, endpoint, endpoint.unknown_path, data={name: "a\x00b"})
        assert_shape(response, status=400, code=NUL_CODE, field=name)
    # In a parameter's name, too.
    response = send(may, endpoint, endpoint.unknown_path, data={"a\x00b": "1"})
    assert_shape(response, status=400, code=NUL_CODE, field="query")


PATH_TEXT = [e for e in ENDPOINTS if re.search(r"<(?:str:|slug:)?\w+>", e.route)]


@pytest.mark.parametrize("endpoint", PATH_TEXT, ids=_ids(PATH_TEXT))
def test_every_endpoint_refuses_a_nul_in_its_path(endpoint, actors):
    """A text path parameter (a report's period code, a book's slug) would carry a NUL
    into the view; a number parameter never matches one (404)."""
    may = _quiet(actors(endpoint)["may"])
    path = "/" + re.sub(r"<(?:(\w+):)?\w+>", "a%00b", endpoint.route)

    response = send(may, endpoint, path)

    assert_shape(response, status=400, code=NUL_CODE, field="path")


JSON_WRITES = [e for e in WRITES]


@pytest.mark.parametrize("endpoint", JSON_WRITES, ids=_ids(JSON_WRITES))
def test_every_endpoint_refuses_a_nul_in_a_json_string(endpoint, actors, openapi):
    schema = Schema(openapi[endpoint.site])
    may = _quiet(actors(endpoint)["may"])
    _media, body = schema.body(schema.operation(endpoint))
    strings = {
        name: "a\x00b"
        for name, prop in body.get("properties", {}).items()
        if schema.resolve(prop).get("type") == "string"
    } or {"tidak_dikenal": "a\x00b"}

    for data in (strings, [{"baris": "\x00"}], {"nested": {"deep": ["\x00"]}}):
        response = may.generic(
            endpoint.method.upper(),
            endpoint.unknown_path,
            json.dumps(data),  # NUL as the escape \u0000, as any JSON library writes it
            content_type="application/json",
        )
        assert_shape(response, status=400, code=NUL_CODE)
    raw = b'{"a": "x\x00y"}'  # and as a raw byte
    response = may.generic(
        endpoint.method.upper(), endpoint.unknown_path, raw, content_type="application/json"
    )
    assert_shape(response, status=400, code=NUL_CODE)


def test_an_escaped_backslash_before_u0000_is_text_not_a_nul(bendahara):
    """`"\\\\u0000"` in JSON is a backslash and the letters u0000: allowed."""
    response = bendahara.post(
        "/api/grants/",
        '{"donor": "\\\\u0000", "purpose": "x", "amount": 5, "date": "kemarin", "reference": "R"}',
        content_type="application/json",
    )

    body = assert_shape(response, status=400, field="date")
    assert NUL_CODE not in {i["code"] for i in body["errors"]}


def test_a_nul_in_a_page_is_refused_with_a_page(lpa_a, make_staff):
    client = _quiet(client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.KETUA)))

    for response in (
        client.get("/peserta/", QUERY_STRING="q=%00"),
        client.post("/peserta/daftar/", {"name": "Budi\x00"}),  # a form, urlencoded
        client.post("/peserta/daftar/", {"name": "Budi\x00"}, format="multipart"),
        client.get("/laporan/a%00b/"),
    ):
        assert response.status_code == 400, response.content[:200]
        assert response["Content-Type"].startswith("text/html")
        assert "Karakter null tidak diizinkan." in response.content.decode()


def test_a_nul_in_a_multipart_page_form_is_refused(lpa_a, make_staff):
    client = _quiet(client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.KETUA)))
    boundary = "BATAS"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nBudi\x00\r\n'
        f"--{boundary}--\r\n"
    ).encode()

    response = client.generic(
        "POST", "/peserta/daftar/", body, content_type=f"multipart/form-data; boundary={boundary}"
    )

    assert response.status_code == 400
    assert "Karakter null tidak diizinkan." in response.content.decode()


# --- JSON depth ---------------------------------------------------------------------------


def test_json_depth_counts_brackets_outside_strings():
    assert not json_depth_exceeds("[" * JSON_MAX_DEPTH + "]" * JSON_MAX_DEPTH)
    assert json_depth_exceeds("[" * (JSON_MAX_DEPTH + 1) + "]" * (JSON_MAX_DEPTH + 1))
    assert json_depth_exceeds('{"a":' * 40 + "1" + "}" * 40)
    # Brackets inside strings, escaped quotes included, are text.
    assert not json_depth_exceeds(json.dumps({"text": "[" * 1000 + '"\\'}))
    assert not json_depth_exceeds('["\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["]')
    assert not json_depth_exceeds("[" + "[]," * 100_000 + "[]]")  # wide, not deep


def test_a_json_body_nested_100000_deep_is_refused_before_parsing(bendahara):
    """The issue's probe: RecursionError, 500."""
    deep = "[" * 100_000 + "]" * 100_000

    indonesian, english = both_languages(
        lambda h: bendahara.post("/api/grants/", deep, content_type="application/json", **h),
        status=400,
        code="json_too_deep",
    )
    assert english["message"] == "The JSON body is nested too deeply: at most 32 levels."


def test_json_as_deep_as_the_limit_reaches_the_view(bendahara):
    nested = {"donor": "D", "purpose": "P", "amount": 5, "date": "2024-03-04", "reference": "R"}
    value: object = "x"
    for _level in range(JSON_MAX_DEPTH - 1):
        value = [value]
    nested["extra"] = value

    response = bendahara.post("/api/grants/", nested, content_type="application/json")

    assert response.status_code == 201, response.content[:300]


@pytest.mark.parametrize("endpoint", WRITES, ids=_ids(WRITES))
def test_every_endpoint_refuses_json_nested_too_deep(endpoint, actors):
    may = _quiet(actors(endpoint)["may"])
    deep = '{"a": ' * 10_000 + "1" + "}" * 10_000

    response = may.generic(
        endpoint.method.upper(), endpoint.unknown_path, deep, content_type="application/json"
    )

    assert_shape(response, status=400, code="json_too_deep")


# --- size and unknown addresses ------------------------------------------------------------


def test_a_30_mb_json_body_is_413_naming_the_limit_on_both_sites(
    lpa_a, make_staff, make_government_user, portal_host
):
    """The issue's probe: an HTML 400 with no reason."""
    big = b'{"a": "' + b"x" * (30 * 1024 * 1024) + b'"}'
    clients = {
        "/api/grants/": _quiet(
            client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.PREMI_KEUANGAN))
        ),
        "/api/lpas/": _quiet(client_on(portal_host, make_government_user("ministry"))),
    }
    for path, client in clients.items():
        for content_type in ("application/json", "application/x-www-form-urlencoded"):
            response = client.post(path, big, content_type=content_type)
            body = assert_shape(response, status=413, code="body_too_large")
            assert body["message"] == "Permintaan terlalu besar: paling banyak 10 MB."


def test_a_multipart_field_over_the_limit_is_refused_in_the_shape(lpa_a, make_staff, settings):
    """Django refuses it itself, while parsing (handler400): the API's shape, with why."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = _quiet(client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.KLAIM)))

    response = client.post("/api/claims/", {"description": "x" * 5000}, HTTP_ACCEPT_LANGUAGE="en")

    body = assert_shape(response, status=413, code="body_too_large")
    assert body["message"] == "The request is too large: at most 1000 B."


@pytest.mark.parametrize("path", ["/api", "/api/", "/api/tidak-ada", "/api/tidak/ada/", "/api/%00"])
def test_unknown_api_addresses_answer_json_on_both_sites(path, lpa_a, portal_host):
    for host in (portal_host, host_of(lpa_a)):
        client = _quiet(client_on(host))
        for response in (client.get(path), client.post(path, {}, content_type="application/json")):
            body = assert_shape(response, status={400, 404})
            assert body["code"] in {"not_found", NUL_CODE}


# --- parameters no view may ignore ---------------------------------------------------------


@pytest.mark.parametrize("endpoint", GETS, ids=_ids(GETS))
def test_every_endpoint_refuses_a_parameter_it_does_not_take(endpoint, actors):
    """Lists and single objects alike; a view that looks its object up first may
    answer the unknown id (404) instead."""
    may = _quiet(actors(endpoint)["may"])

    response = send(may, endpoint, endpoint.unknown_path, data={"tidak_dikenal": "1"})

    body = assert_shape(response, status={400, 404} if endpoint.has_id else 400)
    if response.status_code == 400:
        assert body["code"] == "unknown_parameter" and body["field"] == "tidak_dikenal"


@pytest.mark.parametrize("endpoint", GETS, ids=_ids(GETS))
def test_every_filter_refuses_a_value_it_does_not_know(endpoint, actors, openapi):
    """`?status=hilang` is a 400 naming the filter, never the unfiltered list."""
    schema = Schema(openapi[endpoint.site])
    may = _quiet(actors(endpoint)["may"])
    for parameter in schema.operation(endpoint).get("parameters", []):
        name = parameter["name"]
        if parameter["in"] != "query" or name in FREE_TEXT:
            continue
        for value in ("tidak-ada-xyz", "-1", "9" * 25):
            if name in PAGING and value == "9" * 25:
                continue  # a page past the last one is "no such page" (404), below
            response = send(may, endpoint, endpoint.unknown_path, data={name: value})
            expected = (
                {400, 404} if endpoint.has_id or name in {"area", "province", "regency"} else 400
            )
            body = assert_shape(response, status=expected)
            if response.status_code == 400:
                assert name in {i["field"] for i in body["errors"]}, (name, value, body)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "1000"}, "page_size"),
        ({"page_size": "abc"}, "page_size"),
    ],
)
def test_paging_parameters_are_checked_not_ignored(ketua, params, field):
    response = ketua.get("/api/participants/", params)

    assert_shape(response, status=400, field=field)


def test_a_page_past_the_last_one_is_not_found(ketua):
    response = ketua.get("/api/participants/", {"page": "9" * 9})

    assert_shape(response, status=404, code="not_found")

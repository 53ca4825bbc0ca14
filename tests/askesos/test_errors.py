"""The one error contract, layer by layer: what each kind of refusal says, in which
language, at which field, with which status and headers. tests/askesos/test_api_walk.py
checks the same shape on every endpoint; these pin down the details."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import rest_framework
from django.test import Client
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator

from askesos.roles import LpaRole
from tests.askesos.test_api_walk import assert_shape, fields_of
from tests.conftest import client_on, host_of


@pytest.fixture
def bendahara(lpa_a, make_staff):
    return client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.PREMI_KEUANGAN))


def test_nested_validation_errors_come_as_a_list_with_dotted_paths(bendahara):
    response = bendahara.post(
        "/api/premiums/receipts/",
        {"received_on": "kemarin", "rows": [{"number": "K-1", "policy_number": "AKS-1"}]},
        content_type="application/json",
    )

    body = assert_shape(response, status=400)
    assert {(i["field"], i["code"]) for i in body["errors"]} == {
        ("received_on", "invalid"),
        ("rows.0.months", "required"),
        ("rows.0.amount", "required"),
    }
    assert body["field"] == "received_on"  # the first error repeated at the top
    assert "Format tanggal salah" in body["message"]
    assert "Bidang ini wajib diisi." in {i["message"] for i in body["errors"]}


def test_a_field_error_speaks_english_when_asked(bendahara):
    response = bendahara.post(
        "/api/premiums/receipts/",
        {"received_on": "2024-03-04"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = assert_shape(response, status=400, code="required", field="rows")
    assert body["message"] == "This field is required."
    assert response["Content-Language"] == "en"


def test_a_list_field_error_names_the_item(lpa_a, make_staff):
    client = client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.KLAIM))

    response = client.post(
        "/api/claims/payment-requests/", {"claims": [1, "dua"]}, content_type="application/json"
    )

    body = assert_shape(response, status=400)
    assert fields_of(body) == {"claims.1"}
    assert body["message"] == "Harus berupa bilangan bulat."


def test_a_wrong_type_is_refused_at_its_field(bendahara):
    response = bendahara.post(
        "/api/grants/",
        {"donor": ["a"], "purpose": "x", "amount": "banyak", "date": "2024-03-04", "reference": 1},
        content_type="application/json",
    )

    body = assert_shape(response, status=400)
    assert {(i["field"], i["code"]) for i in body["errors"]} == {
        ("donor", "invalid"),
        ("amount", "amount_not_figures"),
    }
    assert {i["message"] for i in body["errors"]} == {
        "Harus berupa teks.",
        "Tulis jumlah dengan angka, mis. 5.000.",
    }


def test_an_unknown_id_never_names_a_model(lpa_a, make_staff):
    client = client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.KETUA))

    for path in ("/api/participants/987654/", "/api/claims/987654/"):
        body = assert_shape(client.get(path), status=404, code="not_found")
        assert body == {
            "code": "not_found",
            "message": "Data tidak ditemukan.",
            "field": None,
            "errors": [{"code": "not_found", "message": "Data tidak ditemukan.", "field": None}],
        }
        english = client.get(path, HTTP_ACCEPT_LANGUAGE="en").json()
        assert english["message"] == "Not found."


def test_another_lpas_record_is_not_found_in_the_same_words(lpa_a, lpa_b, make_staff):
    from django.db import connection

    from programme.participants.services import participant_register
    from tests.programme.conftest import person

    sekretaris_a = make_staff(lpa_a, LpaRole.SEKRETARIS)
    connection.set_tenant(lpa_a)
    policy = participant_register(data=person(), actor=sekretaris_a)
    connection.set_schema_to_public()
    client_b = client_on(host_of(lpa_b), make_staff(lpa_b, LpaRole.KETUA))

    response = client_b.get(f"/api/participants/{policy.participant_id}/")

    assert assert_shape(response, status=404)["message"] == "Data tidak ditemukan."


def test_malformed_json_is_a_parse_error_without_parser_internals(bendahara):
    response = bendahara.post("/api/grants/", '{"donor": ', content_type="application/json")

    body = assert_shape(response, status=400, code="parse_error")
    assert body["message"] == (
        "Isi permintaan tidak dapat dibaca: bukan JSON atau data formulir yang benar."
    )
    assert "Expecting" not in response.content.decode()


def test_an_unsupported_content_type_is_415_naming_what_is_accepted(bendahara):
    response = bendahara.post("/api/grants/", "donor=x", content_type="text/plain")

    body = assert_shape(response, status=415, code="unsupported_media_type")
    assert "text/plain" in body["message"] and "application/json" in body["message"]


def test_a_method_the_address_does_not_take_is_405(bendahara):
    response = bendahara.delete("/api/grants/")

    body = assert_shape(response, status=405, code="method_not_allowed")
    assert body["message"] == "Alamat ini tidak menerima metode DELETE."
    assert "POST" in response["Allow"]


def test_an_unanswerable_accept_header_is_406(bendahara):
    response = bendahara.get("/api/staff/", HTTP_ACCEPT="application/xml")

    assert assert_shape(response, status=406, code="not_acceptable")


def test_without_signing_in_the_answer_is_403_not_authenticated(lpa_a):
    response = client_on(host_of(lpa_a)).get("/api/participants/")

    body = assert_shape(response, status=403, code="not_authenticated")
    assert body["message"] == "Silakan masuk (login) terlebih dahulu."


def test_a_role_that_may_not_gets_the_domain_code(lpa_a, make_staff):
    petugas = client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.PETUGAS_LAPANGAN))

    body = assert_shape(petugas.get("/api/staff/"), status=403, code="role_forbidden")
    assert body["errors"] == [{"code": "role_forbidden", "message": body["message"], "field": None}]


def test_a_missing_csrf_token_is_refused_in_the_shape(lpa_a, make_staff):
    user = make_staff(lpa_a, LpaRole.PREMI_KEUANGAN)
    client = client_on(host_of(lpa_a), user)
    strict = Client(HTTP_HOST=host_of(lpa_a), enforce_csrf_checks=True)
    strict.cookies = client.cookies

    response = strict.post("/api/grants/", {}, content_type="application/json")

    body = assert_shape(response, status=403, code="csrf_failed")
    assert "CSRF" in body["message"] and "Muat ulang" in body["message"]


def test_a_domain_error_keeps_its_code_and_field(lpa_a, make_staff):
    client = client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.PREMI_KEUANGAN))

    response = client.post(
        "/api/grants/",
        {
            "donor": "Dinsos",
            "purpose": "modal",
            "amount": -5,
            "date": "2024-03-04",
            "reference": "H-1",
        },
        content_type="application/json",
    )

    body = assert_shape(response, status=400)
    assert len(body["errors"]) == 1 and body["code"] == body["errors"][0]["code"]
    assert body["code"] not in {"invalid", "required"}


def test_an_unknown_api_address_is_json_and_a_page_stays_a_page(lpa_a, portal_host):
    for host in (portal_host, host_of(lpa_a)):
        api = client_on(host).get("/api/tidak-ada/")
        page = client_on(host).get("/halaman-tidak-ada/")

        assert assert_shape(api, status=404, code="not_found")["message"] == "Data tidak ditemukan."
        assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


# --- query parameters -------------------------------------------------------------------


def test_an_unknown_query_parameter_is_refused_not_ignored(lpa_a, make_staff):
    client = client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.KETUA))

    response = client.get("/api/participants/", {"desa": "74.71.01.1005"})

    body = assert_shape(response, status=400, code="unknown_parameter", field="desa")
    for accepted in ("q", "status", "village", "page", "page_size"):
        assert accepted in body["message"]


def test_paging_search_and_language_parameters_are_accepted(lpa_a, make_staff):
    client = client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.KETUA))

    response = client.get(
        "/api/participants/",
        {"q": "budi", "status": "active", "page": 1, "page_size": 10, "lang": "en", "sex": "L"},
    )

    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/participants/", {"status": "hilang"}, "status"),
        ("/api/participants/", {"sex": "X"}, "sex"),
        ("/api/participants/", {"village": "99.99.99.9999"}, "village"),
        ("/api/claims/", {"status": "entah"}, "status"),
        ("/api/staff/", {"is_active": "mungkin"}, "is_active"),
        ("/api/staff/", {"role": "raja"}, "role"),
        ("/api/books/neraca/", {"month": "November"}, "month"),
        ("/api/books/neraca/", {"file": "docx"}, "file"),
        ("/api/participants/export/", {"type": "pdf"}, "type"),
    ],
)
def test_a_value_no_filter_accepts_is_refused_at_its_parameter(
    lpa_a, make_staff, path, params, field
):
    client = client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.KETUA))

    response = client.get(path, params)

    assert_shape(response, status=400, field=field)


def test_government_lists_refuse_unknown_filters_too(portal_host, make_government_user):
    client = client_on(portal_host, make_government_user("ministry"))

    assert_shape(client.get("/api/lpas/", {"provinsi": "74"}), status=400, field="provinsi")
    assert_shape(client.get("/api/lpas/", {"is_ready": "ya"}), status=400, field="is_ready")
    assert_shape(
        client_on(portal_host).get("/api/wilayah/regencies/", {"province": "99"}),
        status=400,
        field="province",
    )
    assert client.get("/api/lpas/", {"is_ready": "true", "status": "active"}).status_code == 200


# --- throttling -------------------------------------------------------------------------


@pytest.fixture
def low_rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "2/minute"},
    }


def test_too_many_requests_are_429_with_retry_after(lpa_a, lpa_b, make_staff, low_rates):
    user = make_staff(lpa_a, LpaRole.KETUA)
    client = client_on(host_of(lpa_a), user)
    others = client_on(host_of(lpa_b), make_staff(lpa_b, LpaRole.KETUA))

    statuses = [client.get("/api/staff/").status_code for _ in range(3)]
    refused = client.get("/api/staff/", HTTP_ACCEPT_LANGUAGE="en")

    assert statuses == [200, 200, 429]
    body = assert_shape(refused, status=429, code="throttled")
    retry_after = int(refused["Retry-After"])
    assert 0 < retry_after <= 60
    assert body["message"] == f"Too many requests. Try again in {retry_after} seconds."
    # Another user in another LPA has a budget of their own.
    assert others.get("/api/staff/").status_code == 200


def test_anonymous_callers_are_throttled_per_address(portal_host, db, low_rates):
    client = Client(HTTP_HOST=portal_host, REMOTE_ADDR="10.77.0.1")

    statuses = [client.get("/api/wilayah/provinces/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    body = assert_shape(client.get("/api/wilayah/provinces/"), status=429)
    assert body["message"].startswith("Terlalu banyak permintaan.")
    assert (
        Client(HTTP_HOST=portal_host, REMOTE_ADDR="10.77.0.2")
        .get("/api/wilayah/provinces/")
        .status_code
        == 200
    )


# --- outside DRF ------------------------------------------------------------------------


def test_a_suspended_lpa_refuses_writes_in_the_shape(lpa_a, make_staff):
    from tenants.services import lpa_set_status

    client = client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.KETUA))
    lpa_set_status(lpa=lpa_a, status="suspended")

    response = client.post("/api/grants/", {}, content_type="application/json")

    assert assert_shape(response, status=423, code="tenant_suspended")


# --- translations and the OpenAPI document --------------------------------------------


def _drf_strings() -> set[str]:
    root = Path(rest_framework.__file__).parent
    strings = set()
    for name in ("fields.py", "relations.py", "serializers.py", "pagination.py"):
        for node in ast.walk(ast.parse((root / name).read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                strings.add(node.value)
    return strings


def test_drfs_messages_are_all_in_indonesian():
    from askesos.drf_messages import DRF_MESSAGES

    still_drfs = _drf_strings()
    for message in DRF_MESSAGES:
        assert message in still_drfs, f"DRF no longer says {message!r}: update drf_messages"
        with translation.override("id"):
            assert translation.gettext(message) != message, message


def test_every_drf_field_error_message_is_translated():
    """A new DRF release may add messages; each must be in drf_messages."""
    from rest_framework import fields, relations, serializers

    from askesos.drf_messages import DRF_MESSAGES

    listed = set(DRF_MESSAGES)
    classes = [
        c
        for module in (fields, relations, serializers)
        for c in vars(module).values()
        if isinstance(c, type)
        and c.__module__.startswith("rest_framework")
        and hasattr(c, "default_error_messages")
    ]
    with translation.override("en"):
        used = {
            str(m)
            for c in classes
            for m in c.default_error_messages.values()
            if "hyperlink" not in str(m) and "URL string" not in str(m)
        }
    assert used <= listed, used - listed


@pytest.mark.parametrize("urlconf", ["askesos.urls_public", "askesos.urls_tenant"])
def test_the_openapi_document_describes_the_errors_of_every_operation(urlconf):
    schema = SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)

    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "message", "field", "errors"}
    assert schema["components"]["schemas"]["ErrorItem"]["required"] == ["code", "message", "field"]
    ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert responses["429"]["content"]["application/json"]["schema"] == ref, path
            public = {} in operation.get("security", [])
            assert public or "403" in responses, (method, path)
            assert "{" not in path or "404" in responses, (method, path)
            if method == "post":
                assert {"400", "409"} <= set(responses), (method, path)
            if "requestBody" in operation:
                assert "415" in responses, (method, path)
            if any(p["in"] == "query" for p in operation.get("parameters", [])):
                assert "400" in responses, (method, path)


def test_the_served_openapi_document_carries_the_error_component(lpa_a, portal_host):
    for host in (portal_host, host_of(lpa_a)):
        served = client_on(host).get("/api/schema/", HTTP_ACCEPT="application/json")

        assert served.status_code == 200
        assert "Error" in served.json()["components"]["schemas"]


def test_documented_query_parameters_are_the_accepted_ones():
    schema = SchemaGenerator(urlconf="askesos.urls_tenant").get_schema(request=None, public=True)

    names = {p["name"] for p in schema["paths"]["/api/participants/"]["get"]["parameters"]}
    assert {"q", "status", "village", "sex", "page", "page_size"} <= names
    names = {p["name"] for p in schema["paths"]["/api/books/{slug}/"]["get"]["parameters"]}
    assert {"month", "file"} <= names


def test_a_crash_under_the_api_is_a_500_in_the_shape_and_a_page_elsewhere(rf):
    from askesos.errors import server_error

    with translation.override("id"):
        api = server_error(rf.get("/api/participants/"))
        page = server_error(rf.get("/peserta/"))

    assert api.status_code == 500 and api["Content-Type"] == "application/json"
    assert api.content.decode().count('"code": "server_error"') == 2
    assert "Terjadi kesalahan di server" in api.content.decode()
    assert page.status_code == 500 and not page["Content-Type"].startswith("application/json")

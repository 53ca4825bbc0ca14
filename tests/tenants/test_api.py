import pytest
from django.utils import translation

from tenants.models import Lpa
from tests.conftest import client_on

NEW = {
    "name": "Yayasan Lewat API",
    "slug": "lewat-api",
    "legal_form": "yayasan",
    "regency_code": "74.02",
    "npwp": "04.567.891.9-741.000",
}


def test_lpa_list_is_limited_to_the_callers_area(
    portal_host, lpa_a, lpa_b, lpa_c, make_government_user
):
    cases = [
        (make_government_user("regency", regency="74.71"), {"uji-a"}),
        (make_government_user("province", province="74", role="pengendali"), {"uji-a", "uji-b"}),
        (make_government_user("ministry", role="auditor"), {"uji-a", "uji-b", "uji-c"}),
    ]
    for user, expected in cases:
        response = client_on(portal_host, user).get("/api/lpas/")

        assert response.status_code == 200
        assert {row["slug"] for row in response.json()["results"]} == expected


def test_lpa_detail_outside_the_area_is_404(portal_host, lpa_c, make_government_user):
    kendari = make_government_user("regency", regency="74.71")

    response = client_on(portal_host, kendari).get("/api/lpas/uji-c/")

    assert response.status_code == 404


def test_lpa_staff_cannot_use_the_government_api(portal_host, lpa_a, make_staff):
    ketua = make_staff(lpa_a, "ketua")

    response = client_on(portal_host, ketua, bound_to="public").get("/api/lpas/")

    assert response.status_code == 403
    assert response.json()["code"] == "not_government"


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        (("regency", None, "74.02"), 403, "level_forbidden"),
        (("province", "73", None), 403, "outside_scope"),
    ],
)
def test_who_may_not_appoint_an_lpa_is_refused(
    portal_host, make_government_user, who, status, code
):
    level, province, regency = who
    user = make_government_user(level, province=province, regency=regency)

    response = client_on(portal_host, user).post("/api/lpas/", NEW, content_type="application/json")

    assert response.status_code == status
    assert response.json()["code"] == code
    assert not Lpa.objects.filter(slug=NEW["slug"]).exists()


def test_bad_npwp_through_the_api_is_a_400_in_indonesian(portal_host, make_government_user):
    sultra = make_government_user("province", province="74")

    response = client_on(portal_host, sultra).post(
        "/api/lpas/", {**NEW, "npwp": "04.567.891.8-741.000"}, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "npwp_invalid"
    assert "digit pemeriksanya salah" in response.json()["message"]
    assert response["Content-Language"] == "id"


def test_api_clients_may_ask_for_english(portal_host, make_government_user):
    sultra = make_government_user("province", province="74")

    response = client_on(portal_host, sultra).post(
        "/api/lpas/",
        {**NEW, "regency_code": "99.99"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.json()["message"] == "Unknown regency/city code: 99.99."


def test_duplicate_slug_through_the_api_is_a_409(portal_host, lpa_a, make_government_user):
    sultra = make_government_user("province", province="74")

    response = client_on(portal_host, sultra).post(
        "/api/lpas/", {**NEW, "slug": "uji-a"}, content_type="application/json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "slug_taken"


def test_openapi_schema_and_docs_are_served(portal_host, lpa_a):
    from tests.conftest import host_of

    for host in (portal_host, host_of(lpa_a)):
        schema = client_on(host).get("/api/schema/")
        docs = client_on(host).get("/api/docs/")
        assert schema.status_code == 200 and b"openapi" in schema.content
        assert docs.status_code == 200 and b"swagger" in docs.content.lower()
    with translation.override("id"):
        assert b"/api/lpas/" in client_on(portal_host).get("/api/schema/").content

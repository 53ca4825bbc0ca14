"""Claims over HTTP: the API and the pages, each checked for another LPA and for a role
that may not; documents never leave their LPA."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from programme.claims import services
from programme.claims.models import Claim
from tests.conftest import client_on, host_of
from tests.programme.claims_helpers import PDF, TODAY, docs_for, fund_reserve, paying_policy


@pytest.fixture
def policy(in_lpa_a):
    return paying_policy()


@pytest.fixture
def claim(policy, make_staff, in_lpa_a):
    officer = make_staff(in_lpa_a, "petugas_lapangan")
    connection.set_tenant(in_lpa_a)
    return services.claim_submit(
        policy_number=policy.number,
        benefit="sickness",
        event_date=datetime.date(2024, 3, 4),
        sick_days=12,
        documents=docs_for("sickness"),
        actor=officer,
        today=TODAY,
    )


def pdf(name="surat.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_a_field_officer_submits_with_documents_over_the_api(policy, lpa_a, make_staff):
    officer = make_staff(lpa_a, "petugas_lapangan")
    response = client_on(host_of(lpa_a), officer).post(
        "/api/claims/",
        {
            "policy": policy.number,
            "benefit": "sickness",
            "event_date": "2024-03-04",
            "sick_days": 12,
            "doc_claim_form": pdf("formulir.pdf"),
            "doc_medical_certificate": pdf(),
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "submitted" and body["amount"] == 100_000
    assert sorted(d["kind"] for d in body["documents"]) == ["claim_form", "medical_certificate"]
    assert {c["code"]: c["passed"] for c in body["checks"]}["documents"] is True


def test_a_refused_claim_answers_400_with_the_reason_in_indonesian(policy, lpa_a, make_staff):
    officer = make_staff(lpa_a, "petugas_lapangan")
    response = client_on(host_of(lpa_a), officer).post(
        "/api/claims/",
        {"policy": policy.number, "benefit": "sickness", "event_date": "2023-06-01"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "event_before_start"
    assert response.json()["field"] == "event_date"
    assert "sebelum" in response.json()["message"]


def test_a_wrong_file_is_refused_and_nothing_is_kept(policy, lpa_a, make_staff):
    officer = make_staff(lpa_a, "petugas_lapangan")
    response = client_on(host_of(lpa_a), officer).post(
        "/api/claims/",
        {
            "policy": policy.number,
            "benefit": "sickness",
            "event_date": "2024-03-04",
            "sick_days": 12,
            "doc_claim_form": pdf("formulir.pdf", b"MZ\x90\x00 not a pdf"),
        },
    )
    assert response.status_code == 400 and response.json()["code"] == "document_type"
    connection.set_tenant(lpa_a)
    assert not Claim.objects.exists()


def test_the_workflow_over_the_api_with_four_people(claim, lpa_a, make_staff):
    connection.set_tenant(lpa_a)
    fund_reserve()
    host = host_of(lpa_a)
    klaim, ketua, bendahara = (make_staff(lpa_a, r) for r in ("klaim", "ketua", "bendahara"))

    assert client_on(host, klaim).post(f"/api/claims/{claim.pk}/verify/").status_code == 200
    made = client_on(host, klaim).post(
        "/api/claims/payment-requests/", {"claims": [claim.pk]}, content_type="application/json"
    )
    assert made.status_code == 201
    request_pk = made.json()["id"]
    # The Bendahara cannot approve; the Ketua cannot pay.
    assert (
        client_on(host, bendahara)
        .post(f"/api/claims/payment-requests/{request_pk}/approve/")
        .status_code
        == 403
    )
    assert (
        client_on(host, ketua)
        .post(f"/api/claims/payment-requests/{request_pk}/approve/")
        .status_code
        == 200
    )
    paid = client_on(host, bendahara).post(
        f"/api/claims/payment-requests/{request_pk}/pay/",
        {"paid_on": timezone.localdate().isoformat(), "reference": "TRF-9"},
        content_type="application/json",
    )
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    detail = client_on(host, klaim).get(f"/api/claims/{claim.pk}/").json()
    assert detail["status"] == "paid" and [e["action"] for e in detail["events"]][-1] == "pay"


@pytest.mark.parametrize("role", ["petugas_lapangan", "bendahara", "ketua"])
def test_only_urusan_klaim_verifies(claim, lpa_a, make_staff, role):
    someone = make_staff(lpa_a, role)
    response = client_on(host_of(lpa_a), someone).post(f"/api/claims/{claim.pk}/verify/")
    assert response.status_code == 403


def test_another_lpas_staff_cannot_see_or_move_the_claim(claim, lpa_a, lpa_b, make_staff):
    document = claim.documents.first()
    klaim_b = make_staff(lpa_b, "klaim")
    # On B's own host the claim does not exist (B's schema has no such row).
    on_b = client_on(host_of(lpa_b), klaim_b)
    assert on_b.get(f"/api/claims/{claim.pk}/").status_code == 404
    assert on_b.post(f"/api/claims/{claim.pk}/verify/").status_code == 404
    assert on_b.get(f"/klaim/{claim.pk}/dokumen/{document.pk}/").status_code == 404
    # On A's host, B's staff are not on A's team.
    on_a = client_on(host_of(lpa_a), klaim_b, bound_to=lpa_b.schema_name)
    assert on_a.get(f"/klaim/{claim.pk}/dokumen/{document.pk}/").status_code in (302, 403)


def test_a_document_is_served_only_through_its_claim_on_its_lpas_host(claim, lpa_a, make_staff):
    klaim = make_staff(lpa_a, "klaim")
    document = claim.documents.first()
    client = client_on(host_of(lpa_a), klaim)

    response = client.get(f"/klaim/{claim.pk}/dokumen/{document.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Cache-Control"] == "private, no-store"
    # The storage path is never a URL.
    assert client.get(f"/media/{lpa_a.schema_name}/{document.stored_as}").status_code == 404


def test_the_claim_pages_answer_each_role(claim, lpa_a, make_staff):
    host = host_of(lpa_a)
    for role in ("petugas_lapangan", "klaim", "ketua", "bendahara", "sekretaris"):
        client = client_on(host, make_staff(lpa_a, role))
        listed = client.get("/klaim/")
        assert listed.status_code == 200 and "Sakit" in listed.content.decode()
        assert client.get(f"/klaim/{claim.pk}/").status_code == 200
    assert client_on(host, make_staff(lpa_a, "klaim")).get("/klaim/pembayaran/").status_code == 200
    assert (
        client_on(host, make_staff(lpa_a, "petugas_lapangan")).get("/klaim/pembayaran/").status_code
        == 403
    )


def test_a_refused_step_on_a_page_shows_the_reason_not_an_error(claim, lpa_a, make_staff):
    client = client_on(host_of(lpa_a), make_staff(lpa_a, "klaim"))
    response = client.post(f"/klaim/{claim.pk}/tolak/", {"reason": ""}, follow=True)
    assert response.status_code == 200
    assert "Tuliskan alasan" in response.content.decode() or "alasan" in response.content.decode()


def test_after_a_death_claim_the_heir_is_offered_and_registered_as_a_continuation(
    policy, lpa_a, make_staff
):
    from programme.participants.models import Policy
    from tests.programme.conftest import nik_for

    connection.set_tenant(lpa_a)
    officer, klaim = make_staff(lpa_a, "petugas_lapangan"), make_staff(lpa_a, "klaim")
    connection.set_tenant(lpa_a)
    claim = services.claim_submit(
        policy_number=policy.number,
        benefit="death",
        event_date=datetime.date(2025, 2, 3),
        heir=policy.participant.heirs.first(),
        documents=docs_for("death"),
        actor=officer,
        today=TODAY,
    )
    services.claim_verify(claim=claim, actor=klaim)
    host = host_of(lpa_a)

    page = client_on(host, klaim).get(f"/klaim/{claim.pk}/").content.decode()
    assert f"/peserta/daftar/?lanjutan={policy.pk}" not in page  # Urusan Klaim does not register
    page = client_on(host, officer).get(f"/klaim/{claim.pk}/").content.decode()
    assert f"/peserta/daftar/?lanjutan={policy.pk}" in page
    form = client_on(host, officer).get(f"/peserta/daftar/?lanjutan={policy.pk}")
    assert "Siti Aminah" in form.content.decode()

    response = client_on(host, officer).post(
        "/peserta/daftar/",
        {
            "lanjutan": policy.pk,
            "nik": nik_for("74.71.01", datetime.date(1988, 2, 9), "P", 77),
            "name": "Siti Aminah",
            "sex": "P",
            "birth_date": "1988-02-09",
            "marital_status": "cerai_mati",
            "occupation": "pedagang_kecil",
            "monthly_income": 800000,
            "household_size": 3,
            "is_breadwinner": "on",
            "village_code": "74.71.01.1005",
            "data_source": "outreach",
            "poverty_status": "miskin",
            "documents": ["ktp_or_domicile"],
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    connection.set_tenant(lpa_a)
    assert Policy.objects.get(continued_from=policy).participant.name == "Siti Aminah"


def test_the_district_sees_an_overdue_claim_of_its_lpas_only(
    claim, lpa_a, make_government_user, portal_host
):
    from zoneinfo import ZoneInfo

    from programme.claims.sla import sla_check_run

    connection.set_tenant(lpa_a)
    Claim.objects.filter(pk=claim.pk).update(
        complete_at=datetime.datetime(2024, 7, 15, 9, tzinfo=ZoneInfo("Asia/Jakarta"))
    )
    sla_check_run(on=datetime.date(2024, 7, 22))
    connection.set_schema_to_public()
    kendari = make_government_user("regency", regency="74.71")
    konawe = make_government_user("regency", regency="74.02")

    seen = client_on(portal_host, kendari).get("/dasbor/sekarang/").content.decode()
    assert claim.number in seen and "5 hari kerja" in seen and "LPA Uji A" in seen
    elsewhere = client_on(portal_host, konawe).get("/dasbor/sekarang/").content.decode()
    assert claim.number not in elsewhere

    lpa_page = client_on(host_of(lpa_a), make_staff_for(lpa_a)).get("/dasbor/").content.decode()
    assert claim.number in lpa_page  # flagged to the LPA too


def make_staff_for(lpa):
    from askesos.accounts.services import membership_grant, user_create

    user = user_create(username=f"ketua-sla-{lpa.slug}", password="rahasia-uji-123")
    membership_grant(lpa=lpa, user=user, role="ketua")
    return user

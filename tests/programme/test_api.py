"""The registry over HTTP: API and pages, with the tenant and role checks."""

import io

from django.db import connection

from programme.participants.imports import import_run
from programme.participants.models import ImportBatch, Participant
from tests.conftest import client_on, host_of
from tests.programme.conftest import person
from tests.programme.test_import import MIXED, as_csv, row


def _payload(**changes):
    p = person(**changes)
    return {
        "nik": p.nik,
        "name": p.name,
        "sex": p.sex,
        "birth_date": p.birth_date.isoformat(),
        "marital_status": p.marital_status,
        "occupation": p.occupation,
        "monthly_income": p.monthly_income,
        "village_code": p.village_code,
        "data_source": p.data_source,
        "poverty_status": p.poverty_status,
        "heirs": [{"name": "Siti", "relation": "pasangan", "is_primary": True}],
    }


def test_field_officer_registers_then_finds_by_nik_name_and_policy(lpa_a, make_staff):
    petugas = make_staff(lpa_a, "petugas_lapangan")
    client = client_on(host_of(lpa_a), petugas)

    created = client.post("/api/participants/", _payload(), content_type="application/json")

    assert created.status_code == 201, created.content
    number = created.json()["number"]
    for query in (person().nik, "budi", number):
        found = client.get("/api/participants/", {"q": query}).json()["results"]
        assert [r["policy_number"] for r in found] == [number], query


def test_registration_errors_come_back_as_400_in_indonesian(lpa_a, make_staff):
    petugas = make_staff(lpa_a, "petugas_lapangan")
    client = client_on(host_of(lpa_a), petugas)

    response = client.post(
        "/api/participants/", _payload(monthly_income=100_000), content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "not_eligible"
    assert "di bawah batas minimal" in response.json()["message"]


def test_a_treasurer_may_look_but_not_register(lpa_a, make_staff):
    bendahara = make_staff(lpa_a, "bendahara")
    client = client_on(host_of(lpa_a), bendahara)

    assert client.get("/api/participants/").status_code == 200
    refused = client.post("/api/participants/", _payload(), content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "role_forbidden"


def test_another_lpas_participant_is_not_found(lpa_a, lpa_b, make_staff):
    client_a = client_on(host_of(lpa_a), make_staff(lpa_a, "petugas_lapangan"))
    created = client_a.post("/api/participants/", _payload(), content_type="application/json")
    participant_id = Participant.objects.get(nik=person().nik).pk
    assert created.status_code == 201

    client_b = client_on(host_of(lpa_b), make_staff(lpa_b, "ketua"))

    assert client_b.get(f"/api/participants/{participant_id}/").status_code == 404
    assert client_b.get("/api/participants/", {"q": person().nik}).json()["results"] == []


def _worker_runs(lpa, answer) -> None:
    """What the worker does with a queued import (test_import_hostile.py has the real
    worker): here, in process."""
    connection.set_tenant(lpa)
    import_run(answer.json()["batch"])
    connection.set_schema_to_public()


def test_import_over_the_api_is_queued_then_followed_to_its_report(lpa_a, make_staff):
    client = client_on(host_of(lpa_a), make_staff(lpa_a, "sekretaris"))
    upload = io.BytesIO(as_csv(MIXED))
    upload.name = "pkh.csv"

    preview = client.post("/api/participants/import/", {"file": upload})

    assert preview.status_code == 202
    assert preview.json()["state"] == "queued" and preview.json()["dry_run"] is True
    followed = preview["Location"]
    assert followed == f"/api/participants/imports/{preview.json()['batch']}/"
    _worker_runs(lpa_a, preview)
    report = client.get(followed).json()
    assert (report["state"], report["outcome"]) == ("done", "dry_run")
    assert report["rows_valid"] == 3 and len(report["errors"]) == 7
    assert set(report["errors"][0]) == {"row", "field", "message"}

    upload = io.BytesIO(as_csv([row(1), row(4)]))
    upload.name = "bersih.csv"
    written = client.post("/api/participants/import/", {"file": upload, "dry_run": "false"})
    _worker_runs(lpa_a, written)
    assert client.get(written["Location"]).json()["rows_written"] == 2


def test_an_unreadable_list_over_the_api_fails_with_the_reason(lpa_a, make_staff):
    client = client_on(host_of(lpa_a), make_staff(lpa_a, "sekretaris"))
    upload = io.BytesIO(b"nama;umur\nBudi;40\n")
    upload.name = "lain.csv"

    answer = client.post("/api/participants/import/", {"file": upload})
    _worker_runs(lpa_a, answer)

    failed = client.get(answer["Location"]).json()
    assert (failed["state"], failed["error_code"]) == ("failed", "columns_missing")
    assert "nik" in failed["error"]


def test_another_lpa_or_a_role_that_may_not_import_cannot_follow_an_import(
    lpa_a, lpa_b, make_staff
):
    client = client_on(host_of(lpa_a), make_staff(lpa_a, "sekretaris"))
    upload = io.BytesIO(as_csv([row(1)]))
    upload.name = "a.csv"
    followed = client.post("/api/participants/import/", {"file": upload})["Location"]

    other_lpa = client_on(host_of(lpa_b), make_staff(lpa_b, "sekretaris"))
    treasurer = client_on(host_of(lpa_a), make_staff(lpa_a, "bendahara"))

    assert other_lpa.get(followed).status_code == 404
    assert treasurer.get(followed).status_code == 403


def test_import_pages_queue_the_file_then_show_its_report_and_confirm(lpa_a, make_staff):
    client = client_on(host_of(lpa_a), make_staff(lpa_a, "sekretaris"))
    upload = io.BytesIO(as_csv(MIXED))
    upload.name = "pkh.csv"

    queued = client.post("/peserta/impor/", {"file": upload})

    assert queued.status_code == 302
    page = client.get(queued["Location"]).content.decode()
    assert "Menunggu" in page and 'http-equiv="refresh"' in page
    connection.set_tenant(lpa_a)
    batch = ImportBatch.objects.get()
    import_run(batch.pk)
    connection.set_schema_to_public()
    page = client.get(queued["Location"]).content.decode()
    assert "3 dari 10 baris dapat diimpor" in page and "Baris 11" in page
    assert "pkh.csv" in client.get("/peserta/impor/").content.decode()

    confirmed = client.post(queued["Location"], {"skip_invalid": "1"})

    connection.set_tenant(lpa_a)
    again = ImportBatch.objects.exclude(pk=batch.pk).get()
    assert confirmed["Location"].endswith(f"/peserta/impor/{again.pk}/")
    assert (again.dry_run, again.skip_invalid, again.stored_as) == (False, True, batch.stored_as)
    assert import_run(again.pk).rows_written == 3


def test_the_import_page_still_checks_the_csrf_token(lpa_a, make_staff):
    """The page is exempted from the middleware's check only to refuse an oversized
    body unread; every other upload is checked just after."""
    client = client_on(host_of(lpa_a), make_staff(lpa_a, "sekretaris"))
    client.handler.enforce_csrf_checks = True
    upload = io.BytesIO(as_csv([row(1)]))
    upload.name = "a.csv"

    refused = client.post("/peserta/impor/", {"file": upload})

    assert refused.status_code == 403
    connection.set_tenant(lpa_a)
    assert not ImportBatch.objects.exists()


def test_export_escapes_cells_that_spreadsheets_would_run(lpa_a, make_staff):
    client = client_on(host_of(lpa_a), make_staff(lpa_a, "petugas_lapangan"))
    client.post(
        "/api/participants/", _payload(name="=cmd|' /C calc'!A0"), content_type="application/json"
    )

    export = client.get("/api/participants/export/", {"type": "csv"}).content.decode()

    assert "'=cmd" in export and "\n=cmd" not in export


def test_pages_register_search_and_detail(lpa_a, make_staff):
    client = client_on(host_of(lpa_a), make_staff(lpa_a, "petugas_lapangan"))
    data = _payload()
    form = {k: v for k, v in data.items() if k != "heirs"}
    form.update(
        {
            "household_size": 4,
            "is_breadwinner": "on",
            "documents": ["ktp_or_domicile"],
            "heir_name": "Siti",
            "heir_relation": "pasangan",
        }
    )

    created = client.post("/peserta/daftar/", form)

    assert created.status_code == 302, created.content.decode()[:2000]
    detail = client.get(created["Location"]).content.decode()
    assert "Budi Santoso" in detail and "Terdaftar" in detail and "Siti" in detail
    listing = client.get("/peserta/", {"q": "Budi"}).content.decode()
    assert "Budi Santoso" in listing and "AKS-7471-" in listing and "Terdaftar" in listing


def test_the_register_page_shows_the_reason_when_refused(lpa_a, make_staff):
    client = client_on(host_of(lpa_a), make_staff(lpa_a, "petugas_lapangan"))
    form = {k: v for k, v in _payload(monthly_income=50_000).items() if k != "heirs"}
    form.update({"household_size": 1, "documents": ["ktp_or_domicile"]})

    page = client.post("/peserta/daftar/", form)

    assert page.status_code == 200
    assert "Tidak memenuhi syarat" in page.content.decode()


def test_re_registration_and_heir_continuation_over_the_api(lpa_a, make_staff):
    import datetime

    from tests.programme.conftest import nik_for

    client = client_on(host_of(lpa_a), make_staff(lpa_a, "sekretaris"))
    first = client.post("/api/participants/", _payload(), content_type="application/json")
    policy_id = first.json()["id"]
    participant_id = Participant.objects.get(nik=person().nik).pk

    early = client.post(f"/api/participants/{participant_id}/reregister/")
    assert early.status_code == 400 and early.json()["code"] == "reregistration_refused"

    for step in ("active", "matured"):
        moved = client.post(
            f"/api/policies/{policy_id}/transition/",
            {"to_status": step},
            content_type="application/json",
        )
        assert moved.status_code == 200, moved.content
    again = client.post(f"/api/participants/{participant_id}/reregister/")
    assert again.status_code == 201 and again.json()["status"] == "registered"

    client.post(
        f"/api/policies/{again.json()['id']}/transition/",
        {"to_status": "deceased", "reason": "surat kematian desa"},
        content_type="application/json",
    )
    birth = datetime.date(1987, 4, 2)
    heir = _payload(
        name="Siti Aminah", sex="P", birth_date=birth, nik=nik_for("74.71.01", birth, "P", 9)
    )
    continued = client.post(
        f"/api/policies/{again.json()['id']}/continue/", heir, content_type="application/json"
    )
    assert continued.status_code == 201, continued.content
    assert continued.json()["continued_from"] == again.json()["id"]


def test_the_detail_page_offers_re_registration_after_maturity(lpa_a, make_staff):
    client = client_on(host_of(lpa_a), make_staff(lpa_a, "sekretaris"))
    created = client.post("/api/participants/", _payload(), content_type="application/json")
    policy_id = created.json()["id"]
    participant_id = Participant.objects.get(nik=person().nik).pk
    for step in ("active", "matured"):
        client.post(
            f"/api/policies/{policy_id}/transition/",
            {"to_status": step},
            content_type="application/json",
        )

    page = client.get(f"/peserta/{participant_id}/").content.decode()

    assert "Daftar ulang (polis baru)" in page

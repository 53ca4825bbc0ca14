"""The reports API on both sites: an LPA's own reports at its address (read, made on
demand, narrative, submission, versions), the portal's scoped reads, reviews, reopens,
consolidated submissions, completeness and the schedule. Every endpoint is tried by a
role that may and one that may not, and from another LPA or another area."""

from __future__ import annotations

import pytest
from django.db import connection
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from askesos.permissions import scope_of
from reporting.api import last_ended_month
from reporting.models import Report, ReportLevel, ReportState
from reporting.reports import (
    lpa_report_generate,
    reports_for_scope,
    reviewer_of,
    reviewers_of,
    schedule_update,
)
from tests.conftest import client_on, host_of

PERIOD = last_ended_month()
ERROR_KEYS = {"code", "message", "field", "errors"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def month_schedule(db):
    """A schedule that makes the outcome independent of today's date: every LPA report
    of the last month is late already, never locked, and the tiers' due days are still
    ahead (a tier waits for what is below it)."""
    schedule_update(
        period_type="month",
        actor=None,
        lpa_due_days=0,
        regency_due_days=40,
        province_due_days=60,
        expiry_days=0,
    )


def report_of(lpa) -> Report:
    """The LPA's report for PERIOD, made as the daily job makes it."""
    connection.set_tenant(lpa)
    report = lpa_report_generate(lpa=lpa, period=PERIOD)
    connection.set_schema_to_public()
    return report


def tier_report(level: str, area: str) -> Report:
    lookup = {"regency_id": area} if level == ReportLevel.REGENCY else {"province_id": area}
    return Report.objects.get(
        level=level, period_type=PERIOD.type, period_start=PERIOD.start, **lookup
    )


def send(client, method: str, path: str, data=None, **extra):
    if method == "get":
        return client.get(path, data or {}, **extra)
    return getattr(client, method)(
        path, data if data is not None else {}, content_type="application/json", **extra
    )


def refused(response, status: int, code: str, field: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:400])
    body = response.json()
    assert set(body) == ERROR_KEYS and body["code"] == code, body
    assert body["errors"][0] == {k: body[k] for k in ("code", "message", "field")}
    if field is not None:
        assert body["field"] == field, body
    return body


@pytest.fixture
def lpa_people(lpa_a, make_staff):
    """A's Ketua, Sekretaris, Bendahara and a field officer (who may not read reports)."""
    return {
        role: client_on(host_of(lpa_a), make_staff(lpa_a, role))
        for role in ("ketua", "sekretaris", "bendahara", "petugas_lapangan")
    }


@pytest.fixture
def officers(make_government_user, portal_host):
    """Dinas Sosial officers of Kota Kendari (A), Konawe (B), Sulawesi Tenggara (A and
    B), Sulawesi Selatan (C), the ministry; and a Tim Pengendali member of Kendari."""
    made = {
        "kendari": make_government_user("regency", regency="74.71"),
        "konawe": make_government_user("regency", regency="74.02"),
        "sultra": make_government_user("province", province="74"),
        "sulsel": make_government_user("province", province="73"),
        "ministry": make_government_user("ministry"),
        "pengendali": make_government_user("regency", "pengendali", regency="74.71"),
    }
    clients = {}
    for name, user in made.items():
        clients[name] = client_on(portal_host, user)
        clients[name].user = user
    return clients


def flags_agree(officers) -> None:
    """The list's flags (computed a page at a time) are reviewer_of's for each report."""
    for client in officers.values():
        scope = scope_of(client.user)
        seen = list(reports_for_scope(scope))
        expected = {r.pk: reviewer_of(client.user, scope, r) for r in seen}
        assert reviewers_of(client.user, scope, seen) == expected


# --- on an LPA's address -----------------------------------------------------------------


def test_the_lpa_lists_only_its_own_reports_and_refuses_unknown_filters(lpa_a, lpa_b, lpa_people):
    own, other = report_of(lpa_a), report_of(lpa_b)
    reader = lpa_people["bendahara"]

    listed = reader.get("/api/reports/")
    assert listed.status_code == 200, listed.content
    rows = listed.json()["results"]
    assert [r["id"] for r in rows] == [own.pk] and other.pk not in {r["id"] for r in rows}
    assert rows[0]["period"] == PERIOD.code and rows[0]["state"] == "draft"
    assert rows[0]["on_time"] is False and rows[0]["versions"] == 0
    assert reader.get("/api/reports/", {"period_type": "month"}).json()["count"] == 1
    assert (
        reader.get("/api/reports/", {"period_type": "year", "state": "draft"}).json()["count"] == 0
    )
    refused(reader.get("/api/reports/", {"state": "lost"}), 400, "invalid_choice", "state")
    refused(reader.get("/api/reports/", {"year": "2026"}), 400, "unknown_parameter", "year")
    refused(lpa_people["petugas_lapangan"].get("/api/reports/"), 403, "role_forbidden")


def test_another_lpas_report_is_never_reachable_from_lpa_a(lpa_a, lpa_b, make_staff):
    theirs = report_of(lpa_b)
    ketua_a = client_on(host_of(lpa_a), make_staff(lpa_a, "ketua"))
    ketua_b_on_a = client_on(host_of(lpa_a), make_staff(lpa_b, "ketua"))
    path = f"/api/reports/{PERIOD.code}/"

    assert theirs.pk not in {r["id"] for r in ketua_a.get("/api/reports/").json()["results"]}
    refused(ketua_a.get(path), 404, "not_found")
    refused(send(ketua_a, "patch", path, {"narrative": "x"}), 404, "not_found")
    refused(send(ketua_a, "post", path + "submit/"), 404, "not_found")
    refused(ketua_a.get(path + "versions/1/"), 404, "not_found")
    refused(ketua_b_on_a.get(path), 403, "not_member")
    refused(ketua_b_on_a.get("/api/reports/"), 403, "not_member")
    theirs.refresh_from_db()
    assert theirs.state == ReportState.DRAFT and theirs.narrative == ""


def test_a_report_is_made_on_demand_once_for_an_ended_period(lpa_a, lpa_people):
    sekretaris = lpa_people["sekretaris"]

    made = send(sekretaris, "post", "/api/reports/", {"period": PERIOD.code})
    again = send(sekretaris, "post", "/api/reports/", {"period": PERIOD.code})

    assert made.status_code == 201, made.content
    assert again.status_code == 200 and again.json()["id"] == made.json()["id"]
    body = made.json()
    assert body["period"] == PERIOD.code and body["level"] == "lpa"
    assert body["figures"]["closing.months"] == 1  # computed from the LPA's books
    assert set(body["derived"]) == {"collection_rate", "median_days", "median_days_all"}
    assert [e["action"] for e in body["events"]] == ["generated"]
    assert Report.objects.filter(lpa=lpa_a, level="lpa").count() == 1
    refused(
        send(sekretaris, "post", "/api/reports/", {"period": "2026-13"}, **EN),
        400,
        "period_invalid",
        "period",
    )
    future = send(sekretaris, "post", "/api/reports/", {"period": "2099"}, **EN)
    assert "has not ended yet" in refused(future, 400, "period_not_ended", "period")["message"]
    refused(
        send(lpa_people["bendahara"], "post", "/api/reports/", {"period": PERIOD.code}),
        403,
        "role_forbidden",
    )


def test_the_ketua_submits_once_and_every_version_stays_readable(lpa_a, lpa_people):
    report_of(lpa_a)
    path = f"/api/reports/{PERIOD.code}/"
    ketua, sekretaris = lpa_people["ketua"], lpa_people["sekretaris"]

    saved = send(sekretaris, "patch", path, {"narrative": "Hujan deras", "planned_actions": "A"})
    assert saved.status_code == 200 and saved.json()["narrative"] == "Hujan deras"
    kept = send(sekretaris, "patch", path, {"planned_actions": "Kunjungan"})
    assert kept.json()["narrative"] == "Hujan deras"  # left out: unchanged
    refused(send(sekretaris, "post", path + "submit/"), 403, "role_forbidden")
    refused(send(lpa_people["bendahara"], "patch", path, {"narrative": "x"}), 403, "role_forbidden")

    submitted = send(ketua, "post", path + "submit/", {"planned_actions": "Kunjungan rumah"})

    assert submitted.status_code == 200, submitted.content
    body = submitted.json()
    assert body["state"] == "submitted" and body["versions"] == 1
    assert [v["number"] for v in body["submitted_versions"]] == [1]
    assert body["submitted_versions"][0]["submitted_by"].startswith("uji-a-ketua-")
    twice = send(ketua, "post", path + "submit/", {}, **EN)
    assert refused(twice, 409, "already_submitted")["message"] == (
        "This report was already submitted (version 1) and waits for review."
    )
    refused(send(sekretaris, "patch", path, {"narrative": "later"}), 409, "already_submitted")

    version = ketua.get(path + "versions/1/")
    assert version.status_code == 200
    frozen = version.json()
    assert frozen["number"] == 1 and frozen["narrative"] == "Hujan deras"
    assert frozen["planned_actions"] == "Kunjungan rumah" and frozen["reason"] == ""
    assert frozen["figures"] == body["figures"] and frozen["period"] == PERIOD.code
    assert frozen["submitted_by"].startswith("uji-a-ketua-")
    refused(ketua.get(path + "versions/2/"), 404, "not_found")
    refused(lpa_people["petugas_lapangan"].get(path + "versions/1/"), 403, "role_forbidden")

    pdf = lpa_people["bendahara"].get(path, {"file": "pdf"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    refused(ketua.get(path, {"file": "doc"}), 400, "invalid_choice", "file")


def test_a_malformed_period_in_the_address_is_not_found(lpa_a, lpa_people):
    report_of(lpa_a)
    for code in ("oktober", "2026-13", "1999"):
        refused(lpa_people["ketua"].get(f"/api/reports/{code}/"), 404, "not_found")


# --- on the portal -----------------------------------------------------------------------


def test_each_tier_lists_the_reports_of_its_area(lpa_a, lpa_b, lpa_c, officers):
    a, b, c = report_of(lpa_a), report_of(lpa_b), report_of(lpa_c)

    def ids(who, **query):
        response = officers[who].get("/api/reports/", query)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    assert ids("ministry", level="lpa") == {a.pk, b.pk, c.pk}
    assert ids("sultra", level="lpa") == {a.pk, b.pk}
    assert ids("kendari", level="lpa") == {a.pk}
    assert ids("kendari") == {a.pk, tier_report("regency", "74.71").pk}
    assert ids("sulsel") == {
        c.pk,
        tier_report("regency", "73.71").pk,
        tier_report("province", "73").pk,
    }
    assert ids("pengendali", period=PERIOD.code) == ids("kendari")  # the default period
    assert ids("ministry", regency="74.02") == {b.pk, tier_report("regency", "74.02").pk}
    assert ids("ministry", province="73", level="province") == {tier_report("province", "73").pk}
    assert ids("ministry", state="accepted") == set()
    assert ids("ministry", period="2026-T1") == set()
    refused(officers["ministry"].get("/api/reports/", {"period": "T3"}), 400, "period_invalid")
    refused(officers["ministry"].get("/api/reports/", {"regency": "99.99"}), 400, "does_not_exist")
    refused(officers["ministry"].get("/api/reports/", {"level": "rt"}), 400, "invalid_choice")
    refused(officers["ministry"].get("/api/reports/", {"lpa": "x"}), 400, "unknown_parameter")


def test_the_rows_say_what_each_officer_may_do(lpa_a, lpa_people, officers):
    report = report_of(lpa_a)
    send(lpa_people["ketua"], "post", f"/api/reports/{PERIOD.code}/submit/")

    def row(who, pk):
        rows = officers[who].get("/api/reports/").json()["results"]
        return next(r for r in rows if r["id"] == pk)

    mine = row("kendari", report.pk)
    assert (mine["may_review"], mine["may_reopen"], mine["locked"]) == (True, False, False)
    assert mine["lpa"] == {"slug": "uji-a", "name": "LPA Uji A"}
    assert mine["regency"]["code"] == "74.71" and mine["province"]["code"] == "74"
    assert row("sultra", report.pk)["may_review"] is False  # not the province's tier
    assert row("pengendali", report.pk)["may_review"] is False  # reads, never reviews
    regency = row("kendari", tier_report("regency", "74.71").pk)
    assert regency["may_submit"] is True and regency["lpa"] is None
    assert row("sultra", tier_report("regency", "74.71").pk)["may_submit"] is False


def test_an_officer_of_another_regency_gets_not_found(lpa_a, lpa_people, officers):
    report = report_of(lpa_a)
    send(lpa_people["ketua"], "post", f"/api/reports/{PERIOD.code}/submit/")
    konawe = officers["konawe"]
    base = f"/api/reports/{report.pk}/"

    refused(konawe.get(base), 404, "not_found")
    refused(konawe.get(base + "versions/1/"), 404, "not_found")
    refused(send(konawe, "post", base + "review/", {"decision": "accept"}), 404, "not_found")
    refused(send(konawe, "post", base + "reopen/", {"reason": "x"}), 404, "not_found")
    refused(officers["sulsel"].get(base), 404, "not_found")
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_the_province_may_not_review_an_lpa_report(lpa_a, lpa_people, officers):
    report = report_of(lpa_a)
    send(lpa_people["ketua"], "post", f"/api/reports/{PERIOD.code}/submit/")

    response = send(
        officers["sultra"],
        "post",
        f"/api/reports/{report.pk}/review/",
        {"decision": "accept"},
        **EN,
    )

    body = refused(response, 400, "wrong_tier")
    assert "reviewed by the Dinas Sosial of the kabupaten/kota" in body["message"]
    refused(
        send(
            officers["pengendali"],
            "post",
            f"/api/reports/{report.pk}/review/",
            {"decision": "accept"},
        ),
        403,
        "role_forbidden",
    )
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and report.reviewed_at is None


def test_the_whole_chain_with_a_return_and_a_resubmission(lpa_a, lpa_people, officers):
    report = report_of(lpa_a)
    lpa_path, pk = f"/api/reports/{PERIOD.code}/", report.pk
    kendari, sultra = officers["kendari"], officers["sultra"]
    regency = tier_report("regency", "74.71")
    province = tier_report("province", "74")
    send(lpa_people["ketua"], "post", lpa_path + "submit/", {"narrative": "Versi pertama"})

    refused(
        send(kendari, "post", f"/api/reports/{pk}/review/", {"decision": "return"}),
        400,
        "comment_required",
        "comment",
    )
    returned = send(
        kendari,
        "post",
        f"/api/reports/{pk}/review/",
        {"decision": "return", "comment": "Tunggakan belum dijelaskan"},
    )
    assert returned.status_code == 200, returned.content
    assert returned.json()["state"] == "returned" and returned.json()["may_review"] is False
    accept_returned = send(
        kendari, "post", f"/api/reports/{pk}/review/", {"decision": "accept"}, **EN
    )
    assert (
        "the report is Returned for correction"
        in refused(accept_returned, 409, "not_submitted")["message"]
    )

    flags_agree(officers)
    lpa_view = lpa_people["ketua"].get(lpa_path).json()
    assert lpa_view["review_comment"] == "Tunggakan belum dijelaskan"
    refused(
        send(lpa_people["ketua"], "post", lpa_path + "submit/"), 400, "reason_required", "reason"
    )
    again = send(
        lpa_people["ketua"],
        "post",
        lpa_path + "submit/",
        {"narrative": "Tunggakan: panen gagal", "reason": "Penjelasan tunggakan"},
    )
    assert again.json()["versions"] == 2 and again.json()["state"] == "submitted"

    # The kabupaten/kota cannot submit before its LPA is accepted (its due day is ahead).
    early = send(
        kendari,
        "post",
        f"/api/reports/{regency.pk}/submit/",
        {"narrative": "", "planned_actions": ""},
    )
    refused(early, 409, "children_pending")
    accepted = send(kendari, "post", f"/api/reports/{pk}/review/", {"decision": "accept"})
    assert accepted.json()["state"] == "accepted"
    tier_view = kendari.get(f"/api/reports/{regency.pk}/").json()
    assert tier_view["may_submit"] is True
    assert [(c["id"], c["state"]) for c in tier_view["children"]] == [(pk, "accepted")]
    refused(
        send(lpa_people["ketua"], "post", lpa_path + "submit/", {"reason": "lagi"}),
        409,
        "already_accepted",
    )

    # Only the kabupaten/kota submits its own report; an LPA's is its Ketua's.
    refused(
        send(
            sultra,
            "post",
            f"/api/reports/{regency.pk}/submit/",
            {"narrative": "", "planned_actions": ""},
        ),
        400,
        "submit_wrong_tier",
    )
    refused(
        send(
            kendari, "post", f"/api/reports/{pk}/submit/", {"narrative": "", "planned_actions": ""}
        ),
        400,
        "submit_lpa_report",
    )
    consolidated = send(
        kendari,
        "post",
        f"/api/reports/{regency.pk}/submit/",
        {"narrative": "Satu LPA, diterima", "planned_actions": "Monitoring"},
    )
    assert consolidated.status_code == 200, consolidated.content
    assert consolidated.json()["state"] == "submitted"
    sources = kendari.get(f"/api/reports/{regency.pk}/versions/1/").json()["sources"]
    assert sources == {str(pk): 2}
    refused(
        send(
            kendari,
            "post",
            f"/api/reports/{regency.pk}/submit/",
            {"narrative": "", "planned_actions": ""},
        ),
        409,
        "already_submitted",
    )

    # The consolidated report locks the LPA's below it.
    locked = kendari.get("/api/reports/", {"level": "lpa"}).json()["results"][0]
    assert locked["locked"] is True and locked["may_reopen"] is False
    refused(
        send(kendari, "post", f"/api/reports/{pk}/reopen/", {"reason": "Salah hitung"}),
        409,
        "locked_above",
    )
    flags_agree(officers)

    # The province accepts it and submits its own (Kendari is its only kabupaten/kota
    # with a report this period); the ministry accepts that.
    up = send(sultra, "post", f"/api/reports/{regency.pk}/review/", {"decision": "accept"})
    assert up.status_code == 200 and up.json()["state"] == "accepted"
    final = send(
        sultra,
        "post",
        f"/api/reports/{province.pk}/submit/",
        {"narrative": "Provinsi", "planned_actions": "-"},
    )
    assert final.status_code == 200 and final.json()["versions"] == 1
    ministry = send(
        officers["ministry"], "post", f"/api/reports/{province.pk}/review/", {"decision": "accept"}
    )
    assert ministry.json()["state"] == "accepted"
    report.refresh_from_db()
    assert report.versions == 2 and report.state == ReportState.ACCEPTED
    flags_agree(officers)


def test_the_district_reopens_an_accepted_report(lpa_a, lpa_people, officers):
    report = report_of(lpa_a)
    kendari, path = officers["kendari"], f"/api/reports/{report.pk}/"
    refused(send(kendari, "post", path + "reopen/", {"reason": "x"}), 409, "nothing_to_reopen")
    send(lpa_people["ketua"], "post", f"/api/reports/{PERIOD.code}/submit/")
    send(kendari, "post", path + "review/", {"decision": "accept"})

    refused(send(kendari, "post", path + "reopen/", {}), 400, "required", "reason")
    reopened = send(kendari, "post", path + "reopen/", {"reason": "Angka klaim keliru"})

    assert reopened.status_code == 200 and reopened.json()["state"] == "returned"
    assert reopened.json()["events"][-1]["action"] == "reopened"
    assert reopened.json()["events"][-1]["actor"].startswith("gov-regency-officer-")
    spreadsheet = kendari.get(path + "versions/1/", {"file": "xlsx"})
    assert spreadsheet.status_code == 200 and spreadsheet.content.startswith(b"PK")


def test_completeness_lists_late_and_missing_lpas_per_regency(lpa_a, lpa_b, lpa_people, officers):
    a, b = report_of(lpa_a), report_of(lpa_b)
    send(lpa_people["ketua"], "post", f"/api/reports/{PERIOD.code}/submit/")

    response = officers["sultra"].get("/api/reports/completeness/", {"period": PERIOD.code})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["period"] == PERIOD.code and body["level"] == "lpa"
    rows = {row["area"]["code"]: row for row in body["rows"]}
    assert set(rows) == {"74.71", "74.02"}
    kendari, konawe = rows["74.71"], rows["74.02"]
    assert (kendari["expected"], kendari["received"], kendari["on_time"]) == (1, 1, 0)
    assert kendari["late"] == [{"id": a.pk, "name": "LPA Uji A"}] and kendari["missing"] == []
    assert konawe["missing"] == [{"id": b.pk, "name": "LPA Uji B"}]
    assert konawe["received_percent"] == 0.0 and kendari["received_percent"] == 100.0
    # The default period and level; a kabupaten/kota sees its own row only.
    assert officers["sultra"].get("/api/reports/completeness/").json() == body
    own = officers["kendari"].get("/api/reports/completeness/").json()["rows"]
    assert [r["area"]["code"] for r in own] == ["74.71"]
    provinces = officers["ministry"].get("/api/reports/completeness/", {"level": "province"})
    assert {r["area"] for r in provinces.json()["rows"]} == {None}
    refused(
        officers["sultra"].get("/api/reports/completeness/", {"level": "desa"}),
        400,
        "invalid_choice",
        "level",
    )
    refused(
        officers["sultra"].get("/api/reports/completeness/", {"period": "2026-X"}),
        400,
        "period_invalid",
        "period",
    )


def test_lpa_staff_are_refused_on_the_portal(lpa_a, make_staff, portal_host):
    ketua = client_on(portal_host, make_staff(lpa_a, "ketua"))
    for path in ("/api/reports/", "/api/reports/completeness/", "/api/report-schedules/"):
        refused(ketua.get(path), 403, "not_government")
    refused(client_on(portal_host).get("/api/reports/"), 403, "not_authenticated")


def test_the_ministry_edits_the_schedule(officers):
    listed = officers["pengendali"].get("/api/report-schedules/")
    assert listed.status_code == 200
    assert [s["period_type"] for s in listed.json()] == ["month", "quarter", "semester", "year"]

    changed = send(
        officers["ministry"],
        "put",
        "/api/report-schedules/quarter/",
        {"lpa_due_days": 10, "regency_due_days": 20, "province_due_days": 30, "expiry_days": 0},
    )

    assert changed.status_code == 200, changed.content
    assert changed.json()["expiry_days"] == 0
    assert changed.json()["edited_by"].startswith("gov-ministry-officer-")
    days = {"lpa_due_days": 20, "regency_due_days": 10, "province_due_days": 30, "expiry_days": 0}
    disordered = send(officers["ministry"], "put", "/api/report-schedules/quarter/", days, **EN)
    assert "must not decrease" in refused(disordered, 400, "schedule_invalid")["message"]
    good = {**days, "lpa_due_days": 5}
    refused(
        send(officers["ministry"], "put", "/api/report-schedules/week/", good), 404, "not_found"
    )
    refused(
        send(officers["sultra"], "put", "/api/report-schedules/quarter/", good),
        403,
        "level_forbidden",
    )
    refused(
        send(officers["pengendali"], "put", "/api/report-schedules/quarter/", good),
        403,
        "role_forbidden",
    )


# --- the OpenAPI documents ---------------------------------------------------------------


@pytest.mark.parametrize(
    "urlconf, paths",
    [
        (
            "askesos.urls_public",
            {
                "/api/reports/",
                "/api/reports/{id}/",
                "/api/reports/{id}/versions/{number}/",
                "/api/reports/{id}/review/",
                "/api/reports/{id}/reopen/",
                "/api/reports/{id}/submit/",
                "/api/reports/completeness/",
                "/api/report-schedules/",
                "/api/report-schedules/{period_type}/",
            },
        ),
        (
            "askesos.urls_tenant",
            {
                "/api/reports/",
                "/api/reports/{code}/",
                "/api/reports/{code}/submit/",
                "/api/reports/{code}/versions/{number}/",
            },
        ),
    ],
)
def test_the_openapi_documents_carry_the_reports_without_warnings(urlconf, paths):
    GENERATOR_STATS.reset()

    schema = SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)

    assert not GENERATOR_STATS, "drf-spectacular warned while documenting the API"
    assert paths <= set(schema["paths"])
    components = schema["components"]["schemas"]
    assert {"ReportStateEnum", "ReportLevelEnum", "PeriodTypeEnum"} <= set(components)

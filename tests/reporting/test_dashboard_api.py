"""The dashboard API on the portal (reporting/api_dashboard.py): its figures are the
selectors' and a direct recount's; each tier reads only its own area (another is 404,
as one that does not exist); bad input is a 400 in the one error shape; the ETag
answers 304 until the facts change; each read is logged as a drill-down view."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from askesos.geo.models import Province
from reporting.dashboards import (
    NATION,
    Area,
    Filters,
    area_breakdowns,
    area_children,
    area_summary,
    lpa_table,
)
from reporting.models import DrillView, FactLevel
from reporting.rollup import lpa_facts_refresh
from tests.conftest import client_on
from tests.reporting import dashboard_helpers
from tests.reporting.dashboard_helpers import SEPTEMBER, public_recount, regency_slugs
from tests.reporting.report_helpers import MONTHS, Q3
from tests.reporting.test_rollup import recount

# The fixtures of dashboard_helpers, used here by name.
three_lpas = dashboard_helpers.three_lpas
fresh_public_cache = dashboard_helpers.fresh_public_cache
ERROR_KEYS = {"code", "message", "field", "errors"}
SEPT = {"period": SEPTEMBER.code}


@pytest.fixture
def officers(make_government_user, portal_host):
    made = {
        "kendari": make_government_user("regency", regency="74.71"),
        "sultra": make_government_user("province", province="74"),
        "ministry": make_government_user("ministry"),
        "auditor": make_government_user("ministry", "auditor"),
    }
    clients = {}
    for name, user in made.items():
        clients[name] = client_on(portal_host, user)
        clients[name].user = user
    return clients


def ok(response) -> dict:
    assert response.status_code == 200, (response.status_code, response.content[:400])
    return response.json()


def refused(response, status: int, code: str, field: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:400])
    body = response.json()
    assert set(body) == ERROR_KEYS and body["code"] == code, body
    assert body["errors"][0] == {k: body[k] for k in ("code", "message", "field")}
    if field is not None:
        assert body["field"] == field, body
    return body


def headline(body: dict, key: str) -> dict:
    return next(h for h in body["headlines"] if h["key"] == key)


def test_the_figures_are_the_selectors_and_a_direct_recount(three_lpas, officers):
    a, b, _c = three_lpas.lpas
    sultra = officers["sultra"]
    province = Area(FactLevel.PROVINCE, "74", province="74")
    expected = recount([a, b], SEPTEMBER)
    public = public_recount([a, b], SEPTEMBER)
    assert public["claims_paid"] == 1 and public["claims_paid_amount"] == 100_000

    body = ok(sultra.get("/api/dashboard/summary/", SEPT))
    assert body["area"] == {
        "level": "province",
        "code": "74",
        "name": Province.objects.get(pk="74").name,
        "key": "province:74",
    }
    summary = area_summary(province, Filters(period=SEPTEMBER))
    for column in ("lpas", "participants_active", "participants_open", "premiums_collected"):
        assert body["values"][column] == summary.values[column] == expected[column], column
    assert body["values"]["claims_paid"] == public["claims_paid"]
    assert body["values"]["claims_paid_amount"] == public["claims_paid_amount"]
    august = recount([a, b], MONTHS[1])
    premiums = headline(body, "premiums_collected")
    assert premiums["value"] == expected["premiums_collected"]
    assert premiums["previous"] == august["premiums_collected"]
    assert premiums["change"] == expected["premiums_collected"] - august["premiums_collected"]
    assert body["previous_period"] == MONTHS[1].code
    assert headline(body, "claims_paid_amount")["value"] == 100_000
    assert headline(body, "median_days")["value"] == summary.median_days

    # A quarter: flows add over its months, stocks are September's.
    quarter = ok(sultra.get("/api/dashboard/summary/", {"period": Q3.code}))["values"]
    assert quarter["premiums_collected"] == sum(
        recount([a, b], m)["premiums_collected"] for m in MONTHS
    )
    assert quarter["participants_open"] == expected["participants_open"]

    trend = ok(sultra.get("/api/dashboard/trend/", {**SEPT, "months": 12}))
    assert trend["months"] == 12 and trend["points"][-1]["month"] == SEPTEMBER.code
    assert [p["values"]["premiums_collected"] for p in trend["points"][-3:]] == [
        recount([a, b], m)["premiums_collected"] for m in MONTHS
    ]

    children = ok(sultra.get("/api/dashboard/children/", SEPT))
    assert children["level"] == "regency"
    selected = area_children(province, Filters(period=SEPTEMBER))
    assert [r["area"]["code"] for r in children["rows"]] == [c.area.code for c in selected]
    by_code = {r["area"]["code"]: r["values"] for r in children["rows"]}
    assert (
        by_code[a.regency_id]["participants_open"] == recount([a], SEPTEMBER)["participants_open"]
    )
    assert (
        by_code[b.regency_id]["premiums_collected"] == recount([b], SEPTEMBER)["premiums_collected"]
    )
    assert sum(v["participants_open"] for v in by_code.values()) == expected["participants_open"]

    lpas = ok(sultra.get("/api/dashboard/lpas/", {**SEPT, "sort": "participants", "desc": "1"}))
    rows, total = lpa_table(
        province, Filters(period=SEPTEMBER), sort="participants", descending=True
    )
    assert lpas["count"] == total == 2
    assert [r["slug"] for r in lpas["rows"]] == [r.slug for r in rows]
    assert {r["slug"]: r["participants_active"] for r in lpas["rows"]} == {
        x.slug: recount([x], SEPTEMBER)["participants_active"] for x in (a, b)
    }

    breakdowns = ok(sultra.get("/api/dashboard/breakdowns/", SEPT))
    found = area_breakdowns(province, Filters(period=SEPTEMBER))
    assert breakdowns["sex"] == found["sex"]
    assert sum(breakdowns["sex"].values()) == expected["participants_open"]
    assert breakdowns["claims_paid"] == {"sickness": 1}
    assert breakdowns["claims_paid_amount"] == {"sickness": 100_000}


def test_the_nation_is_every_province_for_the_ministry(three_lpas, officers):
    body = ok(officers["ministry"].get("/api/dashboard/summary/", SEPT))
    assert body["area"]["key"] == NATION
    assert (
        body["values"]["participants_open"]
        == recount(three_lpas.lpas, SEPTEMBER)["participants_open"]
    )
    children = ok(officers["auditor"].get("/api/dashboard/children/", SEPT))
    assert children["level"] == "province" and len(children["rows"]) == 38
    assert {r["area"]["code"] for r in children["rows"] if r["values"]["participants_open"]} == {
        "73",
        "74",
    }


def test_a_kabupaten_reads_only_its_own_lpas_and_nothing_else(three_lpas, officers):
    a, b, c = three_lpas.lpas
    kendari = officers["kendari"]

    body = ok(kendari.get("/api/dashboard/summary/", SEPT))
    assert body["area"]["key"] == "regency:74.71"
    assert body["values"]["participants_open"] == recount([a], SEPTEMBER)["participants_open"]
    children = ok(kendari.get("/api/dashboard/children/", SEPT))
    assert [r["area"]["code"] for r in children["rows"]] == regency_slugs("74.71")
    assert a.slug in regency_slugs("74.71")
    lpas = ok(kendari.get("/api/dashboard/lpas/", SEPT))
    assert [r["slug"] for r in lpas["rows"]] == [a.slug] and lpas["count"] == 1
    own = ok(kendari.get("/api/dashboard/summary/", {**SEPT, "area": f"lpa:{a.slug}"}))
    assert own["values"]["premiums_collected"] == recount([a], SEPTEMBER)["premiums_collected"]

    for area in ("nation", "province:74", "regency:74.02", f"lpa:{b.slug}", f"lpa:{c.slug}"):
        for endpoint in ("summary", "trend", "children", "lpas", "breakdowns"):
            refused(
                kendari.get(f"/api/dashboard/{endpoint}/", {**SEPT, "area": area}),
                404,
                "area_not_found",
            )
    # An area that does not exist is answered alike: nothing is learnt by asking.
    unknown = kendari.get("/api/dashboard/summary/", {"area": "lpa:tidak-ada"})
    outside = kendari.get("/api/dashboard/summary/", {"area": f"lpa:{c.slug}"})
    assert refused(unknown, 404, "area_not_found") == refused(outside, 404, "area_not_found")


def test_a_province_cannot_read_another_province(three_lpas, officers):
    a, b, c = three_lpas.lpas
    sultra = officers["sultra"]
    for area in ("nation", "province:73", "regency:73.71", f"lpa:{c.slug}"):
        refused(
            sultra.get("/api/dashboard/summary/", {**SEPT, "area": area}), 404, "area_not_found"
        )
    lpas = ok(sultra.get("/api/dashboard/lpas/", SEPT))
    assert {r["slug"] for r in lpas["rows"]} == {a.slug, b.slug}
    regency = ok(sultra.get("/api/dashboard/summary/", {**SEPT, "area": "regency:74.02"}))
    assert regency["values"]["participants_open"] == recount([b], SEPTEMBER)["participants_open"]


def test_lpa_staff_and_anonymous_callers_are_refused(lpa_a, make_staff, portal_host):
    staff = client_on(portal_host, make_staff(lpa_a, "ketua"))
    refused(staff.get("/api/dashboard/summary/"), 403, "not_government")
    refused(client_on(portal_host).get("/api/dashboard/lpas/"), 403, "not_authenticated")


@pytest.mark.parametrize(
    "endpoint, params, code, field",
    [
        ("summary", {"tidak_dikenal": "1"}, "unknown_parameter", "tidak_dikenal"),
        ("summary", {"months": "12"}, "unknown_parameter", "months"),
        ("summary", {"period": "2026-13"}, "period_invalid", "period"),
        ("summary", {"period": "kemarin"}, "period_invalid", "period"),
        ("summary", {"period": "2027-01"}, "period_future", "period"),
        ("children", {"period": "2099"}, "period_future", "period"),
        ("summary", {"period": "1990"}, "period_out_of_range", "period"),
        ("summary", {"scheme": "tidak-ada"}, "scheme_unknown", "scheme"),
        ("breakdowns", {"channel": "swasta"}, "invalid_choice", "channel"),
        ("summary", {"area": "kabupaten:74.71"}, "area_invalid", "area"),
        ("summary", {"area": "province"}, "area_invalid", "area"),
        ("summary", {"area": "nation:1"}, "area_invalid", "area"),
        ("trend", {"months": "6"}, "min_value", "months"),
        ("trend", {"months": "dua"}, "invalid", "months"),
        ("lpas", {"sort": "nik"}, "invalid_choice", "sort"),
        ("lpas", {"desc": "mungkin"}, "invalid", "desc"),
        ("lpas", {"page": "0"}, "min_value", "page"),
    ],
)
def test_bad_input_is_refused_in_the_error_shape(officers, endpoint, params, code, field):
    response = officers["ministry"].get(f"/api/dashboard/{endpoint}/", params)
    refused(response, 400, code, field)
    english = officers["ministry"].get(
        f"/api/dashboard/{endpoint}/", params, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused(english, 400, code, field)["message"]
    assert not DrillView.objects.filter(user=officers["ministry"].user).exists()


def test_the_etag_answers_304_until_the_facts_change(three_lpas, officers):
    a = three_lpas.lpas[0]
    kendari = officers["kendari"]
    first = kendari.get("/api/dashboard/summary/", SEPT)
    tag = first["ETag"]
    assert first.status_code == 200 and tag.startswith('"')
    assert first["Cache-Control"] == "private, max-age=60"
    assert "Accept-Language" in first["Vary"]

    again = kendari.get("/api/dashboard/summary/", SEPT, HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == tag
    weak = kendari.get("/api/dashboard/summary/", SEPT, HTTP_IF_NONE_MATCH=f"W/{tag}")
    assert weak.status_code == 304
    # Another query, language or area is another answer.
    assert kendari.get("/api/dashboard/summary/", {"period": MONTHS[1].code})["ETag"] != tag
    english = kendari.get("/api/dashboard/summary/", SEPT, HTTP_ACCEPT_LANGUAGE="en")
    assert english["ETag"] != tag
    assert officers["sultra"].get("/api/dashboard/summary/", SEPT)["ETag"] != tag

    # A premium recorded in A in September, and A's facts refreshed (the sweep's work).
    from programme.ledger.premiums import premium_receipt_record
    from programme.participants.models import Policy

    with schema_context(a.schema_name):
        policy = Policy.objects.filter(status="active").order_by("pk").first()
        premium_receipt_record(
            number="KW-ETAG-1",
            policy=policy,
            months=1,
            amount=5000,
            received_on=SEPTEMBER.start.replace(day=28),
        )
        lpa_facts_refresh(lpa=a, months=[SEPTEMBER])
    connection.set_schema_to_public()

    changed = kendari.get("/api/dashboard/summary/", SEPT, HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200 and changed["ETag"] != tag
    assert changed.json()["values"]["premiums_collected"] == (
        first.json()["values"]["premiums_collected"] + 5000
    )
    lpas = kendari.get("/api/dashboard/lpas/", SEPT)
    assert kendari.get(
        "/api/dashboard/lpas/", SEPT, HTTP_IF_NONE_MATCH=lpas["ETag"]
    ).status_code == (304)


def test_an_answer_from_the_etag_reads_no_figures(three_lpas, officers):
    ministry = officers["ministry"]
    tag = ministry.get("/api/dashboard/lpas/", SEPT)["ETag"]
    with CaptureQueriesContext(connection) as queries:
        assert ministry.get("/api/dashboard/lpas/", SEPT, HTTP_IF_NONE_MATCH=tag).status_code == 304
    read = [q["sql"] for q in queries.captured_queries if "reporting_fact" in q["sql"]]
    # One indexed aggregate: max(computed_at) and count(*) of the nation's rows.
    assert len(read) == 1 and "sum(" not in read[0], read
    assert len(queries) <= 8, [q["sql"][:120] for q in queries.captured_queries]


def test_every_read_is_logged_as_a_drill_down_view(three_lpas, officers):
    sultra = officers["sultra"]
    ok(sultra.get("/api/dashboard/summary/", {**SEPT, "area": "regency:74.02", "scheme": ""}))
    tag = sultra.get("/api/dashboard/children/", SEPT)["ETag"]
    assert sultra.get("/api/dashboard/children/", SEPT, HTTP_IF_NONE_MATCH=tag).status_code == 304
    views = list(DrillView.objects.filter(user=sultra.user).order_by("pk"))
    assert [(v.level, v.area) for v in views] == [
        ("regency", "74.02"),
        ("province", "74"),
        ("province", "74"),
    ]
    assert "period=2026-09" in views[0].query

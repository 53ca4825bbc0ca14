"""The report pages: the LPA's (its reports, one report with narrative and submission)
and the portal's (the period's reports and review queue, one report with the actions
its tier may take, completeness, the schedule). Each page answers the roles that may
open it, refuses the others (403) and hides another area's reports (404); the whole
chain (submit, return, resubmit, accept, the kabupaten/kota's consolidated report,
the province's acceptance) goes through the pages' own POSTs."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext, pgettext

from reporting.models import Report, ReportLevel, ReportNotice, ReportState
from reporting.periods import period_parse
from reporting.reports import lpa_report_generate
from tests.conftest import client_on, host_of
from tests.programme.conftest import pdf_text

PERIOD = "2026-10"  # ended on 31 Oct; today is 22 Nov 2026 (due 10 Nov: a late report)
OCTOBER = datetime.date(2026, 10, 1)


def generate(lpa, code: str = PERIOD) -> Report:
    connection.set_tenant(lpa)
    report = lpa_report_generate(lpa=lpa, period=period_parse(code))
    connection.set_schema_to_public()
    return report


def lpa_report(lpa) -> Report:
    return Report.objects.get(
        level=ReportLevel.LPA, lpa=lpa, period_type="month", period_start=OCTOBER
    )


def regency_report(code: str) -> Report:
    return Report.objects.get(
        level=ReportLevel.REGENCY, regency_id=code, period_type="month", period_start=OCTOBER
    )


def province_report(code: str) -> Report:
    return Report.objects.get(
        level=ReportLevel.PROVINCE, province_id=code, period_type="month", period_start=OCTOBER
    )


def in_id(text: str, context: str | None = None) -> str:
    """What the page shows for a msgid in Bahasa Indonesia (its translation once the
    lead has written it, the English until then)."""
    with translation.override("id"):
        return pgettext(context, text) if context else gettext(text)


@pytest.fixture
def report_a(lpa_a):
    return generate(lpa_a)


@pytest.fixture
def team(lpa_a, make_staff):
    return {
        role: make_staff(lpa_a, role)
        for role in ("ketua", "sekretaris", "bendahara", "petugas_lapangan")
    }


@pytest.fixture
def officers(make_government_user):
    return {
        "kendari": make_government_user("regency", regency="74.71"),  # LPA A's
        "konawe": make_government_user("regency", regency="74.02"),
        "sultra": make_government_user("province", province="74"),
        "sulsel": make_government_user("province", province="73"),
        "ministry": make_government_user("ministry"),
        "pengendali": make_government_user("regency", role="pengendali", regency="74.71"),
    }


def lpa_client(lpa, user):
    return client_on(host_of(lpa), user)


# --- the LPA's pages ---------------------------------------------------------------------

LPA_PAGES = (
    "/laporan/",
    f"/laporan/{PERIOD}/",
    f"/laporan/{PERIOD}/pdf/",
    f"/laporan/{PERIOD}/xlsx/",
)


@pytest.mark.parametrize(
    "role, status",
    [("ketua", 200), ("sekretaris", 200), ("bendahara", 200), ("petugas_lapangan", 403)],
)
def test_the_lpa_report_pages_answer_the_office_team_and_refuse_the_field_officer(
    lpa_a, report_a, team, role, status
):
    client = lpa_client(lpa_a, team[role])
    for path in LPA_PAGES:
        assert client.get(path).status_code == status, path


def test_another_lpas_team_and_government_users_are_refused_on_the_lpas_host(
    lpa_a, lpa_b, report_a, make_staff, officers
):
    other_ketua = make_staff(lpa_b, "ketua")
    for user in (other_ketua, officers["kendari"]):
        client = client_on(host_of(lpa_a), user, bound_to=lpa_a.schema_name)
        for path in LPA_PAGES:
            assert client.get(path).status_code == 403, path


def test_an_unknown_period_or_version_is_not_found(lpa_a, report_a, team):
    client = lpa_client(lpa_a, team["ketua"])
    assert client.get("/laporan/2026-13/").status_code == 404
    assert client.get("/laporan/2026-09/").status_code == 404  # no report made for it
    assert client.get(f"/laporan/{PERIOD}/?versi=1").status_code == 404
    assert client.get(f"/laporan/{PERIOD}/pdf/?versi=x").status_code == 404


def test_the_list_shows_the_reports_newest_first_and_the_menu_links_to_it(lpa_a, report_a, team):
    generate(lpa_a, "2026-09")
    page = lpa_client(lpa_a, team["ketua"]).get("/laporan/").content.decode()
    assert page.index(f'href="/laporan/{PERIOD}/"') < page.index('href="/laporan/2026-09/"')
    assert "generate-form" in page
    dashboard = lpa_client(lpa_a, team["ketua"]).get("/dasbor/").content.decode()
    assert 'href="/laporan/"' in dashboard
    field_dashboard = lpa_client(lpa_a, team["petugas_lapangan"]).get("/dasbor/")
    assert 'href="/laporan/"' not in field_dashboard.content.decode()
    bendahara_page = lpa_client(lpa_a, team["bendahara"]).get("/laporan/").content.decode()
    assert "generate-form" not in bendahara_page


def test_a_report_is_made_on_demand_for_an_ended_period_and_refused_for_one_not_ended(lpa_a, team):
    client = lpa_client(lpa_a, team["sekretaris"])
    made = client.post("/laporan/", {"period": "2026-T3"})
    assert made.status_code == 302 and made["Location"] == "/laporan/2026-T3/"
    assert Report.objects.filter(lpa=lpa_a, period_type="quarter").count() == 1

    refused = client.post("/laporan/", {"period": "2026-12"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert 'id="period-error"' in page and 'value="2026-12"' in page
    nonsense = client.post("/laporan/", {"period": "Oktober"})
    assert nonsense.status_code == 400 and 'id="period-error"' in nonsense.content.decode()
    assert not Report.objects.filter(lpa=lpa_a, period_start=datetime.date(2026, 12, 1)).exists()

    assert (
        lpa_client(lpa_a, team["bendahara"]).post("/laporan/", {"period": "2026-09"}).status_code
        == 403
    )


def test_the_draft_is_recomputed_when_opened_and_shows_every_section(lpa_a, report_a, team):
    Report.objects.filter(pk=report_a.pk).update(figures={}, computed_at=None)
    page = lpa_client(lpa_a, team["bendahara"]).get(f"/laporan/{PERIOD}/").content.decode()
    report = lpa_report(lpa_a)
    assert report.figures and report.computed_at is not None
    for title in (
        "Participants at the end of the period",
        "Premiums",
        "Claim reserve (account 1201)",
        "Cards and books",
    ):
        assert in_id(title) in page
    assert "narrative-form" not in page  # the Bendahara reads only


def test_the_sekretaris_saves_the_narrative_but_only_the_ketua_submits(lpa_a, report_a, team):
    sekretaris = lpa_client(lpa_a, team["sekretaris"])
    page = sekretaris.get(f"/laporan/{PERIOD}/").content.decode()
    assert 'value="save"' in page and 'value="submit"' not in page
    saved = sekretaris.post(
        f"/laporan/{PERIOD}/",
        {"action": "save", "narrative": "Hujan deras", "planned_actions": "Kunjungan"},
    )
    assert saved.status_code == 302
    assert lpa_report(lpa_a).narrative == "Hujan deras"
    refused = sekretaris.post(f"/laporan/{PERIOD}/", {"action": "submit", "narrative": "x"})
    assert refused.status_code == 403
    assert lpa_report(lpa_a).state == ReportState.DRAFT
    bendahara = lpa_client(lpa_a, team["bendahara"])
    assert bendahara.post(f"/laporan/{PERIOD}/", {"action": "save"}).status_code == 403


def test_a_refused_narrative_is_shown_beside_its_field_with_what_was_typed(lpa_a, report_a, team):
    response = lpa_client(lpa_a, team["ketua"]).post(
        f"/laporan/{PERIOD}/",
        {"action": "save", "narrative": "x" * 4001, "planned_actions": "Rapat pengurus"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="narrative-error"' in page and "Rapat pengurus" in page
    assert lpa_report(lpa_a).planned_actions == ""


# --- the portal's pages ------------------------------------------------------------------

PORTAL_PAGES = ("/laporan/", "/laporan/kelengkapan/", "/laporan/jadwal/")


@pytest.mark.parametrize("who", ["kendari", "sultra", "ministry", "pengendali"])
def test_the_portal_report_pages_answer_every_government_user(portal_host, report_a, officers, who):
    client = client_on(portal_host, officers[who])
    for path in PORTAL_PAGES:
        assert client.get(path).status_code == 200, path
    assert 'href="/laporan/"' in client.get("/dasbor/").content.decode()


def test_the_portal_report_pages_refuse_lpa_staff_and_ask_strangers_to_sign_in(
    portal_host, report_a, team
):
    client = client_on(portal_host, team["ketua"])
    for path in (*PORTAL_PAGES, f"/laporan/r/{report_a.pk}/"):
        assert client.get(path).status_code == 403, path
    anonymous = client_on(portal_host).get("/laporan/")
    assert anonymous.status_code == 302 and "/masuk/" in anonymous["Location"]


def test_a_report_outside_the_users_area_is_not_found(portal_host, report_a, officers):
    for who in ("konawe", "sulsel"):
        client = client_on(portal_host, officers[who])
        for path in ("/", "pdf/", "xlsx/"):
            assert client.get(f"/laporan/r/{report_a.pk}/{path}").status_code == 404
        assert client.post(f"/laporan/r/{report_a.pk}/", {"action": "accept"}).status_code == 404
    assert client_on(portal_host, officers["kendari"]).get("/laporan/r/999999/").status_code == 404


def test_an_lpa_draft_is_not_shown_on_the_portal_before_its_first_submission(
    portal_host, report_a, officers
):
    client = client_on(portal_host, officers["kendari"])
    page = client.get(f"/laporan/r/{report_a.pk}/").content.decode()
    assert 'id="not-submitted"' in page
    assert client.get(f"/laporan/r/{report_a.pk}/pdf/").status_code == 404
    # The kabupaten/kota lists it (to chase it); the province reads only what was sent.
    assert (
        f"/laporan/r/{report_a.pk}/" in client.get(f"/laporan/?periode={PERIOD}").content.decode()
    )
    province = client_on(portal_host, officers["sultra"]).get(f"/laporan/?periode={PERIOD}")
    assert f"/laporan/r/{report_a.pk}/" not in province.content.decode()


def test_the_whole_chain_goes_through_the_pages(portal_host, lpa_a, report_a, team, officers):
    ketua = lpa_client(lpa_a, team["ketua"])
    kendari = client_on(portal_host, officers["kendari"])
    sultra = client_on(portal_host, officers["sultra"])
    ministry = client_on(portal_host, officers["ministry"])
    lpa_page = f"/laporan/{PERIOD}/"
    gov_page = f"/laporan/r/{report_a.pk}/"

    # The Ketua submits; a second submission is refused in words.
    submitted = ketua.post(
        lpa_page,
        {
            "action": "submit",
            "narrative": "Banyak peserta pindah",
            "planned_actions": "Sosialisasi",
        },
    )
    assert submitted.status_code == 302
    report = lpa_report(lpa_a)
    assert (report.state, report.versions, report.narrative) == (
        "submitted",
        1,
        "Banyak peserta pindah",
    )
    again = ketua.post(lpa_page, {"action": "submit", "narrative": "x"})
    assert again.status_code == 409 and lpa_report(lpa_a).versions == 1  # as the API says

    # The kabupaten/kota has it in its queue; the province reads the copy but may not act.
    listing = kendari.get(f"/laporan/?periode={PERIOD}").content.decode()
    assert 'id="queue"' in listing and gov_page in listing
    assert 'value="accept"' in kendari.get(gov_page).content.decode()
    copy = sultra.get(gov_page)
    assert copy.status_code == 200
    assert "Banyak peserta pindah" in copy.content.decode()
    assert 'value="accept"' not in copy.content.decode()
    assert gov_page in sultra.get(f"/laporan/?periode={PERIOD}").content.decode()
    refused = sultra.post(gov_page, {"action": "accept"})
    assert refused.status_code == 400 and lpa_report(lpa_a).state == "submitted"

    # A return needs a comment; with one, the report goes back and the Ketua is told.
    bare = kendari.post(gov_page, {"action": "return", "comment": ""})
    assert bare.status_code == 400 and 'id="comment-error"' in bare.content.decode()
    kendari.post(gov_page, {"action": "return", "comment": "Jumlah peserta baru tidak sesuai"})
    assert lpa_report(lpa_a).state == ReportState.RETURNED
    notice = ReportNotice.objects.get(report=report_a, user=team["ketua"])
    assert "Jumlah peserta baru tidak sesuai" in ketua.get("/laporan/").content.decode()
    page = ketua.get(lpa_page).content.decode()
    assert 'id="review-comment"' in page and 'id="reason"' in page
    notice.refresh_from_db()
    assert notice.read_at is not None

    # Resubmitting needs a reason; what was typed stays.
    no_reason = ketua.post(lpa_page, {"action": "submit", "narrative": "Sudah diperbaiki"})
    assert no_reason.status_code == 400
    assert 'id="reason-error"' in no_reason.content.decode()
    assert "Sudah diperbaiki" in no_reason.content.decode()
    ketua.post(
        lpa_page,
        {"action": "submit", "narrative": "Sudah diperbaiki", "reason": "Data peserta dikoreksi"},
    )
    report = lpa_report(lpa_a)
    assert (report.state, report.versions) == ("submitted", 2)
    first = ketua.get(f"{lpa_page}?versi=1").content.decode()
    assert "Banyak peserta pindah" in first and "Data peserta dikoreksi" in first

    # Accepted; the kabupaten/kota writes and submits its consolidated report.
    assert kendari.post(gov_page, {"action": "accept"}).status_code == 302
    assert lpa_report(lpa_a).state == ReportState.ACCEPTED
    own = regency_report("74.71")
    listing = kendari.get(f"/laporan/?periode={PERIOD}").content.decode()
    assert f"/laporan/r/{own.pk}/" in listing
    own_page = kendari.get(f"/laporan/r/{own.pk}/").content.decode()
    assert 'id="narrative-form"' in own_page and 'id="children"' in own_page
    assert sultra.post(f"/laporan/r/{own.pk}/", {"action": "submit"}).status_code == 403
    kendari.post(
        f"/laporan/r/{own.pk}/",
        {"action": "submit", "narrative": "Satu LPA melapor", "planned_actions": "Pembinaan"},
    )
    own = regency_report("74.71")
    assert own.state == ReportState.SUBMITTED
    assert own.version_set.get().figures == report_a.version_set.get(number=2).figures
    # Its acceptance above now locks the LPA's report.
    assert 'value="reopen"' not in kendari.get(gov_page).content.decode()

    # The province accepts it; the ministry reads it but reviews only provinces.
    assert 'value="accept"' not in ministry.get(f"/laporan/r/{own.pk}/").content.decode()
    queue = sultra.get(f"/laporan/?periode={PERIOD}").content.decode()
    assert f"/laporan/r/{own.pk}/" in queue
    assert sultra.post(f"/laporan/r/{own.pk}/", {"action": "accept"}).status_code == 302
    assert regency_report("74.71").state == ReportState.ACCEPTED
    assert ministry.get(f"/laporan/r/{province_report('74').pk}/").status_code == 200


def test_the_pdf_has_the_figures_and_the_signature_lines(
    lpa_a, report_a, team, portal_host, officers
):
    content = lpa_client(lpa_a, team["ketua"]).get(f"/laporan/{PERIOD}/pdf/")
    assert content["Content-Type"] == "application/pdf"
    text = pdf_text(content.content)
    assert in_id("Participants at the end of the period") in text
    assert in_id("Claim reserve (account 1201)") in text
    assert in_id("Prepared by the Sekretaris", "report") in text
    assert in_id("Submitted by the Ketua", "report") in text
    assert "LPA Uji A" in text

    lpa_client(lpa_a, team["ketua"]).post(f"/laporan/{PERIOD}/", {"action": "submit"})
    gov = client_on(portal_host, officers["kendari"]).get(f"/laporan/r/{report_a.pk}/pdf/?versi=1")
    assert gov.status_code == 200 and "LPA Uji A" in pdf_text(gov.content)
    regency = regency_report("74.71")
    tier = client_on(portal_host, officers["kendari"]).get(f"/laporan/r/{regency.pk}/pdf/")
    assert in_id("Head of the Dinas Sosial", "report") in pdf_text(tier.content)


def test_the_spreadsheet_opens(lpa_a, report_a, team, portal_host, officers):
    from openpyxl import load_workbook

    response = lpa_client(lpa_a, team["sekretaris"]).get(f"/laporan/{PERIOD}/xlsx/")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any(in_id("Premiums") == c for c in cells)
    regency = regency_report("74.71")
    tier = client_on(portal_host, officers["sultra"]).get(f"/laporan/r/{regency.pk}/xlsx/")
    assert tier.status_code == 200
    load_workbook(io.BytesIO(tier.content))


def test_completeness_lists_the_late_and_the_missing_lpas(
    portal_host, lpa_a, lpa_b, report_a, team, officers
):
    generate(lpa_b)
    lpa_client(lpa_a, team["ketua"]).post(f"/laporan/{PERIOD}/", {"action": "submit"})
    page = client_on(portal_host, officers["sultra"]).get(f"/laporan/kelengkapan/?periode={PERIOD}")
    assert page.status_code == 200
    html = page.content.decode()
    table = html[html.index('id="completeness-lpa"') :]
    kendari = table[table.index("Kota Kendari") :]
    # Kendari: one expected, received late (due 10 Nov, sent 22 Nov).
    assert "LPA Uji A" in kendari[: kendari.index("</tr>", kendari.index("</tr>") + 1)]
    konawe = table[table.index("Konawe") :]
    assert "LPA Uji B" in konawe
    assert 'id="completeness-regency"' in html and 'id="completeness-province"' in html
    regency_only = client_on(portal_host, officers["kendari"]).get(
        f"/laporan/kelengkapan/?periode={PERIOD}"
    )
    assert "LPA Uji B" not in regency_only.content.decode()


def test_a_period_typed_wrong_is_said_beside_the_chooser(portal_host, officers):
    response = client_on(portal_host, officers["kendari"]).get("/laporan/?periode=2026-14")
    assert response.status_code == 200
    assert 'id="periode-error"' in response.content.decode()
    quarter = client_on(portal_host, officers["kendari"]).get("/laporan/?jenis=quarter")
    assert "2026-T3" in quarter.content.decode()


def test_only_the_ministry_edits_the_schedule(portal_host, officers):
    from reporting.models import ReportSchedule

    ministry = client_on(portal_host, officers["ministry"])
    page = ministry.get("/laporan/jadwal/").content.decode()
    assert 'id="schedule-month"' in page
    values = {"period_type": "month", "lpa_due_days": "12", "regency_due_days": "22"}
    saved = ministry.post(
        "/laporan/jadwal/", {**values, "province_due_days": "32", "expiry_days": "30"}
    )
    assert saved.status_code == 302
    month = ReportSchedule.objects.get(period_type="month")
    assert (month.lpa_due_days, month.edited_by) == (12, officers["ministry"])

    wrong = ministry.post(
        "/laporan/jadwal/",
        {**values, "regency_due_days": "5", "province_due_days": "32", "expiry_days": "30"},
    )
    assert wrong.status_code == 400 and 'id="regency_due_days-error"' in wrong.content.decode()
    assert ReportSchedule.objects.get(period_type="month").regency_due_days == 22

    sultra = client_on(portal_host, officers["sultra"])
    assert 'id="schedule-month"' not in sultra.get("/laporan/jadwal/").content.decode()
    refused = sultra.post(
        "/laporan/jadwal/", {**values, "province_due_days": "40", "expiry_days": "0"}
    )
    assert refused.status_code == 403


def test_the_pages_render_in_english(portal_host, lpa_a, report_a, team, officers):
    lpa_page = lpa_client(lpa_a, team["ketua"]).get(f"/laporan/{PERIOD}/?lang=en")
    assert "Submit to the Dinas Sosial kabupaten/kota" in lpa_page.content.decode()
    gov = client_on(portal_host, officers["kendari"])
    assert "Completeness and timeliness" in gov.get("/laporan/?lang=en").content.decode()
    with translation.override("en"):
        assert gov.get(f"/laporan/r/{report_a.pk}/").status_code == 200
        assert gov.get("/laporan/kelengkapan/").status_code == 200
        assert gov.get("/laporan/jadwal/").status_code == 200


def test_the_kabupaten_reopens_an_accepted_report_with_a_reason(
    portal_host, lpa_a, report_a, team, officers
):
    lpa_client(lpa_a, team["ketua"]).post(f"/laporan/{PERIOD}/", {"action": "submit"})
    kendari = client_on(portal_host, officers["kendari"])
    gov_page = f"/laporan/r/{report_a.pk}/"
    kendari.post(gov_page, {"action": "accept"})
    assert 'id="reopen-form"' in kendari.get(gov_page).content.decode()
    assert (
        'id="reopen-form"'
        not in client_on(portal_host, officers["sultra"]).get(gov_page).content.decode()
    )

    bare = kendari.post(gov_page, {"action": "reopen", "reason": " "})
    assert bare.status_code == 400 and 'id="reason-error"' in bare.content.decode()
    assert lpa_report(lpa_a).state == ReportState.ACCEPTED
    kendari.post(gov_page, {"action": "reopen", "reason": "Saldo cadangan keliru"})
    report = lpa_report(lpa_a)
    assert (report.state, report.review_comment) == ("returned", "Saldo cadangan keliru")
    page = lpa_client(lpa_a, team["ketua"]).get(f"/laporan/{PERIOD}/").content.decode()
    assert "Saldo cadangan keliru" in page and 'id="reason"' in page


def test_a_government_user_who_only_reads_may_not_review(
    portal_host, lpa_a, report_a, team, officers
):
    lpa_client(lpa_a, team["ketua"]).post(f"/laporan/{PERIOD}/", {"action": "submit"})
    pengendali = client_on(portal_host, officers["pengendali"])
    gov_page = f"/laporan/r/{report_a.pk}/"
    page = pengendali.get(gov_page).content.decode()
    assert 'value="accept"' not in page
    assert 'id="queue"' not in pengendali.get("/laporan/").content.decode()
    assert pengendali.post(gov_page, {"action": "accept"}).status_code == 403
    assert lpa_report(lpa_a).state == ReportState.SUBMITTED

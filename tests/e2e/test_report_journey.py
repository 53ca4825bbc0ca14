"""A monthly report up the tiers, in a browser: the LPA's Ketua (on a 390-px phone)
submits October's report; the Dinas Sosial of the kabupaten returns it with a comment;
the Ketua corrects it and submits again with a reason; the kabupaten accepts it and
submits its own consolidated report; the province accepts that."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.utils import translation

from askesos.accounts.services import government_scope_assign, membership_grant, user_create
from programme.generator import npwp_for
from reporting.models import Report, ReportLevel, ReportState
from reporting.periods import period_parse
from reporting.reports import lpa_report_generate
from tenants.services import lpa_provision
from tests.conftest import PASSWORD
from tests.e2e.browser import sign_in
from tests.e2e.test_phone import _fits
from tests.e2e.test_sign_in import artifact
from tests.reporting.test_report_pages import in_id

pytestmark = pytest.mark.e2e

SLUG = "laporan-e2e"
REGENCY = "74.03"  # Kabupaten Muna: no other LPA, so the consolidated report is this one's
PERIOD = period_parse("2026-10")


def signed_in(browser, base: str, username: str, *, width: int):
    context = browser.new_context(locale="id-ID", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm questions
    sign_in(page, base, username)
    page.wait_for_url(re.compile(r"/dasbor/$"))
    return page


def state(page) -> str:
    return page.locator("#report-state").inner_text()


def test_a_monthly_report_goes_up_from_the_lpa_to_the_province(browser, live_port, committed_db):
    committed_db.lpa_slugs.append(SLUG)
    lpa = lpa_provision(
        name="LPA Laporan Muna",
        slug=SLUG,
        legal_form="yayasan",
        regency_code=REGENCY,
        npwp=npwp_for(55, 7),
    )
    for username, level, area in (
        ("lap-kabupaten", "regency", {"regency_code": REGENCY}),
        ("lap-provinsi", "province", {"province_code": "74"}),
    ):
        committed_db.usernames.append(username)
        user = user_create(username=username, password=PASSWORD)
        government_scope_assign(user=user, level=level, role="officer", **area)
    committed_db.usernames.append("lap-ketua")
    membership_grant(
        lpa=lpa, user=user_create(username="lap-ketua", password=PASSWORD), role="ketua"
    )
    connection.set_tenant(lpa)
    report = lpa_report_generate(lpa=lpa, period=PERIOD)  # the daily job's work
    connection.set_schema_to_public()
    with translation.override("id"):
        month = PERIOD.label
    lpa_base = f"http://{SLUG}.localhost:{live_port}"
    portal = f"http://localhost:{live_port}"

    # The Ketua, on a phone: the report from the menu, the narrative, submit.
    ketua = signed_in(browser, lpa_base, "lap-ketua", width=390)
    ketua.get_by_role("link", name=in_id("Reports"), exact=True).click()
    ketua.get_by_role("link", name=month).click()
    _fits(ketua)
    ketua.get_by_label(in_id("Problems met (kendala)")).fill("Dua desa sulit dijangkau")
    ketua.get_by_label(in_id("Planned actions")).fill("Kunjungan petugas lapangan")
    ketua.get_by_role("button", name=in_id("Submit to the Dinas Sosial kabupaten/kota")).click()
    ketua.wait_for_load_state()
    assert state(ketua) == in_id("Submitted, awaiting review")
    _fits(ketua)
    ketua.screenshot(path=str(artifact("report-submitted-phone.png")), full_page=True)

    # The kabupaten's officer finds it in the review queue and returns it.
    kabupaten = signed_in(browser, portal, "lap-kabupaten", width=1280)
    kabupaten.get_by_role("link", name=in_id("Reports"), exact=True).first.click()
    kabupaten.locator("#queue").get_by_role("link", name="LPA Laporan Muna").click()
    assert "Dua desa sulit dijangkau" in kabupaten.content()
    kabupaten.get_by_label(in_id("Comment (required to return the report)")).fill(
        "Lampirkan jumlah kartu yang belum diserahkan"
    )
    kabupaten.get_by_role("button", name=in_id("Return with this comment")).click()
    kabupaten.wait_for_load_state()
    assert state(kabupaten) == in_id("Returned for correction")
    report_url = kabupaten.url

    # The Ketua reads the comment and submits the correction with a reason.
    ketua.reload()
    assert (
        "Lampirkan jumlah kartu yang belum diserahkan"
        in ketua.locator("#review-comment").inner_text()
    )
    ketua.get_by_label(in_id("Problems met (kendala)")).fill(
        "Dua desa sulit dijangkau; 3 kartu belum diserahkan"
    )
    ketua.get_by_label(in_id("Why this version corrects the one before (required)")).fill(
        "Menambahkan kartu yang belum diserahkan"
    )
    ketua.get_by_role("button", name=in_id("Submit to the Dinas Sosial kabupaten/kota")).click()
    ketua.wait_for_load_state()
    assert state(ketua) == in_id("Submitted, awaiting review")
    assert ketua.locator("#versions tbody tr").count() == 2
    _fits(ketua)
    ketua.context.close()

    # The kabupaten accepts it, then writes and submits its consolidated report.
    kabupaten.goto(report_url)
    kabupaten.get_by_role("button", name=in_id("Accept"), exact=True).click()
    kabupaten.wait_for_load_state()
    assert state(kabupaten) == in_id("Accepted")
    kabupaten.get_by_role("link", name=in_id("all reports of the period")).click()
    kabupaten.locator("#own a").first.click()
    assert kabupaten.locator("#children").inner_text().count(in_id("Accepted")) == 1
    kabupaten.get_by_label(in_id("Problems met (kendala)")).fill("Satu LPA, laporan lengkap")
    kabupaten.get_by_role("button", name=in_id("Submit the consolidated report")).click()
    kabupaten.wait_for_load_state()
    assert state(kabupaten) == in_id("Submitted, awaiting review")
    kabupaten.context.close()

    # The province accepts the kabupaten's report.
    provinsi = signed_in(browser, portal, "lap-provinsi", width=1280)
    provinsi.goto(f"{portal}/laporan/")
    provinsi.locator("#queue").get_by_role("link", name="Kabupaten Muna").click()
    provinsi.get_by_role("button", name=in_id("Accept"), exact=True).click()
    provinsi.wait_for_load_state()
    assert state(provinsi) == in_id("Accepted")
    provinsi.screenshot(path=str(artifact("report-regency-accepted.png")), full_page=True)
    provinsi.context.close()

    report.refresh_from_db()
    assert (report.state, report.versions) == (ReportState.ACCEPTED, 2)
    regency = Report.objects.get(
        level=ReportLevel.REGENCY,
        regency_id=REGENCY,
        period_type=PERIOD.type,
        period_start=PERIOD.start,
    )
    assert (regency.state, regency.versions) == (ReportState.ACCEPTED, 1)
    assert regency.version_set.get().sources == {str(report.pk): 2}

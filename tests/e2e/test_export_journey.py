"""An audit export in a browser: a ministry officer, on a phone, asks for a province's
tables from the portal's menu, watches the progress bar reach done (the page polls
its status; a real Celery worker builds the ZIP), downloads the ZIP, and it
verifies with the platform's key."""

from __future__ import annotations

import pytest
from celery.contrib.testing.worker import start_worker

from askesos.accounts.services import government_scope_assign, user_create
from askesos.celery import app
from reporting.manifest import export_verify
from reporting.models import AuditExport
from tests.conftest import PASSWORD
from tests.e2e.test_phone import _fits
from tests.e2e.test_report_journey import signed_in
from tests.e2e.test_sign_in import artifact
from tests.reporting.export_helpers import zip_tables
from tests.reporting.test_report_pages import in_id

pytestmark = pytest.mark.e2e


@pytest.fixture
def exports_committed(committed_db, settings, tmp_path):
    """Committed exports hold their requesters (PROTECT): removed before the users."""
    settings.EXPORT_ROOT = tmp_path / "exports"
    yield committed_db
    AuditExport.objects.all().delete()


def test_the_ministry_exports_a_province_and_the_download_verifies(
    browser, live_port, exports_committed, tmp_path
):
    exports_committed.usernames.append("ekspor-kemensos")
    user = user_create(username="ekspor-kemensos", password=PASSWORD)
    government_scope_assign(user=user, level="ministry", role="officer")
    portal = f"http://localhost:{live_port}"
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        page = signed_in(browser, portal, "ekspor-kemensos", width=390)
        page.get_by_role("link", name=in_id("Exports"), exact=True).click()
        _fits(page)
        page.get_by_label(in_id("Period (2026-10, 2026-T3, 2026-S2 or 2026)")).fill("2026-10")
        page.get_by_label(in_id("Area")).select_option("province:74")
        page.get_by_role("button", name=in_id("Start the export")).click()
        page.wait_for_url(f"{portal}/ekspor/*/")
        assert page.locator("#export-bar").count() == 1
        # The script polls the status and reloads the page when the export is done.
        page.locator("#export-download").wait_for(timeout=60_000)
        assert page.locator("#export-state-label").inner_text() == in_id("Done")
        assert page.locator("#export-bar").get_attribute("value") == page.locator(
            "#export-bar"
        ).get_attribute("max")
        _fits(page)
        page.screenshot(path=str(artifact("export-done-phone.png")), full_page=True)
        with page.expect_download() as download:
            page.locator("#export-download").click()
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        page.context.close()

    export = AuditExport.objects.get()
    assert path.name == f"askesos-ekspor-{export.pk}.zip"
    assert path.read_bytes() == (tmp_path / "exports" / export.path).read_bytes()
    assert export_verify(path).ok
    assert {r["lpa_slug"] for r in zip_tables(path)["lpa"]} == {"uji-a", "uji-b"}
